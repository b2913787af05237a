// What can be wrong with an HTTP/1 response as a client reads it (RFC 9110, RFC 9112): one value
// per kind, each with one describe(), as Beast's http::error. ChunkedDecoder and the suite's
// ResponseReader report these; their messages add the bytes concerned.
#pragma once

namespace ssespec {

enum class HttpError {
  none = 0,
  // The head is malformed: there is no response a client would use.
  head_too_large,
  bare_cr_or_nul,
  bad_version,
  bad_status_line,
  bad_status_code,
  status_out_of_range,
  leading_whitespace,
  missing_colon,
  bad_field_name,
  // The body's framing or coding is broken: clients get a network error.
  bad_transfer_encoding,
  unsupported_transfer_coding,
  bad_content_length,
  conflicting_content_lengths,
  bad_chunk_size,
  bad_chunk_extension,
  chunk_size_too_large,
  chunk_size_mismatch,
  size_line_too_long,
  bad_trailer,
  trailer_line_too_long,
  trailer_too_large,
  bad_content_coding,
  decoded_too_large,
  // Noted, not fatal: clients read the body on.
  content_length_with_chunked,
  unsupported_content_coding,
};

// One line saying what `error` means, e.g. "a chunk's data is not followed by CRLF".
const char* describe(HttpError error);

}  // namespace ssespec
