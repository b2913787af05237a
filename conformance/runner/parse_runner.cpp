#include "parse_runner.hpp"

#include <memory>

#include "observation_json.hpp"

namespace ssespec {
namespace {

constexpr std::size_t kFixedSizes[] = {1, 2, 3, 5, 7, 64};
constexpr std::size_t kMaxScanBytes = 4096;  // beyond this, every-offset splitting is quadratic

std::vector<std::string> fixed_pieces(const std::string& stream, std::size_t size) {
  std::vector<std::string> pieces;
  for (std::size_t at = 0; at < stream.size(); at += size) pieces.push_back(stream.substr(at, size));
  return pieces;
}

struct Collector final : EventSink {
  std::vector<Observation> seen;
  void on_event(const Event& e) override {
    seen.push_back({Observation::Kind::event, std::string(e.type), std::string(e.data),
                    std::string(e.last_event_id), 0});
  }
  void on_retry(std::uint64_t ms) override { seen.push_back({Observation::Kind::retry, {}, {}, {}, ms}); }
};

}  // namespace

std::vector<Chunking> chunkings_for(const ParseCase& c) {
  const std::string stream = c.stream();
  std::vector<Chunking> out;
  out.push_back({"given", c.chunks});
  out.push_back({"whole", {stream}});
  for (const std::size_t size : kFixedSizes) {
    if (size < stream.size()) out.push_back({std::to_string(size) + "-byte", fixed_pieces(stream, size)});
  }
  if (!c.no_scan && stream.size() <= kMaxScanBytes) {
    for (std::size_t at = 1; at < stream.size(); ++at) {
      out.push_back({"split@" + std::to_string(at), {stream.substr(0, at), stream.substr(at)}});
    }
  }
  return out;
}

std::vector<Observation> parse_pieces(const std::vector<std::string>& pieces, Limits limits) {
  Parser parser(limits);
  Collector sink;
  for (const std::string& piece : pieces) {
    std::unique_ptr<char[]> exact(new char[piece.size()]);
    std::copy(piece.begin(), piece.end(), exact.get());
    if (parser.feed(std::string_view(exact.get(), piece.size()), sink) != Status::ok) break;
  }
  parser.finish();
  return std::move(sink.seen);
}

ParseVerdict run_parse_case(const ParseCase& c) {
  for (const Chunking& chunking : chunkings_for(c)) {
    const std::vector<Observation> seen = parse_pieces(chunking.pieces);
    if (seen != c.expect) return {false, chunking.name, diff_observations(c.expect, seen)};
  }
  return {};
}

}  // namespace ssespec
