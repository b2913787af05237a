// `ssespec server URL`: the checks of a live SSE endpoint, declared once each in a table (as
// h2spec's spec.TestCase): an id, what it checks, the spec text it cites and a pure verdict
// function from what the bounded probes observed to a CheckOutcome. Which probes run when, and
// the run's deadline, are server_schedule.hpp's.
//   FAIL: clients will misbehave (a MUST, or a stream no client can use)
//   WARN: an interoperability risk (a SHOULD or a common pitfall)
//   INFO: a note; never fails a run
//   SKIP: not judged (nothing to judge, or its probe did not fit in the run's deadline)
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "report/result.hpp"
#include "server_check/check_result.hpp"
#include "server_check/h2/h2_probe.hpp"
#include "server_check/http_probe.hpp"
#include "server_check/stream_inspector.hpp"

namespace ssespec {

struct ServerCheckOptions {
  std::string url;
  HeaderList headers;                 // --header K:V, sent on every request
  double timeout_s = 10;              // per probe
  std::uint64_t events = 3;           // the reconnect probe reads up to this many events for one with an id
  double idle_s = 0;                  // > 0: watch for a keep-alive at least every idle_s seconds
  bool resume = false;                // the server claims to resume after Last-Event-ID
  std::uint64_t max_bytes = 4u << 20; // per probe
  int clients = 20;                   // abrupt clients in the robustness check
  std::string cacert;                 // https: --cacert FILE
  bool insecure = false;              // https: --insecure
  std::vector<std::string> filters;   // --filter GLOB: only the checks whose id matches one
  std::vector<std::string> excludes;  // --exclude GLOB: leave these out (wins over filters)
  Protocol protocol = Protocol::http1_1;  // every probe of the run speaks this (h2/h2_checks.hpp)
};

// Runs every selected check, calling `on_result` as each finishes, and returns them all in
// table order. A probe runs only if a selected check reads it. Throws CouldNotRun if the
// target cannot be reached at all. Defined in server_schedule.cpp.
std::vector<CaseResult> run_server_checks(const ServerCheckOptions& options,
                                          const std::function<void(const CaseResult&)>& on_result = {});

// ---- The checks as values ------------------------------------------------------------------

// One bounded probe and the stream it read.
struct Observed {
  ProbeResult probe;
  StreamInspector stream;
  double watched_s() const { return probe.got_response() ? probe.ended_at - probe.response_at : 0; }
};

// The robustness probe: `connected` of `wanted` clients connected and vanished, then `fresh`
// connected (reading its body only when `expect_event`).
struct AbruptObservation {
  int wanted = 0;
  int connected = 0;
  bool expect_event = false;
  Observed fresh;
};

// Everything one run observed. A probe that did not run is empty: not wanted (no --idle, no
// event id to reconnect with) or not reached (the schedule then judges the check not reached).
struct ServerObservations {
  ServerCheckOptions options;
  Observed main;                         // the head, then the body until it ends or --timeout
  std::optional<Observed> browser_like;  // Accept-Encoding as browsers send it, until the first event
  std::optional<Observed> idle;          // with --idle: 1.5 x --idle of silence watched
  std::optional<Observed> reconnect;     // Last-Event-ID: main's last event id
  std::optional<ProbeResult> bogus;      // Last-Event-ID the server never issued, head only
  std::optional<AbruptObservation> abrupt;
  // HTTP/2 only (h2/h2_checks.hpp): the main probe on a second connection, to time its ending;
  // several streams on one connection; the flow-control window withheld, then granted.
  std::optional<ProbeResult> h2_second;
  std::optional<h2::StreamsObservation> h2_streams;
  std::optional<h2::FlowObservation> h2_flow;
};

// The Last-Event-ID of the bogus probe: what a client sends after the server restarted or forgot.
inline constexpr const char* kBogusLastEventId = "ssespec-unknown-id-7f3a9c";

// The probes of a run, in the order they run.
enum class ProbeKind { main, browser_like, idle, reconnect, bogus, abrupt, h2_second, h2_streams, h2_flow };

// When a check is judged at all: a server that sends no head gets only server/http/response;
// a body clients never interpret (not a 200 text/event-stream) gets no stream or later checks.
enum class JudgedAfter { request, head, event_stream };

struct ServerCheck {
  const char* id;
  const char* title;
  std::vector<SpecRef> spec;  // what it cites unless its outcome names other text
  JudgedAfter judged_after;
  ProbeKind probe;  // the probe it judges; run when the check comes up, and when not reached, the check is not judged
  std::optional<ProbeKind> also_reads;  // another probe it reads when that one ran
  std::function<CheckOutcome(const ServerObservations&)> judge;
};

// Every check of `ssespec server`, the stream/* checks among them, in the order they are
// reported.
const std::vector<ServerCheck>& server_check_table();

// The body is interpreted (so the stream and later checks run) only after a 200 with the
// text/event-stream type: clients fail the connection on anything else.
bool status_is_200(const ProbeResult& main);
bool body_is_interpreted(const ServerObservations& observed);

}  // namespace ssespec
