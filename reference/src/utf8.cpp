#include "utf8.hpp"

#include <cstdint>
#include <cstring>

namespace ssespec::utf8 {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The decoder state of https://encoding.spec.whatwg.org/#utf-8-decoder.
struct Decoder {
  int bytes_needed = 0;
  int bytes_seen = 0;
  unsigned char lower = 0x80;
  unsigned char upper = 0xBF;

  enum class Result { done, need_more, error, error_reprocess };

  // One step of the decoder for byte b.
  Result step(unsigned char b) {
    if (bytes_needed == 0) {
      if (b <= 0x7F) return Result::done;
      if (b >= 0xC2 && b <= 0xDF) {
        bytes_needed = 1;
      } else if (b >= 0xE0 && b <= 0xEF) {
        if (b == 0xE0) lower = 0xA0;  // no overlong three-byte forms
        if (b == 0xED) upper = 0x9F;  // no surrogates
        bytes_needed = 2;
      } else if (b >= 0xF0 && b <= 0xF4) {
        if (b == 0xF0) lower = 0x90;  // no overlong four-byte forms
        if (b == 0xF4) upper = 0x8F;  // nothing above U+10FFFF
        bytes_needed = 3;
      } else {
        return Result::error;
      }
      return Result::need_more;
    }
    // "If byte is not in the range UTF-8 lower boundary to UTF-8 upper boundary ... restore
    // byte to ioQueue ... return error."
    if (b < lower || b > upper) {
      *this = Decoder{};
      return Result::error_reprocess;
    }
    lower = 0x80;
    upper = 0xBF;
    if (++bytes_seen != bytes_needed) return Result::need_more;
    *this = Decoder{};
    return Result::done;
  }
};

// True if none of the eight bytes at p has its high bit set.
bool is_ascii_word(const char* p) {
  std::uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return (word & 0x8080808080808080u) == 0;
}

}  // namespace

bool is_valid(std::string_view bytes) {
  Decoder decoder;
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  while (p != end) {
    // Between sequences, ASCII skips the decoder, eight bytes at a time where it can: lines
    // that hold non-ASCII are still mostly ASCII.
    if (decoder.bytes_needed == 0) {
      if (end - p >= 8 && is_ascii_word(p)) {
        p += 8;
        continue;
      }
      if (static_cast<unsigned char>(*p) < 0x80) {
        ++p;
        continue;
      }
    }
    const Decoder::Result r = decoder.step(static_cast<unsigned char>(*p++));
    if (r == Decoder::Result::error || r == Decoder::Result::error_reprocess) return false;
  }
  return decoder.bytes_needed == 0;
}

std::size_t sequence_length(std::string_view bytes) {
  Decoder decoder;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const Decoder::Result r = decoder.step(static_cast<unsigned char>(bytes[i]));
    if (r == Decoder::Result::done) return i + 1;
    if (r != Decoder::Result::need_more) return 0;
  }
  return 0;
}

void decode_with_replacement(std::string_view bytes, std::string& out) {
  out.clear();
  out.reserve(bytes.size() + 8);
  Decoder decoder;
  std::size_t sequence_start = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (decoder.bytes_needed == 0) sequence_start = i;
    switch (decoder.step(static_cast<unsigned char>(bytes[i]))) {
      case Decoder::Result::done:
        out.append(bytes.substr(sequence_start, i + 1 - sequence_start));
        break;
      case Decoder::Result::need_more:
        break;
      case Decoder::Result::error:
        out.append(kReplacement);
        break;
      case Decoder::Result::error_reprocess:
        out.append(kReplacement);
        --i;  // the loop's ++i decodes this byte again, as a fresh start
        break;
    }
  }
  // "If byte is end-of-queue and UTF-8 bytes needed is not 0 ... return error."
  if (decoder.bytes_needed != 0) out.append(kReplacement);
}

}  // namespace ssespec::utf8
