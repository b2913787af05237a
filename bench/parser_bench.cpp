// Reference parser throughput on large generated streams, one core, fed in 64 KiB slices as a
// socket read would deliver them. Reports bytes/s and events/s per stream kind, and beside each
// the rate of memchr splitting the same slices into lines (one call per LF): the floor of any
// line parser's work.
//   build/bench/parser_bench [--benchmark_filter=typical]
//   build/bench/parser_bench --dump_streams=DIR     writes DIR/<kind>.sse and exits
// (bench/parser_vs_peer.sh feeds the dumped streams to eventsource-parser.)
#include <benchmark/benchmark.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>

#include "ssespec/parser.hpp"

namespace {

constexpr std::size_t kStreamBytes = 100'000'000;  // at least; whole events only
constexpr std::size_t kSlice = 64u << 10;

struct CountingSink final : ssespec::EventSink {
  std::uint64_t events = 0;
  std::uint64_t data_bytes = 0;
  void on_event(const ssespec::Event& e) override {
    ++events;
    data_bytes += e.data.size();
  }
};

// Repeats `make_event(i)` for i = 0, 1, ... until the stream holds kStreamBytes.
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

struct StreamKind {
  const char* name;
  const std::string& (*stream)();
};
constexpr StreamKind kKinds[] = {
    {"typical", typical}, {"tiny", tiny}, {"megabyte_lines", megabyte_lines}, {"crlf", crlf}, {"non_ascii", non_ascii},
};

void parse(benchmark::State& state, const std::string& stream, std::size_t slice) {
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

// memchr finding every LF of each slice, nothing else: what a parser's line scan cannot beat.
void scan_with_memchr(benchmark::State& state, const std::string& stream) {
  for (auto _ : state) {
    std::uint64_t lines = 0;
    for (std::size_t at = 0; at < stream.size(); at += kSlice) {
      const char* p = stream.data() + at;
      const char* const end = p + std::min(kSlice, stream.size() - at);
      while (const void* lf = std::memchr(p, '\n', static_cast<std::size_t>(end - p))) {
        ++lines;
        p = static_cast<const char*>(lf) + 1;
      }
    }
    benchmark::DoNotOptimize(lines);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * stream.size()));
}

int dump_streams(const std::string& dir) {
  for (const StreamKind& kind : kKinds) {
    const std::string path = dir + "/" + kind.name + ".sse";
    std::ofstream out(path, std::ios::binary);
    out.write(kind.stream().data(), static_cast<std::streamsize>(kind.stream().size()));
    if (!out) {
      std::cerr << "parser_bench: cannot write " << path << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  constexpr std::string_view kDump = "--dump_streams=";
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]).substr(0, kDump.size()) == kDump) return dump_streams(argv[i] + kDump.size());
  }
  for (const StreamKind& kind : kKinds) {
    benchmark::RegisterBenchmark((std::string("parse/") + kind.name).c_str(),
                                 [&kind](benchmark::State& state) { parse(state, kind.stream(), kSlice); })
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((std::string("memchr/") + kind.name).c_str(),
                                 [&kind](benchmark::State& state) { scan_with_memchr(state, kind.stream()); })
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("parse/megabyte_lines_whole_buffer",
                               [](benchmark::State& state) { parse(state, megabyte_lines(), SIZE_MAX); })
      ->Unit(benchmark::kMillisecond);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
