#include "report/payload.hpp"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <cstdio>

namespace ssespec {
namespace {

constexpr std::size_t kExcerpt = 32;

// Printable ASCII as is; everything else (and quote, backslash) as an escape: an excerpt may
// cut a UTF-8 sequence, so bytes are shown, not characters.
std::string escaped(const std::string& bytes) {
  std::string out;
  for (const unsigned char c : bytes) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  return out;
}

std::string sha256_prefix(const std::string& value) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(value);
  return Poco::DigestEngine::digestToHex(engine.digest()).substr(0, 16);
}

}  // namespace

std::string payload_for_report(const std::string& value) {
  if (value.size() <= kInlinePayloadLimit) return value;
  return "<" + std::to_string(value.size()) + " bytes, sha256 " + sha256_prefix(value) + ", starts \"" +
         escaped(value.substr(0, kExcerpt)) + "\", ends \"" + escaped(value.substr(value.size() - kExcerpt)) + "\">";
}

std::string first_difference(const std::string& expected, const std::string& observed) {
  if (expected == observed) return {};
  std::size_t at = 0;
  while (at < expected.size() && at < observed.size() && expected[at] == observed[at]) ++at;
  const std::size_t from = at > kExcerpt / 2 ? at - kExcerpt / 2 : 0;
  auto around = [&](const std::string& s) {
    return std::string(from > 0 ? "..." : "") + "\"" + escaped(s.substr(from, kExcerpt)) + "\"" +
           (from + kExcerpt < s.size() ? "..." : "");
  };
  return "lengths " + std::to_string(expected.size()) + " and " + std::to_string(observed.size()) +
         ", first difference at byte " + std::to_string(at) + ": expected " + around(expected) + ", observed " +
         around(observed);
}

}  // namespace ssespec
