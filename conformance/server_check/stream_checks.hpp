// The grammar and field checks of an event stream, shared by `ssespec server` (on a response
// body) and `ssespec lint` (on a captured file). Ids start with "stream/".
#pragma once

#include <string>
#include <vector>

#include "report/result.hpp"
#include "server_check/stream_inspector.hpp"

namespace ssespec {

struct StreamContext {
  bool peer_ended = false;   // the server closed the response (or the file ended); false: ssespec stopped reading
  double watched_s = 0;      // how long the stream was read (0 for files)
  std::string what = "the stream";  // "the response body", "file.txt"
};

// One result per stream check, in a fixed order:
//   stream/encoding/utf-8, stream/grammar/event-terminated, stream/grammar/bom-position,
//   stream/fields/unknown-name, stream/fields/data-continuation, stream/fields/id-null, stream/fields/retry-digits,
//   stream/fields/extra-space, stream/limits/line-length, stream/events/summary.
std::vector<CaseResult> stream_checks(const StreamInspector& stream, const StreamContext& context);

}  // namespace ssespec
