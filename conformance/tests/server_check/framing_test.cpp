// The response reader of `ssespec server` over bytes, no sockets: strict heads, chunked and
// Content-Length framing (valid sizes of any width, every framing error named), Content-Encoding
// decoded incrementally. Each response is also fed split at every offset and byte by byte.
#include <gtest/gtest.h>

#include <zlib.h>

#include <string>

#include "client/chunked_decoder.hpp"
#include "server_check/http_response.hpp"

namespace ssespec {
namespace {

struct Read {
  std::string body;
  std::string head_error, framing_error, framing;
  bool head_complete = false, body_complete = false;
  int status = 0;
};

Read read_in_pieces(const std::string& bytes, std::size_t piece, bool eof) {
  ResponseReader reader;
  Read out;
  for (std::size_t i = 0; i < bytes.size(); i += piece) reader.feed(std::string_view(bytes).substr(i, piece), out.body);
  if (eof) reader.end_of_input();
  out.head_error = reader.head_error();
  out.framing_error = reader.framing_error();
  out.framing = reader.framing();
  out.head_complete = reader.head_complete();
  out.body_complete = reader.body_complete();
  out.status = reader.head_complete() ? static_cast<int>(reader.response().getStatus()) : 0;
  return out;
}

// Reads whole, then split at every offset (two pieces), then byte by byte: all must agree.
Read read_response(const std::string& bytes, bool eof = false) {
  const Read whole = read_in_pieces(bytes, bytes.size() + 1, eof);
  for (std::size_t piece : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}}) {
    const Read split = read_in_pieces(bytes, piece, eof);
    EXPECT_EQ(split.body, whole.body) << "pieces of " << piece;
    EXPECT_EQ(split.head_error, whole.head_error) << "pieces of " << piece;
    EXPECT_EQ(split.framing_error, whole.framing_error) << "pieces of " << piece;
    EXPECT_EQ(split.body_complete, whole.body_complete) << "pieces of " << piece;
  }
  return whole;
}

const std::string kHead = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n";
const std::string kChunkedHead = kHead + "Transfer-Encoding: chunked\r\n\r\n";

TEST(ResponseReaderTest, ChunkedBodyIsUnframed) {
  const Read r = read_response(kChunkedHead + "5\r\ndata:\r\n3;ext=1\r\n x\n\r\n0\r\nX-T: 1\r\n\r\n");
  EXPECT_EQ(r.body, "data: x\n");
  EXPECT_TRUE(r.body_complete);
  EXPECT_EQ(r.framing, "chunked");
  EXPECT_EQ(r.framing_error, "");
}

TEST(ResponseReaderTest, TwelveHexDigitChunkSizeIsRead) {
  // POCO 1.11 reads at most 8 hex digits and took this for an empty chunk.
  const Read r = read_response(kChunkedHead + "00000000000e\r\ndata: twelve\n\n\r\n");
  EXPECT_EQ(r.body, "data: twelve\n\n");
  EXPECT_EQ(r.framing_error, "");
  EXPECT_FALSE(r.body_complete);
}

TEST(ResponseReaderTest, ChunkLargerThanFourGiBIsValidAndStreamed) {
  // 0x1000000000 = 64 GiB: valid; its first bytes are delivered as they arrive.
  const Read r = read_response(kChunkedHead + "1000000000\r\ndata: a\n\n");
  EXPECT_EQ(r.body, "data: a\n\n");
  EXPECT_EQ(r.framing_error, "");
}

TEST(ResponseReaderTest, InvalidChunkSizesAreNamed) {
  const std::pair<const char*, const char*> cases[] = {
      {"zz", "invalid chunk size \"zz\""},
      {"-5", "invalid chunk size \"-5\""},
      {"FFFFFFFFFFFFFFFFFFFFFFFF", "chunk size \"FFFFFFFFFFFFFFFFFFFFFFFF\" is too large"},
      {"", "invalid chunk size \"\""},
      {"5 x", "invalid chunk size \"5 x\""},
  };
  for (const auto& [size, message] : cases) {
    const Read r = read_response(kChunkedHead + "3\r\nab\n\r\n" + size + "\r\nabcde\r\n");
    EXPECT_EQ(r.body, "ab\n") << size;
    EXPECT_NE(r.framing_error.find("invalid chunked framing: "), std::string::npos) << r.framing_error;
    EXPECT_NE(r.framing_error.find(message), std::string::npos) << r.framing_error;
  }
}

TEST(ResponseReaderTest, ChunkDataLongerThanItsSizeIsAnError) {
  const Read r = read_response(kChunkedHead + "5\r\nid: 1\ndata: one\n\n\r\n");
  EXPECT_NE(r.framing_error.find("a chunk of 5 bytes is not followed by CRLF"), std::string::npos) << r.framing_error;
}

TEST(ResponseReaderTest, EndlessChunkSizeLineIsBounded) {
  const Read r = read_response(kChunkedHead + std::string(10000, '0'));
  EXPECT_NE(r.framing_error.find("longer than 4096 bytes"), std::string::npos) << r.framing_error;
}

TEST(ResponseReaderTest, ContentLengthBodyEndsAtItsLength) {
  const Read r = read_response(kHead + "Content-Length: 9\r\n\r\ndata: x\n\nextra");
  EXPECT_EQ(r.body, "data: x\n\n");
  EXPECT_TRUE(r.body_complete);
}

TEST(ResponseReaderTest, InvalidContentLengthNamesTheHeader) {
  for (const char* value : {"-1", "abc", "1x", "5, 6", "99999999999999999999"}) {
    const Read r = read_response(kHead + "Content-Length: " + value + "\r\n\r\ndata: x\n\n");
    EXPECT_EQ(r.body, "") << value << ": clients discard the response";
    EXPECT_EQ(r.framing_error.rfind(std::string("Content-Length: ") + value, 0), 0u) << r.framing_error;
  }
  EXPECT_EQ(read_response(kHead + "Content-Length: 3, 3\r\n\r\nabc").body, "abc");  // identical values are one
}

TEST(ResponseReaderTest, ContentLengthWithChunkedIsNamedAndReadAsChunked) {
  const Read r = read_response(kHead + "Content-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab\n\r\n");
  EXPECT_EQ(r.body, "ab\n");
  EXPECT_NE(r.framing_error.find("Content-Length: 100 together with Transfer-Encoding: chunked"), std::string::npos)
      << r.framing_error;
}

TEST(ResponseReaderTest, UntilCloseBodyEndsAtEof) {
  const Read r = read_response(kHead + "\r\ndata: x\n\n", true);
  EXPECT_EQ(r.body, "data: x\n\n");
  EXPECT_TRUE(r.body_complete);
  EXPECT_FALSE(read_response(kChunkedHead + "3\r\nab", true).body_complete);  // cut inside a chunk
}

TEST(ResponseReaderTest, MalformedHeadsAreNamed) {
  const std::pair<std::string, const char*> cases[] = {
      {"HTTP/9.9 200 OK\r\n\r\n", "version HTTP/9.9 is not HTTP/1.0 or HTTP/1.1"},
      {"HTTP/2 200\r\n\r\n", "version HTTP/2 is not HTTP/1.0 or HTTP/1.1"},
      {"ICY 200 OK\r\n\r\n", "does not start with HTTP/1.x"},
      {"HTTP/1.1 2000 OK\r\n\r\n", "three digits"},
      {"HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", "has no colon"},
      {"HTTP/1.1 200 OK\r\nContent-Type : text/event-stream\r\n\r\n", "no whitespace is allowed before the colon"},
  };
  for (const auto& [head, message] : cases) {
    const Read r = read_response(head);
    EXPECT_FALSE(r.head_complete) << head;
    EXPECT_NE(r.head_error.find(message), std::string::npos) << r.head_error;
  }
  const Read huge = read_response("HTTP/1.1 200 OK\r\nX: " + std::string(70000, 'a'));
  EXPECT_NE(huge.head_error.find("larger than 64 KiB"), std::string::npos) << huge.head_error;
}

TEST(ResponseReaderTest, InterimResponsesAndFoldedHeadersAreRead) {
  const Read r = read_response("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nX-A: one\r\n two\r\n\r\ndata: x\n\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "data: x\n\n");
}

std::string gzip(const std::string& text, bool raw) {
  z_stream z{};
  deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, raw ? -MAX_WBITS : 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(text.size() + 1024, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_SYNC_FLUSH);  // flushed, not finished: the stream goes on
  out.resize(out.size() - z.avail_out);
  deflateEnd(&z);
  return out;
}

TEST(ResponseReaderTest, GzipAndRawDeflateAreDecodedIncrementally) {
  const std::string events = "id: 1\ndata: one\n\n";
  const Read g = read_response(kHead + "Content-Encoding: gzip\r\n\r\n" + gzip(events, false));
  EXPECT_EQ(g.body, events);
  const Read d = read_response(kHead + "Content-Encoding: deflate\r\n\r\n" + gzip(events, true));
  EXPECT_EQ(d.body, events);
  const Read bad = read_response(kHead + "Content-Encoding: gzip\r\n\r\nnot gzip at all");
  EXPECT_NE(bad.framing_error.find("gzip body cannot be decoded"), std::string::npos) << bad.framing_error;
}

TEST(ChunkedDecoderTest, StopsAtTheEndOfTheBody) {
  ChunkedDecoder decoder;
  std::string out;
  const std::string body = "2\r\nab\r\n0\r\n\r\nHTTP/1.1 next";
  EXPECT_EQ(decoder.feed(body, out), body.find("HTTP"));
  EXPECT_TRUE(decoder.done());
  EXPECT_EQ(out, "ab");
}

}  // namespace
}  // namespace ssespec
