// The response reader of `ssespec server` over bytes, no sockets: strict heads, chunked and
// Content-Length framing (valid sizes of any width, every framing error named), Content-Encoding
// decoded incrementally. Each response is also fed split in two at every offset and byte by
// byte, and must give the same body, messages and HttpError each way.
#include <gtest/gtest.h>
#include <zlib.h>

#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "client/chunked_decoder.hpp"
#include "server_check/http_response.hpp"

namespace ssespec {
namespace {

struct Read {
  std::string body;
  std::string head_error, framing_error, framing;
  HttpError code = HttpError::none;
  bool head_complete = false, body_complete = false;
  int status = 0;
};

// Feeds `pieces` one after another (empty ones too), then the end of input if `eof`.
Read read_pieces(const std::vector<std::string_view>& pieces, bool eof) {
  ResponseReader reader;
  Read out;
  for (const std::string_view piece : pieces) reader.feed(piece, out.body);
  if (eof) reader.end_of_input();
  out.head_error = reader.head_error();
  out.framing_error = reader.framing_error();
  out.code = reader.error_code();
  out.framing = reader.framing();
  out.head_complete = reader.head_complete();
  out.body_complete = reader.body_complete();
  out.status = reader.head_complete() ? static_cast<int>(reader.response().getStatus()) : 0;
  return out;
}

void expect_same(const Read& split, const Read& whole, const std::string& how) {
  EXPECT_EQ(split.code, whole.code) << how << ": " << describe(split.code) << " instead of " << describe(whole.code);
  EXPECT_EQ(split.body, whole.body) << how;
  EXPECT_EQ(split.head_error, whole.head_error) << how;
  EXPECT_EQ(split.framing_error, whole.framing_error) << how;
  EXPECT_EQ(split.body_complete, whole.body_complete) << how;
}

// The two-piece splits tried: every offset 0..n, except in a response over 8 KiB (the 64 KiB
// head), where it is every offset within 64 bytes of either end or of a 4 KiB or 64 KiB limit,
// and every 61st offset between.
bool tried(std::size_t offset, std::size_t size) {
  if (size <= 8 * 1024) return true;
  const auto near = [&](std::size_t mark) { return offset + 64 >= mark && offset <= mark + 64; };
  return near(0) || near(size) || near(ChunkedDecoder::kMaxLineBytes) || near(ResponseReader::kMaxHeadBytes) ||
         offset % 61 == 0;
}

// Reads whole, then split into two pieces at every offset, then byte by byte: all must agree,
// the error code (HttpError) included.
Read read_response(const std::string& bytes, bool eof = false) {
  const std::string_view all(bytes);
  const Read whole = read_pieces({all}, eof);
  for (std::size_t offset = 0; offset <= bytes.size(); ++offset) {
    if (!tried(offset, bytes.size())) continue;
    expect_same(read_pieces({all.substr(0, offset), all.substr(offset)}, eof), whole,
                "split at " + std::to_string(offset) + " of " + std::to_string(bytes.size()));
  }
  std::vector<std::string_view> bytewise;
  for (std::size_t i = 0; i < bytes.size(); ++i) bytewise.push_back(all.substr(i, 1));
  expect_same(read_pieces(bytewise, eof), whole, "byte by byte");
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
  EXPECT_EQ(r.code, HttpError::none);
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
  const std::tuple<const char*, const char*, HttpError> cases[] = {
      {"zz", "invalid chunk size \"zz\"", HttpError::bad_chunk_size},
      {"-5", "invalid chunk size \"-5\"", HttpError::bad_chunk_size},
      {"FFFFFFFFFFFFFFFFFFFFFFFF", "chunk size \"FFFFFFFFFFFFFFFFFFFFFFFF\" is too large",
       HttpError::chunk_size_too_large},
      {"", "invalid chunk size \"\"", HttpError::bad_chunk_size},
      {"5 x", "invalid chunk size \"5 x\"", HttpError::bad_chunk_extension},
  };
  for (const auto& [size, message, code] : cases) {
    const Read r = read_response(kChunkedHead + "3\r\nab\n\r\n" + size + "\r\nabcde\r\n");
    EXPECT_EQ(r.code, code) << size;
    EXPECT_EQ(r.body, "ab\n") << size;
    EXPECT_NE(r.framing_error.find("invalid chunked framing: "), std::string::npos) << r.framing_error;
    EXPECT_NE(r.framing_error.find(message), std::string::npos) << r.framing_error;
  }
}

TEST(ResponseReaderTest, ChunkDataLongerThanItsSizeIsAnError) {
  const Read r = read_response(kChunkedHead + "5\r\nid: 1\ndata: one\n\n\r\n");
  EXPECT_EQ(r.code, HttpError::chunk_size_mismatch);
  EXPECT_NE(r.framing_error.find("a chunk of 5 bytes is not followed by CRLF"), std::string::npos) << r.framing_error;
}

TEST(ResponseReaderTest, EndlessChunkSizeLineIsBounded) {
  const Read r = read_response(kChunkedHead + std::string(ChunkedDecoder::kMaxLineBytes + 100, '0'));
  EXPECT_EQ(r.code, HttpError::size_line_too_long);
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
    EXPECT_EQ(r.code,
              value == std::string("5, 6") ? HttpError::conflicting_content_lengths : HttpError::bad_content_length)
        << value;
    EXPECT_EQ(r.body, "") << value << ": clients discard the response";
    EXPECT_EQ(r.framing_error.rfind(std::string("Content-Length: ") + value, 0), 0u) << r.framing_error;
  }
  EXPECT_EQ(read_response(kHead + "Content-Length: 3, 3\r\n\r\nabc").body, "abc");  // identical values are one
}

TEST(ResponseReaderTest, ContentLengthWithChunkedIsNamedAndReadAsChunked) {
  const Read r = read_response(kHead + "Content-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nab\n\r\n");
  EXPECT_EQ(r.body, "ab\n");
  EXPECT_EQ(r.code, HttpError::content_length_with_chunked);  // noted; the body is read on
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
  const std::tuple<std::string, const char*, HttpError> cases[] = {
      {"HTTP/9.9 200 OK\r\n\r\n", "version HTTP/9.9 is not HTTP/1.0 or HTTP/1.1", HttpError::bad_version},
      {"HTTP/2 200\r\n\r\n", "version HTTP/2 is not HTTP/1.0 or HTTP/1.1", HttpError::bad_version},
      {"ICY 200 OK\r\n\r\n", "does not start with HTTP/1.x", HttpError::bad_status_line},
      {"HTTP/1.1 2000 OK\r\n\r\n", "three digits", HttpError::bad_status_code},
      {"HTTP/1.1 099 OK\r\n\r\n", "status code 099 is outside 100-511", HttpError::status_out_of_range},
      {"HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", "has no colon", HttpError::missing_colon},
      {"HTTP/1.1 200 OK\r\nContent-Type : text/event-stream\r\n\r\n", "no whitespace is allowed before the colon",
       HttpError::bad_field_name},
      {"HTTP/1.1 200 OK\r\n folded\r\n\r\n", "the first header line \" folded\" starts with whitespace",
       HttpError::leading_whitespace},
      {"HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n", "a bare CR or NUL in \"X-A: a\\x0Db\"", HttpError::bare_cr_or_nul},
      {std::string("HTTP/1.1 200 OK\r\nX-A: a") + '\0' + "b\r\n\r\n", "a bare CR or NUL", HttpError::bare_cr_or_nul},
  };
  for (const auto& [head, message, code] : cases) {
    const Read r = read_response(head);
    EXPECT_EQ(r.code, code) << head;
    EXPECT_FALSE(r.head_complete) << head;
    EXPECT_NE(r.head_error.find(message), std::string::npos) << r.head_error;
  }
  const Read huge = read_response("HTTP/1.1 200 OK\r\nX: " + std::string(70000, 'a'));
  EXPECT_EQ(huge.code, HttpError::head_too_large);
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
  EXPECT_EQ(bad.code, HttpError::bad_content_coding);
  EXPECT_NE(bad.framing_error.find("gzip body cannot be decoded"), std::string::npos) << bad.framing_error;
}

TEST(ResponseReaderTest, OtherFramingErrorsAreNamed) {
  std::string trailer;  // over 64 KiB of trailer lines, each under the 4096-byte line limit
  while (trailer.size() <= ChunkedDecoder::kMaxTrailerBytes) trailer += "X-T: " + std::string(4000, 't') + "\r\n";
  const std::tuple<std::string, const char*, HttpError> cases[] = {
      {kHead + "Transfer-Encoding: gzip\r\n\r\ndata", "does not end in chunked", HttpError::bad_transfer_encoding},
      {kHead + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", "browsers decode only chunked",
       HttpError::unsupported_transfer_coding},
      {kChunkedHead + "0\r\nno colon\r\n\r\n", "invalid trailer line \"no colon\"", HttpError::bad_trailer},
      {kChunkedHead + "0\r\nX-T: " + std::string(ChunkedDecoder::kMaxLineBytes, 't'), "a trailer line is longer",
       HttpError::trailer_line_too_long},
      {kChunkedHead + "0\r\n" + trailer + "\r\n", "exceeds 64 KiB", HttpError::trailer_too_large},
      {kHead + "Content-Encoding: zstd\r\n\r\ndata: x\n\n", "Content-Encoding: zstd is not one browsers decode",
       HttpError::unsupported_content_coding},
  };
  for (const auto& [response, message, code] : cases) {
    const Read r = read_response(response);
    EXPECT_EQ(r.code, code) << describe(r.code) << ": " << r.framing_error;
    EXPECT_NE(r.framing_error.find(message), std::string::npos) << r.framing_error;
  }
}

TEST(ResponseReaderTest, DecompressionBombIsNamed) {
  // Whole only: each split would decode 16 MiB again.
  const std::string bomb = gzip(std::string(ResponseReader::kMaxDecodedPerFeed + 1024, 'a'), false);
  const Read r = read_pieces({kHead + "Content-Encoding: gzip\r\n\r\n" + bomb}, false);
  EXPECT_EQ(r.code, HttpError::decoded_too_large) << r.framing_error;
  EXPECT_NE(r.framing_error.find("bytes decoded from one read"), std::string::npos) << r.framing_error;
}

TEST(HttpErrorTest, EveryValueIsDescribedOnce) {
  // describe() names each value; two values with one text would be one kind.
  std::set<std::string> seen;
  for (int i = static_cast<int>(HttpError::none); i <= static_cast<int>(HttpError::unsupported_content_coding); ++i) {
    const std::string text = describe(static_cast<HttpError>(i));
    EXPECT_NE(text, "unknown HTTP error") << i;
    EXPECT_TRUE(seen.insert(text).second) << text;
  }
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
