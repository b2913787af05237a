// Differential fuzz target for ssespec::Parser (libFuzzer, built with -DSSESPEC_FUZZ=ON and clang).
//
// The fuzzer input decides a stream, a chunking, optional small Limits and an optional pause
// point. The stream is parsed twice: fed whole, and fed in those chunks, each chunk from its own
// exactly-sized heap buffer that is freed right after feed() (so ASan reports any view the parser
// keeps past feed()). Both runs must observe exactly the same things (events, retries, comments,
// fields, decode errors, final status, last event ID string), never an event larger than the
// limits allow, and no event after pause(). Any difference aborts with both observation lists.
// Every line-scan kernel the CPU runs must also classify the stream as the portable one does.
//
// Run: cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DSSESPEC_FUZZ=ON -DSSESPEC_BUILD_TESTS=OFF &&
//      cmake --build build-fuzz --target parser_fuzz -j2 && mkdir -p build-fuzz/corpus &&
//      build-fuzz/reference/parser_fuzz -max_total_time=180 -max_len=4096
//        -dict=reference/tests/fuzz/parser_fuzz.dict build-fuzz/corpus
//
// Input layout: [flags][chunk-count][chunk sizes...][stream bytes...]
//   flags bit 0: small limits (max_line_bytes, max_event_bytes from the next two bytes)
//   flags bit 1: pause() at observation number (next byte)
//   flags bit 2: after finish(), feed a follow-up stream to check reset() keeps the last event ID
#include "ssespec/parser.hpp"

#include "line_scan.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Recording : ssespec::EventSink {
  ssespec::Parser* parser = nullptr;
  ssespec::Limits limits;
  std::size_t pause_at = SIZE_MAX;  // pause() when this many observations have been recorded
  bool paused = false;
  std::vector<std::string> log;

  void record(std::string line) {
    log.push_back(std::move(line));
    if (!paused && log.size() == pause_at) {
      paused = true;
      parser->pause();
    }
  }
  void on_event(const ssespec::Event& e) override {
    // "pause(): stop at once, dispatching nothing further from the current slice."
    if (paused) fail("on_event after pause()");
    if (e.data.size() + 1 > limits.max_event_bytes) fail("event data larger than max_event_bytes");
    record("event type=" + std::string(e.type) + " data=" + std::string(e.data) + " id=" + std::string(e.last_event_id));
  }
  void on_retry(std::uint64_t ms) override { record("retry " + std::to_string(ms)); }
  void on_comment(std::string_view text) override { record("comment " + std::string(text)); }
  void on_field(std::string_view name, std::string_view value) override {
    // A decoded line is at most three times its raw bytes (one U+FFFD per invalid byte).
    if (name.size() + value.size() > 3 * limits.max_line_bytes) fail("field longer than max_line_bytes allows");
    record("field " + std::string(name) + "=" + std::string(value));
  }
  void on_decode_error() override { record("decode-error"); }

  [[noreturn]] static void fail(const char* what) {
    std::fprintf(stderr, "parser_fuzz: %s\n", what);
    std::abort();
  }
};

std::string escape(const std::string& s) {
  std::string out;
  for (const unsigned char c : s) {
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

struct Setup {
  ssespec::Limits limits;
  std::size_t pause_at = SIZE_MAX;
  bool follow_up = false;
  std::vector<std::size_t> chunk_sizes;
  std::string_view stream;
};

// Feeds `bytes` from a fresh heap buffer of exactly that size, freed when feed() returns.
ssespec::Status feed_copy(ssespec::Parser& parser, std::string_view bytes, Recording& sink) {
  std::unique_ptr<char[]> copy(new char[bytes.size() + (bytes.empty() ? 1 : 0)]);
  std::copy(bytes.begin(), bytes.end(), copy.get());
  return parser.feed(std::string_view(copy.get(), bytes.size()), sink);
}

Recording run(const Setup& setup, bool chunked) {
  ssespec::Parser parser(setup.limits);
  Recording sink;
  sink.parser = &parser;
  sink.limits = setup.limits;
  sink.pause_at = setup.pause_at;
  std::string_view rest = setup.stream;
  if (!chunked || setup.chunk_sizes.empty()) {
    feed_copy(parser, rest, sink);
  } else {
    for (std::size_t i = 0; !rest.empty(); ++i) {
      const std::size_t n = std::min(rest.size(), setup.chunk_sizes[i % setup.chunk_sizes.size()]);
      feed_copy(parser, rest.substr(0, n), sink);  // n == 0 feeds an empty slice
      rest.remove_prefix(n);
      if (i > 4 * setup.stream.size() + 16) break;  // only zero-size chunks left: bounded
    }
    if (!rest.empty()) feed_copy(parser, rest, sink);
  }
  sink.log.push_back(std::string("status ") + ssespec::to_string(parser.status()));
  parser.finish();
  sink.log.push_back("last-event-id " + parser.last_event_id());
  if (setup.follow_up && !sink.paused) {
    // reset() keeps the last event ID string and seeds the new stream's buffer with it.
    const std::string expected_id = parser.last_event_id();
    const std::size_t before = sink.log.size();
    feed_copy(parser, "data: next\n\n", sink);
    if (sink.log.size() == before + 2 && sink.log.back() != "event type=message data=next id=" + expected_id) {
      Recording::fail("reset() did not keep the last event ID string");
    }
  }
  return sink;
}

// Every line-scan kernel this CPU runs (SSE2, AVX2) must classify the stream as the portable
// loop does: the parser runs only the fastest one, so the others are checked here.
void check_kernels(std::string_view stream) {
  using namespace ssespec::line_scan;
  const std::size_t blocks = (stream.size() + 63) / 64;
  std::string padded(stream);
  padded.resize(blocks * 64, '\0');
  NamedKernel kernels[4];
  const std::size_t count = available_kernels(kernels, 4);
  std::vector<std::uint64_t> want_ends(blocks), want_high(blocks), ends(blocks), high(blocks);
  kernels[0].kernel(padded.data(), blocks, Masks{want_ends.data(), want_high.data()});
  for (std::size_t k = 1; k < count; ++k) {
    kernels[k].kernel(padded.data(), blocks, Masks{ends.data(), high.data()});
    if (ends != want_ends || high != want_high) {
      std::fprintf(stderr, "parser_fuzz: the %s line-scan kernel differs from the portable one\n", kernels[k].name);
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto take = [&in]() -> std::uint8_t {
    if (in.empty()) return 0;
    const auto b = static_cast<std::uint8_t>(in.front());
    in.remove_prefix(1);
    return b;
  };
  Setup setup;
  const std::uint8_t flags = take();
  if (flags & 1u) {
    setup.limits.max_line_bytes = take() % 64;
    setup.limits.max_event_bytes = take() % 128;
  }
  if (flags & 2u) setup.pause_at = 1 + take() % 32;
  setup.follow_up = (flags & 4u) != 0;
  const std::size_t chunk_count = take() % 8;
  for (std::size_t i = 0; i < chunk_count; ++i) setup.chunk_sizes.push_back(take() % 24);
  setup.stream = in;

  check_kernels(setup.stream);
  const Recording whole = run(setup, false);
  const Recording chunked = run(setup, true);
  if (whole.log != chunked.log) {
    std::fprintf(stderr, "parser_fuzz: whole and chunked feeding differ\nstream: %s\nchunks:",
                 escape(std::string(setup.stream)).c_str());
    for (const std::size_t n : setup.chunk_sizes) std::fprintf(stderr, " %zu", n);
    std::fprintf(stderr, "\n--- whole\n");
    for (const auto& line : whole.log) std::fprintf(stderr, "%s\n", escape(line).c_str());
    std::fprintf(stderr, "--- chunked\n");
    for (const auto& line : chunked.log) std::fprintf(stderr, "%s\n", escape(line).c_str());
    std::abort();
  }
  return 0;
}
