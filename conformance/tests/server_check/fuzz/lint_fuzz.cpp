// libFuzzer target for `ssespec lint`'s inspector: the input is a stream, fed to a
// StreamInspector whole and in pieces (sized by the first byte); both must tally the same, and
// the stream checks must judge it without crashing, whatever the bytes. Small parser limits
// (from the second byte) reach the limit paths too.
//
// Built with -DSSESPEC_FUZZ=ON and clang (conformance/tests/server_check/fuzz/run_fuzz.sh).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "server_check/stream_checks.hpp"
#include "server_check/stream_inspector.hpp"

namespace {

struct Tally {
  std::uint64_t events, comments, field_lines, data_lines, ids, decode_errors;
  ssespec::Status status;
  bool ended_mid_event;
  bool operator==(const Tally& o) const {
    return events == o.events && comments == o.comments && field_lines == o.field_lines && data_lines == o.data_lines &&
           ids == o.ids && decode_errors == o.decode_errors && status == o.status && ended_mid_event == o.ended_mid_event;
  }
};

Tally inspect(std::string_view stream, std::size_t piece, const ssespec::Limits& limits) {
  ssespec::StreamInspector inspector(limits, 64);
  for (std::size_t at = 0; at < stream.size(); at += piece) inspector.feed(stream.substr(at, piece), static_cast<double>(at));
  inspector.end_of_stream(1);
  ssespec::StreamContext context;
  context.peer_ended = true;
  const auto results = ssespec::stream_checks(inspector, context);
  if (results.empty()) std::abort();
  for (const auto& event : inspector.kept_events()) {
    if (event.type.size() > ssespec::InspectedEvent::kKeptBytes || event.last_event_id.size() > ssespec::InspectedEvent::kKeptBytes) {
      std::abort();  // kept records must stay bounded
    }
  }
  return {inspector.events(), inspector.comments(), inspector.field_lines(), inspector.data_lines(), inspector.ids_sent(),
          inspector.decode_errors().count, inspector.status(), inspector.ended_mid_event()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t piece = data[0] % 17 + 1;
  ssespec::Limits limits;
  if (data[1] & 1) {
    limits.max_line_bytes = data[1] / 2 + 1;
    limits.max_event_bytes = data[1] + 1;
  }
  const std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);
  const Tally whole = inspect(stream, stream.size() + 1, limits);
  const Tally split = inspect(stream, piece, limits);
  if (!(whole == split)) {
    std::fprintf(stderr, "whole and %zu-byte pieces differ: events %llu/%llu\n", piece,
                 static_cast<unsigned long long>(whole.events), static_cast<unsigned long long>(split.events));
    std::abort();
  }
  return 0;
}
