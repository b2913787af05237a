// Deterministic property tests of ssespec::Parser: a fixed-seed generator builds streams from the
// event-stream grammar's fragments, and each stream is parsed whole, one byte at a time and at
// random chunkings; all must observe the same things, and the same as SpecModel below.
//
// SpecModel is a deliberately naive transcription of the spec's steps over whole decoded strings
// (test code only; the one place besides the parser where the rules are written down, so the fast
// parser is checked against the spec text rather than against itself). It takes a Mutation so the
// suite can show it catches a wrong reading (ModelCatchesWrongReadings).
//
// Spec: https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
//       https://encoding.spec.whatwg.org/#utf-8-decode
#include "ssespec/parser.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace ssespec {
namespace {

using Log = std::vector<std::string>;

// ---------------------------------------------------------------------------------------------
// The spec model.

enum class Mutation {
  none,
  strip_two_spaces,        // wrong: removes up to two leading spaces from a value
  keep_bom,                // wrong: does not strip the leading BOM
  keep_type,               // wrong: event type buffer survives a dispatch
  id_set_only_with_data,   // wrong: last event ID string only set when an event fires
  lone_cr_not_a_line_end,  // wrong: only LF and CRLF end lines
};

std::string encode_utf8(const std::u32string& text) {
  std::string out;
  for (const char32_t c : text) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

// Encoding standard "UTF-8 decode": strip a leading BOM (the three bytes EF BB BF), then run the
// "UTF-8 decoder" with error mode replacement, one code point at a time.
std::u32string utf8_decode(std::string_view bytes, Mutation mutation) {
  std::size_t i = 0;
  if (mutation != Mutation::keep_bom && bytes.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  std::u32string out;
  char32_t code_point = 0;
  int bytes_needed = 0;
  int bytes_seen = 0;
  unsigned lower = 0x80;
  unsigned upper = 0xBF;
  while (true) {
    if (i == bytes.size()) {
      // "If byte is end-of-queue and UTF-8 bytes needed is not 0 ... return error."
      if (bytes_needed != 0) out.push_back(0xFFFD);
      return out;
    }
    const auto byte = static_cast<unsigned char>(bytes[i]);
    if (bytes_needed == 0) {
      ++i;
      if (byte <= 0x7F) {
        out.push_back(byte);
      } else if (byte >= 0xC2 && byte <= 0xDF) {
        bytes_needed = 1;
        code_point = byte & 0x1F;
      } else if (byte >= 0xE0 && byte <= 0xEF) {
        if (byte == 0xE0) lower = 0xA0;
        if (byte == 0xED) upper = 0x9F;
        bytes_needed = 2;
        code_point = byte & 0xF;
      } else if (byte >= 0xF0 && byte <= 0xF4) {
        if (byte == 0xF0) lower = 0x90;
        if (byte == 0xF4) upper = 0x8F;
        bytes_needed = 3;
        code_point = byte & 0x7;
      } else {
        out.push_back(0xFFFD);
      }
      continue;
    }
    if (byte < lower || byte > upper) {
      // "set ... to 0 ... restore byte to ioQueue ... return error": i is not advanced.
      code_point = 0;
      bytes_needed = 0;
      bytes_seen = 0;
      lower = 0x80;
      upper = 0xBF;
      out.push_back(0xFFFD);
      continue;
    }
    ++i;
    lower = 0x80;
    upper = 0xBF;
    code_point = (code_point << 6) | (byte & 0x3F);
    if (++bytes_seen == bytes_needed) {
      out.push_back(code_point);
      code_point = 0;
      bytes_needed = 0;
      bytes_seen = 0;
    }
  }
}

struct SpecModel {
  Mutation mutation = Mutation::none;
  Log log;
  std::u32string data_buffer, event_type_buffer, last_event_id_buffer;
  std::u32string last_event_id_string;

  // Parses one whole stream, then the end of file.
  void parse(std::string_view bytes) {
    const std::u32string text = utf8_decode(bytes, mutation);
    // "a U+000D CARRIAGE RETURN U+000A LINE FEED (CRLF) character pair, a single U+000A LINE FEED
    // (LF) character not preceded by a U+000D CARRIAGE RETURN (CR) character, and a single U+000D
    // CARRIAGE RETURN (CR) character not followed by a U+000A LINE FEED (LF) character".
    std::u32string line;
    for (std::size_t k = 0; k < text.size(); ++k) {
      const char32_t c = text[k];
      if (c == U'\r' && mutation != Mutation::lone_cr_not_a_line_end) {
        if (k + 1 < text.size() && text[k + 1] == U'\n') ++k;
        process_line(line);
        line.clear();
      } else if (c == U'\r' && k + 1 < text.size() && text[k + 1] == U'\n') {
        ++k;
        process_line(line);
        line.clear();
      } else if (c == U'\n') {
        process_line(line);
        line.clear();
      } else {
        line.push_back(c);
      }
    }
    // "Once the end of the file is reached, any pending data must be discarded": `line` (an
    // unterminated last line) is never processed, and the buffers are left undispatched.
  }

  void process_line(const std::u32string& line) {
    if (line.empty()) {
      dispatch();
    } else if (line[0] == U':') {
      log.push_back("comment " + encode_utf8(line.substr(1)));
    } else if (const std::size_t colon = line.find(U':'); colon != std::u32string::npos) {
      const std::u32string field = line.substr(0, colon);
      std::u32string value = line.substr(colon + 1);
      if (!value.empty() && value[0] == U' ') value.erase(0, 1);
      if (mutation == Mutation::strip_two_spaces && !value.empty() && value[0] == U' ') value.erase(0, 1);
      process_field(field, value);
    } else {
      process_field(line, U"");
    }
  }

  void process_field(const std::u32string& field, const std::u32string& value) {
    log.push_back("field " + encode_utf8(field) + "=" + encode_utf8(value));
    if (field == U"event") {
      event_type_buffer = value;
    } else if (field == U"data") {
      data_buffer += value;
      data_buffer += U'\n';
    } else if (field == U"id") {
      if (value.find(U'\0') == std::u32string::npos) last_event_id_buffer = value;
    } else if (field == U"retry") {
      // "If the field value consists of only ASCII digits". The parser ignores an empty value
      // and one beyond 64 bits (documented choices); the model does the same.
      bool digits = !value.empty();
      std::uint64_t ms = 0;
      for (const char32_t c : value) {
        if (c < U'0' || c > U'9' || ms > (UINT64_MAX - (c - U'0')) / 10) {
          digits = false;
          break;
        }
        ms = ms * 10 + (c - U'0');
      }
      if (digits) log.push_back("retry " + std::to_string(ms));
    }
  }

  void dispatch() {
    // 1. "Set the last event ID string of the event source to the value of the last event ID buffer."
    if (mutation != Mutation::id_set_only_with_data) last_event_id_string = last_event_id_buffer;
    // 2. "If the data buffer is an empty string, set the data buffer and the event type buffer
    //    to the empty string and return."
    if (data_buffer.empty()) {
      data_buffer.clear();
      if (mutation != Mutation::keep_type) event_type_buffer.clear();
      return;
    }
    if (mutation == Mutation::id_set_only_with_data) last_event_id_string = last_event_id_buffer;
    // 3. "If the data buffer's last character is a U+000A LINE FEED (LF) character, then remove
    //    the last character from the data buffer."
    std::u32string data = data_buffer;
    if (data.back() == U'\n') data.pop_back();
    // 5-6. type "message" unless the event type buffer is not empty.
    const std::u32string type = event_type_buffer.empty() ? U"message" : event_type_buffer;
    log.push_back("event type=" + encode_utf8(type) + " data=" + encode_utf8(data) +
                  " id=" + encode_utf8(last_event_id_string));
    // 7. "Set the data buffer and the event type buffer to the empty string."
    data_buffer.clear();
    if (mutation != Mutation::keep_type) event_type_buffer.clear();
  }
};

Log model_log(std::string_view stream, Mutation mutation = Mutation::none) {
  SpecModel model;
  model.mutation = mutation;
  model.parse(stream);
  model.log.push_back("last-event-id " + encode_utf8(model.last_event_id_string));
  return model.log;
}

// ---------------------------------------------------------------------------------------------
// Running the real parser.

struct Recorder : EventSink {
  Parser* parser = nullptr;
  std::size_t pause_at = SIZE_MAX;  // pause() once the log holds this many entries
  bool with_decode_errors = true;
  Log log;

  void record(std::string entry) {
    log.push_back(std::move(entry));
    if (log.size() == pause_at) parser->pause();
  }
  void on_event(const Event& e) override {
    record("event type=" + std::string(e.type) + " data=" + std::string(e.data) + " id=" + std::string(e.last_event_id));
  }
  void on_retry(std::uint64_t ms) override { record("retry " + std::to_string(ms)); }
  void on_comment(std::string_view text) override { record("comment " + std::string(text)); }
  void on_field(std::string_view name, std::string_view value) override {
    record("field " + std::string(name) + "=" + std::string(value));
  }
  void on_decode_error() override {
    if (with_decode_errors) record("decode-error");
  }
};

struct RunOptions {
  Limits limits;
  std::size_t pause_at = SIZE_MAX;
  bool with_decode_errors = true;  // the model does not report decode errors
  bool with_status = true;
};

// Feeds the stream in the given pieces (sizes summing to the stream size), each from its own
// exactly-sized heap buffer released after feed(), so a sanitizer build sees a kept view.
Log parser_log(std::string_view stream, const std::vector<std::size_t>& pieces, const RunOptions& options) {
  Parser parser(options.limits);
  Recorder sink;
  sink.parser = &parser;
  sink.pause_at = options.pause_at;
  sink.with_decode_errors = options.with_decode_errors;
  std::size_t at = 0;
  for (const std::size_t n : pieces) {
    std::unique_ptr<char[]> copy(new char[std::max<std::size_t>(n, 1)]);
    std::copy_n(stream.data() + at, n, copy.get());
    parser.feed(std::string_view(copy.get(), n), sink);
    at += n;
  }
  if (options.with_status) sink.log.push_back(std::string("status ") + to_string(parser.status()));
  parser.finish();
  sink.log.push_back("last-event-id " + parser.last_event_id());
  return sink.log;
}

// ---------------------------------------------------------------------------------------------
// The generator.

// Fragments of the grammar, and bytes that trip parsers: BOMs, split and invalid UTF-8, NUL.
const std::vector<std::string>& fragments() {
  static const std::vector<std::string> all = {
      "data", "data", "data", "id", "id", "event", "retry", "Data", "dat", "ids", ":", ":", ":",
      " ", " ", "  ", "\r", "\n", "\n", "\n", "\r\n", "\r\n", "\n\n", "\r\r", "\xEF\xBB\xBF",
      "\xEF\xBB", "\xBF", "\xE2\x82", "\xAC", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xF0\x9F",
      "\xED\xA0\x80", "\xC0\xAF", "\xFF", "\xFE", "\x80", std::string(1, '\0'), "0", "1", "7",
      "42", "18446744073709551615", "18446744073709551616", "a", "b", "x", "message", "\t", "-"};
  return all;
}

// Mostly lines shaped like the grammar (a name, maybe a colon and spaces, a value, a line end;
// often blank lines), sometimes raw fragments, so the bytes between the tokens vary too.
std::string generate_stream(std::mt19937& rng, std::size_t max_lines) {
  static const std::vector<std::string> names = {"data", "data", "data", "id", "id", "event", "retry",
                                                 "", "Data", "dat", "\xEF\xBB\xBF", "x"};
  static const std::vector<std::string> ends = {"\n", "\n", "\r\n", "\r"};
  const auto pick = [&rng](const std::vector<std::string>& from) { return from[rng() % from.size()]; };
  std::string stream;
  if (rng() % 4 == 0) stream += "\xEF\xBB\xBF";
  const std::size_t lines = rng() % (max_lines + 1);
  for (std::size_t i = 0; i < lines; ++i) {
    const unsigned shape = rng() % 10;
    if (shape < 3) {
      stream += pick(ends);  // a blank line: dispatch
      continue;
    }
    if (shape == 3) {
      for (unsigned k = rng() % 4; k > 0; --k) stream += pick(fragments());  // anything
      continue;
    }
    stream += pick(names);
    if (rng() % 5 != 0) {
      stream += ":";
      for (unsigned k = rng() % 3; k > 0; --k) stream += " ";
    }
    for (unsigned k = rng() % 4; k > 0; --k) stream += pick(fragments());
    if (rng() % 10 != 0) stream += pick(ends);
  }
  return stream;
}

std::vector<std::size_t> whole(std::size_t size) { return {size}; }
std::vector<std::size_t> bytewise(std::size_t size) { return std::vector<std::size_t>(size, 1); }
std::vector<std::size_t> random_pieces(std::mt19937& rng, std::size_t size) {
  std::vector<std::size_t> pieces;
  const std::size_t max_piece = 1 + rng() % 12;
  while (size > 0) {
    const std::size_t n = std::min<std::size_t>(size, rng() % (max_piece + 1));  // 0: an empty slice
    pieces.push_back(n);
    size -= n;
  }
  return pieces;
}

std::string escape(std::string_view bytes) {
  std::string out;
  for (const unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string pieces_text(const std::vector<std::size_t>& pieces) {
  std::string out;
  for (const std::size_t n : pieces) out += (out.empty() ? "" : ",") + std::to_string(n);
  return out;
}

testing::AssertionResult same_log(const char* what, std::string_view stream, const std::vector<std::size_t>& pieces,
                                  const Log& expected, const Log& actual) {
  if (expected == actual) return testing::AssertionSuccess();
  auto failure = testing::AssertionFailure();
  failure << what << " differ\n  stream: \"" << escape(stream) << "\"\n  pieces: " << pieces_text(pieces) << "\n";
  const std::size_t n = std::max(expected.size(), actual.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::string e = i < expected.size() ? escape(expected[i]) : "(none)";
    const std::string a = i < actual.size() ? escape(actual[i]) : "(none)";
    failure << (e == a ? "    " : "  * ") << "expected: " << e << "\n" << (e == a ? "    " : "  * ") << "actual:   " << a << "\n";
  }
  return failure;
}

constexpr std::uint32_t kSeed = 20261125;
constexpr int kStreams = 2000;

// Every stream: whole, one byte at a time and three random chunkings agree with each other,
// and (without the decode-error and status entries the model does not have) with the model.
TEST(ParserPropertyTest, ChunkingsAgreeWithEachOtherAndTheSpecModel) {
  std::mt19937 rng(kSeed);
  for (int n = 0; n < kStreams; ++n) {
    const std::string stream = generate_stream(rng, 16);
    const Log reference = parser_log(stream, whole(stream.size()), {});
    ASSERT_TRUE(same_log("1-byte and whole", stream, bytewise(stream.size()), reference,
                         parser_log(stream, bytewise(stream.size()), {})));
    for (int k = 0; k < 3; ++k) {
      const auto pieces = random_pieces(rng, stream.size());
      ASSERT_TRUE(same_log("chunked and whole", stream, pieces, reference, parser_log(stream, pieces, {})));
    }
    RunOptions for_model;
    for_model.with_decode_errors = false;
    for_model.with_status = false;
    ASSERT_TRUE(same_log("spec model and parser", stream, whole(stream.size()), model_log(stream),
                         parser_log(stream, whole(stream.size()), for_model)));
  }
}

// The generated corpus is strong enough to notice each wrong reading of the spec.
TEST(ParserPropertyTest, ModelCatchesWrongReadings) {
  for (const Mutation mutation : {Mutation::strip_two_spaces, Mutation::keep_bom, Mutation::keep_type,
                                  Mutation::id_set_only_with_data, Mutation::lone_cr_not_a_line_end}) {
    std::mt19937 rng(kSeed);
    RunOptions for_model;
    for_model.with_decode_errors = false;
    for_model.with_status = false;
    int caught = 0;
    for (int n = 0; n < kStreams; ++n) {
      const std::string stream = generate_stream(rng, 16);
      if (model_log(stream, mutation) != parser_log(stream, whole(stream.size()), for_model)) ++caught;
    }
    EXPECT_GT(caught, 0) << "mutation " << static_cast<int>(mutation) << " went unnoticed";
  }
}

// Small limits: the same status, at the same point of the stream, at every chunking.
TEST(ParserPropertyTest, LimitsHitAtTheSamePointAtEveryChunking) {
  std::mt19937 rng(kSeed + 1);
  for (int n = 0; n < kStreams / 2; ++n) {
    const std::string stream = generate_stream(rng, 16);
    RunOptions options;
    options.limits.max_line_bytes = rng() % 40;
    options.limits.max_event_bytes = rng() % 60;
    const Log reference = parser_log(stream, whole(stream.size()), options);
    ASSERT_TRUE(same_log("1-byte and whole", stream, bytewise(stream.size()), reference,
                         parser_log(stream, bytewise(stream.size()), options)));
    const auto pieces = random_pieces(rng, stream.size());
    ASSERT_TRUE(same_log("chunked and whole", stream, pieces, reference, parser_log(stream, pieces, options)));
  }
}

// pause() from a callback: nothing is observed after the entry that paused, at any chunking.
TEST(ParserPropertyTest, PauseStopsAtTheSameObservationAtEveryChunking) {
  std::mt19937 rng(kSeed + 2);
  for (int n = 0; n < kStreams / 2; ++n) {
    const std::string stream = generate_stream(rng, 16);
    RunOptions options;
    options.pause_at = 1 + rng() % 8;
    const Log reference = parser_log(stream, whole(stream.size()), options);
    ASSERT_TRUE(same_log("1-byte and whole", stream, bytewise(stream.size()), reference,
                         parser_log(stream, bytewise(stream.size()), options)));
    const auto pieces = random_pieces(rng, stream.size());
    ASSERT_TRUE(same_log("chunked and whole", stream, pieces, reference, parser_log(stream, pieces, options)));
    // No event after the pausing entry (the log's tail is the status and the last event ID).
    for (std::size_t i = options.pause_at; i + 2 < reference.size(); ++i) {
      ASSERT_NE(reference[i].rfind("event ", 0), 0u) << "event after pause() in \"" << escape(stream) << "\"";
    }
  }
}

// After finish(), a new stream's first event without `id` carries the last event ID string,
// which the model says dispatch step 1 set (also by blank lines with no data).
TEST(ParserPropertyTest, ResetKeepsTheLastEventIdString) {
  std::mt19937 rng(kSeed + 3);
  for (int n = 0; n < kStreams / 4; ++n) {
    const std::string stream = generate_stream(rng, 16);
    const Log model = model_log(stream);
    const std::string expected_id = model.back().substr(std::string("last-event-id ").size());
    Parser parser;
    Recorder sink;
    sink.parser = &parser;
    parser.feed(stream, sink);
    parser.finish();
    ASSERT_EQ(parser.last_event_id(), expected_id) << "stream \"" << escape(stream) << "\"";
    sink.log.clear();
    parser.feed("data: next\n\n", sink);
    ASSERT_EQ(sink.log.back(), "event type=message data=next id=" + expected_id) << "stream \"" << escape(stream) << "\"";
  }
}

}  // namespace
}  // namespace ssespec
