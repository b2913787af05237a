#include "server_check/content_decoder.hpp"

#include <brotli/decode.h>
#include <zlib.h>

#include <cstdint>

namespace ssespec {
namespace {

constexpr std::size_t kOutPiece = 16 * 1024;

class ZlibDecoder final : public ContentDecoder {
 public:
  explicit ZlibDecoder(bool gzip) : gzip_(gzip) { init(gzip ? 16 + MAX_WBITS : MAX_WBITS); }
  ~ZlibDecoder() override { inflateEnd(&z_); }

  bool feed(std::string_view in, std::string& out, std::size_t max_out) override {
    if (!error_.empty()) return false;
    if (in.empty() || finished_) return true;
    if (!gzip_ && first_) {
      // "deflate" is meant to carry the zlib wrapper, but some servers send raw deflate;
      // browsers accept both: a first byte that is no zlib header means raw.
      first_ = false;
      if ((static_cast<unsigned char>(in[0]) & 0x0f) != Z_DEFLATED) {
        inflateEnd(&z_);
        init(-MAX_WBITS);
      }
    }
    first_ = false;
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    const std::size_t start = out.size();
    unsigned char piece[kOutPiece];
    while (z_.avail_in > 0 || z_.avail_out == 0) {
      z_.next_out = piece;
      z_.avail_out = sizeof piece;
      const int rc = inflate(&z_, Z_SYNC_FLUSH);
      out.append(reinterpret_cast<char*>(piece), sizeof piece - z_.avail_out);
      if (out.size() - start > max_out) {
        over_limit_ = true;
        return fail("more than " + std::to_string(max_out) + " bytes decoded from one read");
      }
      if (rc == Z_STREAM_END) {
        finished_ = true;  // bytes after the end are ignored, as browsers do
        return true;
      }
      if (rc == Z_BUF_ERROR) return true;  // needs more input
      if (rc != Z_OK) return fail(z_.msg != nullptr ? z_.msg : "corrupt data");
    }
    return true;
  }
  bool finished() const override { return finished_; }

 private:
  void init(int window_bits) {
    z_ = z_stream{};
    inflateInit2(&z_, window_bits);
  }
  bool fail(const std::string& why) {
    error_ = std::string(gzip_ ? "gzip" : "deflate") + " body cannot be decoded: " + why;
    return false;
  }
  bool gzip_;
  bool first_ = true;
  bool finished_ = false;
  z_stream z_{};
};

class BrotliDecoder final : public ContentDecoder {
 public:
  BrotliDecoder() : state_(BrotliDecoderCreateInstance(nullptr, nullptr, nullptr)) {}
  ~BrotliDecoder() override { BrotliDecoderDestroyInstance(state_); }

  bool feed(std::string_view in, std::string& out, std::size_t max_out) override {
    if (!error_.empty()) return false;
    if (in.empty() || finished_) return true;
    auto next_in = reinterpret_cast<const std::uint8_t*>(in.data());
    std::size_t avail_in = in.size();
    const std::size_t start = out.size();
    std::uint8_t piece[kOutPiece];
    for (;;) {
      std::uint8_t* next_out = piece;
      std::size_t avail_out = sizeof piece;
      const BrotliDecoderResult rc = BrotliDecoderDecompressStream(state_, &avail_in, &next_in, &avail_out, &next_out, nullptr);
      out.append(reinterpret_cast<char*>(piece), sizeof piece - avail_out);
      if (out.size() - start > max_out) {
        over_limit_ = true;
        return fail("more than " + std::to_string(max_out) + " bytes decoded from one read");
      }
      if (rc == BROTLI_DECODER_RESULT_SUCCESS) {
        finished_ = true;
        return true;
      }
      if (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) return true;
      if (rc == BROTLI_DECODER_RESULT_ERROR) return fail(BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state_)));
      // BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT: loop with a fresh piece
    }
  }
  bool finished() const override { return finished_; }

 private:
  bool fail(const std::string& why) {
    error_ = "br body cannot be decoded: " + why;
    return false;
  }
  BrotliDecoderState* state_;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<ContentDecoder> make_content_decoder(const std::string& coding, bool& unsupported) {
  unsupported = false;
  const std::string& name = coding;
  if (name.empty() || name == "identity") return nullptr;
  if (name == "gzip" || name == "x-gzip") return std::make_unique<ZlibDecoder>(true);
  if (name == "deflate") return std::make_unique<ZlibDecoder>(false);
  if (name == "br") return std::make_unique<BrotliDecoder>();
  unsupported = true;
  return nullptr;
}

}  // namespace ssespec
