// An HTTP/1.x response read from raw bytes, as a browser reads it: the head parsed strictly
// (RFC 9112), the body unframed (Content-Length, chunked, or until close) and its
// Content-Encoding decoded, incrementally and in bounded memory. No I/O, so `ssespec server`,
// `ssespec load`, a test or a fuzzer feed it alike (library ssespec_http_response). What goes
// wrong is an HttpError (client/http_error.hpp) plus a message naming the bytes.
#pragma once

#include <Poco/Net/HTTPResponse.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "client/chunked_decoder.hpp"
#include "client/http_error.hpp"
#include "server_check/content_decoder.hpp"

namespace ssespec {

class ResponseReader {
 public:
  static constexpr std::size_t kMaxHeadBytes = 64 * 1024;
  // Decoded bytes one feed() may produce; more is a decompression bomb.
  static constexpr std::size_t kMaxDecodedPerFeed = 16u << 20;

  // Feeds the next bytes from the connection; appends the decoded body bytes to `body`.
  // Interim (1xx) responses are skipped. After an error nothing more is read.
  void feed(std::string_view bytes, std::string& body);
  // The connection closed (EOF). Returns true if that ended the body as its framing says.
  bool end_of_input();

  bool head_complete() const { return stage_ != Stage::head && stage_ != Stage::bad_head; }
  const Poco::Net::HTTPResponse& response() const { return response_; }
  // What is wrong (HttpError::none: nothing): a head or body error once failed(), else a note
  // such as content_length_with_chunked. The messages below add the bytes concerned.
  HttpError error_code() const { return error_code_; }
  // The head is malformed: there is no response a client would use.
  const std::string& head_error() const { return head_error_; }
  // The head is fine but the body's framing or encoding is broken: clients get a network error
  // (failed()); or, with failed() false, a note (both Content-Length and chunked, an unknown
  // Content-Encoding).
  const std::string& framing_error() const { return framing_error_; }
  bool body_complete() const { return stage_ == Stage::done; }
  bool failed() const { return stage_ == Stage::bad_head || stage_ == Stage::bad_body; }

  // How the body is delimited ("chunked", "Content-Length: 12", "until the connection closes",
  // "none") and which Content-Encoding was decoded (empty: none).
  const std::string& framing() const { return framing_; }
  const std::string& decoded_coding() const { return decoded_coding_; }
  // Where the body stands if the connection closes now, e.g. "inside a chunk (3 of 9 bytes)".
  std::string cut_position() const;

 private:
  enum class Stage { head, body, done, bad_head, bad_body };
  enum class Framing { none, length, chunked, until_close };

  std::size_t feed_head(std::string_view bytes);
  bool parse_head();
  bool choose_framing();
  void feed_body(std::string_view bytes, std::string& body);
  bool head_failed(HttpError code, std::string message);
  void body_failed(HttpError code, std::string message);
  void note(HttpError code, std::string message);

  Stage stage_ = Stage::head;
  std::string head_;  // the head's bytes so far
  Poco::Net::HTTPResponse response_;
  Framing framing_kind_ = Framing::until_close;
  std::uint64_t length_left_ = 0;
  std::uint64_t length_ = 0;
  ChunkedDecoder chunked_;
  std::unique_ptr<ContentDecoder> decoder_;
  std::string unframed_;  // scratch: body bytes before decoding
  HttpError error_code_ = HttpError::none;
  std::string framing_, decoded_coding_, head_error_, framing_error_;
};

}  // namespace ssespec
