#include "ssespec/printable.hpp"

#include "utf8.hpp"

namespace ssespec {

std::string printable(std::string_view text, std::size_t max_chars) {
  static constexpr std::string_view kBom = "\xEF\xBB\xBF";
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  std::size_t i = 0;
  for (std::size_t kept = 0; i < text.size() && kept < max_chars; ++kept) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t length = c < 0x80 ? 1 : utf8::sequence_length(text.substr(i, 4));
    if (text.substr(i, kBom.size()) == kBom) {
      out += "\\u{FEFF}";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c < 0x20 || c == 0x7F || length == 0) {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.append(text.substr(i, length));
    }
    i += length == 0 ? 1 : length;
  }
  if (i < text.size()) out += "...";
  return out;
}

}  // namespace ssespec
