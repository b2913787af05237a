// Reference parser throughput on large generated streams, one core, fed in 64 KiB slices as a
// socket read would deliver them. Reports bytes/s and events/s.
//   build/bench/parser_bench [--benchmark_filter=Typical]
#include <benchmark/benchmark.h>

#include <string>

#include "ssespec/parser.hpp"

namespace {

constexpr std::size_t kStreamBytes = 64u << 20;
constexpr std::size_t kSlice = 64u << 10;

struct CountingSink final : ssespec::EventSink {
  std::uint64_t events = 0;
  std::uint64_t data_bytes = 0;
  void on_event(const ssespec::Event& e) override {
    ++events;
    data_bytes += e.data.size();
  }
};

// Repeats `event` up to about kStreamBytes; `event(i)` makes the i-th event.
template <typename MakeEvent>
std::string generate(MakeEvent make_event) {
  std::string stream;
  stream.reserve(kStreamBytes + (2u << 20));
  for (std::size_t i = 0; stream.size() < kStreamBytes; ++i) stream += make_event(i);
  return stream;
}

std::string json_payload(std::size_t i) {
  // ~150 bytes of typical JSON.
  return R"({"id":)" + std::to_string(i) +
         R"(,"user":"alice","action":"update","resource":"/api/v1/orders/8812","status":"shipped",)"
         R"("ts":"2026-11-25T07:00:00.000Z","tags":["a","b"]})";
}

void run(benchmark::State& state, const std::string& stream, std::size_t slice) {
  std::uint64_t events = 0;
  for (auto _ : state) {
    ssespec::Parser parser;
    CountingSink sink;
    for (std::size_t at = 0; at < stream.size(); at += slice) {
      parser.feed(std::string_view(stream).substr(at, slice), sink);
    }
    parser.finish();
    events += sink.events;
    benchmark::DoNotOptimize(sink.data_bytes);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * stream.size()));
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}

const std::string& typical() {
  static const std::string s = generate([](std::size_t i) {
    return "id: " + std::to_string(i) + "\nevent: order-update\ndata: " + json_payload(i) + "\n\n";
  });
  return s;
}
const std::string& tiny() {
  static const std::string s = generate([](std::size_t) { return std::string("data: x\n\n"); });
  return s;
}
const std::string& megabyte_lines() {
  static const std::string s = generate([](std::size_t) { return "data: " + std::string(1u << 20, 'x') + "\n\n"; });
  return s;
}
const std::string& crlf() {
  static const std::string s = generate([](std::size_t i) {
    return "id: " + std::to_string(i) + "\r\nevent: order-update\r\ndata: " + json_payload(i) + "\r\n\r\n";
  });
  return s;
}
const std::string& non_ascii() {
  static const std::string s = generate([](std::size_t i) {
    return "id: " + std::to_string(i) + "\ndata: {\"name\":\"Zo\xC3\xAB\",\"city\":\"K\xC3\xB8" "benhavn\",\"note\":\"\xE2\x9C\x93 "
           "\xE6\x9D\xB1\xE4\xBA\xAC \xF0\x9F\x9A\x80\"}\n\n";
  });
  return s;
}

void BM_Typical(benchmark::State& state) { run(state, typical(), kSlice); }
void BM_Tiny(benchmark::State& state) { run(state, tiny(), kSlice); }
void BM_MegabyteLines(benchmark::State& state) { run(state, megabyte_lines(), kSlice); }
void BM_MegabyteLinesWholeBuffer(benchmark::State& state) { run(state, megabyte_lines(), kStreamBytes * 2); }
void BM_Crlf(benchmark::State& state) { run(state, crlf(), kSlice); }
void BM_NonAsciiUtf8(benchmark::State& state) { run(state, non_ascii(), kSlice); }

}  // namespace

BENCHMARK(BM_Typical)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Tiny)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MegabyteLines)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MegabyteLinesWholeBuffer)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Crlf)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NonAsciiUtf8)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
