#include "client/http_error.hpp"

namespace ssespec {

const char* describe(HttpError error) {
  switch (error) {
    case HttpError::none:
      return "no error";
    case HttpError::head_too_large:
      return "the response head is larger than 64 KiB";
    case HttpError::bare_cr_or_nul:
      return "a bare CR or a NUL in the response head";
    case HttpError::bad_version:
      return "the version is not HTTP/1.0 or HTTP/1.1";
    case HttpError::bad_status_line:
      return "the status line does not start with HTTP/1.x and a status code";
    case HttpError::bad_status_code:
      return "the status code is not three digits";
    case HttpError::status_out_of_range:
      return "the status code is outside 100-511";
    case HttpError::leading_whitespace:
      return "the first header line starts with whitespace";
    case HttpError::missing_colon:
      return "a header line has no colon";
    case HttpError::bad_field_name:
      return "a header field name is not a token";
    case HttpError::bad_transfer_encoding:
      return "Transfer-Encoding does not end in chunked";
    case HttpError::unsupported_transfer_coding:
      return "a transfer coding other than chunked";
    case HttpError::bad_content_length:
      return "Content-Length is not a valid length";
    case HttpError::conflicting_content_lengths:
      return "Content-Length has different values";
    case HttpError::bad_chunk_size:
      return "a chunk-size line does not start with hex digits";
    case HttpError::bad_chunk_extension:
      return "a chunk size is followed by something other than the line end or \";\"";
    case HttpError::chunk_size_too_large:
      return "a chunk size has over 15 hex digits";
    case HttpError::chunk_size_mismatch:
      return "a chunk's data is not followed by CRLF";
    case HttpError::size_line_too_long:
      return "a chunk-size line is longer than 4096 bytes";
    case HttpError::bad_trailer:
      return "an invalid trailer line after the last chunk";
    case HttpError::trailer_line_too_long:
      return "a trailer line is longer than 4096 bytes";
    case HttpError::trailer_too_large:
      return "the trailer after the last chunk exceeds 64 KiB";
    case HttpError::bad_content_coding:
      return "the body cannot be decoded as its Content-Encoding says";
    case HttpError::decoded_too_large:
      return "the body decodes to too many bytes at once (a decompression bomb)";
    case HttpError::content_length_with_chunked:
      return "Content-Length together with Transfer-Encoding: chunked";
    case HttpError::unsupported_content_coding:
      return "a Content-Encoding browsers do not decode";
  }
  return "unknown HTTP error";
}

}  // namespace ssespec
