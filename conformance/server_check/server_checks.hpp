// `ssespec server URL`: the checks of a live SSE endpoint, each a small function that turns
// what a bounded probe saw into a CaseResult citing the spec text it enforces.
//   FAIL: clients will misbehave (a MUST, or a stream no client can use)
//   WARN: an interoperability risk (a SHOULD or a common pitfall)
//   INFO: a note; never fails a run
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "report/result.hpp"
#include "server_check/http_probe.hpp"

namespace ssespec {

struct ServerCheckOptions {
  std::string url;
  HeaderList headers;                 // --header K:V, sent on every request
  double timeout_s = 10;              // per probe
  std::uint64_t events = 3;           // the main probe stops after this many events
  double idle_s = 0;                  // > 0: watch for a keep-alive at least every idle_s seconds
  bool resume = false;                // the server claims to resume after Last-Event-ID
  std::uint64_t max_bytes = 4u << 20; // per probe
  int clients = 20;                   // abrupt clients in the robustness check
  std::string cacert;                 // https: --cacert FILE
  bool insecure = false;              // https: --insecure
};

// Runs every check, calling `on_result` as each finishes, and returns them all in order.
// Throws CouldNotRun if the target cannot be reached at all.
std::vector<CaseResult> run_server_checks(const ServerCheckOptions& options,
                                          const std::function<void(const CaseResult&)>& on_result = {});

// "text/event-stream; charset=UTF-8" -> essence "text/event-stream", charset "utf-8" (lowercase).
struct MediaTypeParts {
  std::string essence;
  std::string charset;  // empty if none
};
MediaTypeParts parse_content_type(const std::string& value);

}  // namespace ssespec
