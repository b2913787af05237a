// Bytes made readable in a one-line message (verdicts, framing errors, lint findings), in one
// escape style everywhere: a backslash as \\, U+FEFF as \u{FEFF}, C0 controls, DEL and bytes
// that are not well-formed UTF-8 as \xNN; other UTF-8 characters as they are.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ssespec {

// `text` in that style, at most `max_chars` characters (an escape counts as one), followed by
// "..." when it was shortened.
std::string printable(std::string_view text, std::size_t max_chars = 60);

}  // namespace ssespec
