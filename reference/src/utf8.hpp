// UTF-8 validation and the WHATWG Encoding "UTF-8 decoder" error handling, for whole lines.
// Spec: https://encoding.spec.whatwg.org/#utf-8-decoder
#pragma once

#include <string>
#include <string_view>

namespace ssespec::utf8 {

// True if `bytes` is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF).
bool is_valid(std::string_view bytes);

// The length of the well-formed UTF-8 sequence `bytes` starts with (1 to 4), or 0 if it starts
// with none (an invalid or unfinished sequence, or no bytes).
std::size_t sequence_length(std::string_view bytes);

// Replaces `out` with `bytes` decoded as the UTF-8 decoder does, re-encoded as UTF-8: each
// maximal ill-formed subsequence becomes one U+FFFD, and a byte that breaks a sequence is
// decoded afresh. An unfinished sequence at the end also becomes U+FFFD.
void decode_with_replacement(std::string_view bytes, std::string& out);

}  // namespace ssespec::utf8
