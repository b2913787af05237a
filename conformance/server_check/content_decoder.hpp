// Content-Encoding decoded as a browser does: streaming, each piece decoded as soon as it
// arrives, so the stream checks see events when a client would (gzip, x-gzip, deflate with or
// without its zlib wrapper, br). Output is bounded per call by what the caller accepts.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace ssespec {

class ContentDecoder {
 public:
  virtual ~ContentDecoder() = default;
  // Decodes `in`, appending the result to `out`. Returns false on corrupt input (error() says
  // why); nothing more is decoded after that. Output beyond `max_out` bytes in one call is
  // dropped and reported as an error, so a decompression bomb cannot exhaust memory.
  virtual bool feed(std::string_view in, std::string& out, std::size_t max_out) = 0;
  // True when the compressed stream has ended (its last block and checksum arrived).
  virtual bool finished() const = 0;
  const std::string& error() const { return error_; }
  bool over_limit() const { return over_limit_; }  // the error is output over `max_out`, not corrupt input

 protected:
  std::string error_;
  bool over_limit_ = false;
};

// A decoder for one Content-Encoding value, lowercased and trimmed ("gzip", "deflate", "br"), or
// null when the value is empty or "identity". `unsupported` is set for any other value.
std::unique_ptr<ContentDecoder> make_content_decoder(const std::string& coding, bool& unsupported);

}  // namespace ssespec
