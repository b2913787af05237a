// THE grading of a client case: an observed trace and the servers' request logs against what
// the case expects. `ssespec client` (client_runner.cpp, one adapter, one server) and
// `ssespec browser` (browser_runner.cpp, a page, two servers) both grade through grade_case();
// what only a browser can check (constructor exception, attributes) comes in as ExtraCheck.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "report/result.hpp"
#include "runner/client_fixture.hpp"
#include "server/reference_server.hpp"

namespace ssespec {

// An entry as reports show it: the adapter protocol's JSON, with large strings as length, hash
// and excerpts (report/payload.hpp).
std::string entry_text(TraceEntry entry);

// One expected trace entry. Where a rule leaves the browser a choice (the spec's "may"), an
// error entry may allow several ready states.
struct ExpectedEntry {
  TraceEntry entry;
  std::vector<int> ready_states;      // error/closed: any of these
  std::optional<std::string> origin;  // message: MessageEvent.origin (placeholders expanded)

  bool matches(const TraceEntry& observed, const std::optional<std::string>& observed_origin) const;
  std::string to_text() const;
};

// A client case's trace as expected entries (each error/closed entry: exactly its ready state).
std::vector<ExpectedEntry> expected_entries(const std::vector<TraceEntry>& trace);

// What one case expects, ready to grade (placeholders already expanded).
struct CaseExpectations {
  struct Connection {
    std::size_t log = 0;  // the request log (server) that plays it: its requests answer it in order
    std::optional<ExpectedRequest> request;
    std::optional<std::string> method;
  };
  std::vector<ExpectedEntry> trace;
  std::vector<Connection> connections;
  int min_requests = 0;
  std::optional<int> max_requests;
};
// A client case (one server): connection i is answered by request i.
CaseExpectations expectations_of(const ClientCase& c);

// One server's request log for the case.
struct RequestLog {
  std::string label;  // "" if there is one server; else e.g. "page-origin"
  std::vector<server::RecordedRequest> requests;
};

// What one run of a case saw.
struct CaseObservation {
  std::vector<TraceEntry> trace;
  std::vector<std::optional<std::string>> origins;  // MessageEvent.origin per entry, where recorded
  // Why the trace ended early or badly, in the runner's words (a timeout, an adapter that
  // exited, a line outside the protocol); "" if it ended normally.
  std::string stopped;
  std::vector<RequestLog> logs;  // one per server
};

// A check a runner adds around the trace: its lines for the expected and observed texts, and
// the problem it found ("" if none).
struct ExtraCheck {
  std::string expected;
  std::string observed;
  std::string problem;
};

struct Grade {
  Verdict verdict = Verdict::pass;
  std::string message;  // the first problem, "" on pass
  std::string expected;
  std::string observed;
};

// The first problem of observed entry #k+1 against the expected trace ("" if it matches):
// runners call it as entries arrive, to stop at once on a wrong one.
std::string trace_entry_problem(const std::vector<ExpectedEntry>& expected, std::size_t k, const TraceEntry& observed,
                                const std::optional<std::string>& origin);

// Grades in this order: `before` (e.g. the constructor), the trace entry by entry, why the
// trace stopped (or "missing trace entry"), `after` (e.g. attributes), then the request log.
Grade grade_case(const CaseExpectations& expected, const CaseObservation& observed, const ExtraCheck& before = {},
                 const ExtraCheck& after = {});

// Why a case does not run: strict without --strict, or a capability not declared ("" if it
// runs). `declarer` names who declares capabilities, e.g. "the adapter".
std::string skip_reason(const ClientCase& c, bool strict, const std::set<std::string>& capabilities,
                        const std::string& declarer);

}  // namespace ssespec
