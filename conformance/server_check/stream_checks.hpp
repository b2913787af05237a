// The grammar and field checks of an event stream, shared by `ssespec server` (on a response
// body) and `ssespec lint` (on a captured file). Ids start with "stream/".
#pragma once

#include <string>
#include <vector>

#include "report/result.hpp"
#include "server_check/check_result.hpp"
#include "server_check/stream_inspector.hpp"

namespace ssespec {

struct StreamContext {
  bool peer_ended = false;   // the server closed the response (or the file ended); false: ssespec stopped reading
  double watched_s = 0;      // how long the stream was read (0 for files)
  std::string what = "the stream";  // "the response body", "file.txt"
};

// One stream check as a value: its id, what it checks, the spec text it cites (spec_refs.hpp),
// and a pure verdict function of the inspected stream.
struct StreamCheck {
  const char* id;
  const char* title;
  std::vector<SpecRef> spec;
  CheckOutcome (*judge)(const StreamInspector& stream, const StreamContext& context);
};

// Every stream check, in the order they are reported (stream/encoding/utf-8 first,
// stream/events/summary last).
const std::vector<StreamCheck>& stream_check_table();

// One result per stream check, in the table's order.
std::vector<CaseResult> stream_checks(const StreamInspector& stream, const StreamContext& context);

}  // namespace ssespec
