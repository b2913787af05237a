// HTTP/1.1 chunked transfer coding (RFC 9112 section 7.1), decoded incrementally and strictly,
// in bounded memory: any chunk size that fits 63 bits (POCO 1.11 reads at most 8 hex digits),
// size lines and trailers capped, and every framing error named, never taken for an end.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "client/http_error.hpp"

namespace ssespec {

class ChunkedDecoder {
 public:
  // A size line (size, extensions, CRLF) or a trailer line longer than this is an error.
  static constexpr std::size_t kMaxLineBytes = 4096;
  static constexpr std::size_t kMaxTrailerBytes = 64 * 1024;

  // Decodes the next bytes of the body, appending chunk data to `out`. Returns the number of
  // bytes of `in` consumed: all of them, unless the body ended (the bytes after the last
  // chunk's trailer are not part of it) or a framing error stopped decoding (see error()).
  std::size_t feed(std::string_view in, std::string& out);

  bool done() const { return state_ == State::done; }  // the last chunk and its trailer arrived
  bool failed() const { return state_ == State::failed; }
  HttpError error_code() const { return code_; }       // what is wrong, when failed()
  const std::string& error() const { return error_; }  // the message: the kind and the bytes
  // Where a body cut off here stands, for a message: "inside a chunk (12 of 40 bytes)", ...
  std::string position() const;

 private:
  enum class State { size_line, data, data_end, trailer, done, failed };
  bool fail(HttpError code, std::string message);
  bool end_size_line();
  bool end_trailer_line();

  State state_ = State::size_line;
  std::string line_;                // the current size or trailer line, without its CRLF
  std::uint64_t remaining_ = 0;     // data bytes left in the current chunk
  std::uint64_t chunk_size_ = 0;
  std::size_t trailer_bytes_ = 0;
  HttpError code_ = HttpError::none;
  std::string error_;
};

}  // namespace ssespec
