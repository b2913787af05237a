#include "runner/grader.hpp"

#include <Poco/JSON/Object.h>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <tuple>

#include "report/payload.hpp"

namespace ssespec {
namespace {

using server::RecordedRequest;

std::string json_string(const std::string& s) {
  Poco::JSON::Object o;
  o.set("s", s);
  std::ostringstream out;
  o.stringify(out);
  const std::string text = out.str();
  return text.substr(5, text.size() - 6);  // {"s":...}
}

std::string observed_text(const TraceEntry& e, const std::optional<std::string>& origin) {
  if (!origin) return entry_text(e);
  ExpectedEntry shown;
  shown.entry = e;
  shown.origin = origin;
  return shown.to_text();
}

// Reconnection delays are measured on the server, from the moment it ended the previous
// connection to the arrival of the next request. A correct client can only add to that (its
// timer starts when it sees the end, and a busy machine delays everything), so the lower bound
// is strict: 5 ms covers timer rounding and the server's timestamp being taken just after the
// close it measures. The upper bound is generous (+50 %, at least +500 ms): scheduling on a
// saturated machine stretches delays, never shortens them. See conformance/ADAPTERS.md.
constexpr double kEarlyMs = 5;
double late_tolerance(int ms) { return std::max(500.0, 0.5 * ms); }

// "request 2: GET /s/x, Accept: text/event-stream, Cache-Control absent, ..., at 512 ms";
// Origin and Cookie only when sent. With several servers the line starts with the server's label.
std::string describe_request(const RecordedRequest& r, const std::string& label) {
  std::string out = (label.empty() ? "" : label + " ") + "request " + std::to_string(r.connection) + ": " + r.method + " " + r.path;
  for (const char* name : {"Accept", "Cache-Control", "Last-Event-ID"}) {
    const std::string* v = r.header(name);
    out += std::string(", ") + name + (v ? ": " + *v : " absent");
  }
  for (const char* name : {"Origin", "Cookie"}) {
    if (const std::string* v = r.header(name)) out += std::string(", ") + name + ": " + *v;
  }
  char at[64];
  std::snprintf(at, sizeof at, ", at %.0f ms", r.at_ms);
  return out + at;
}

// The request logs against the case: counts first, then each connection against the next
// request on the server that plays it. Returns the first problem, or "".
std::string check_requests(const CaseExpectations& c, const std::vector<RequestLog>& logs) {
  const bool several = logs.size() > 1;
  int n = 0;
  for (const RequestLog& log : logs) n += static_cast<int>(log.requests.size());
  const std::string received = several ? " request(s), the servers received " : " request(s), the server received ";
  if (n < c.min_requests) return "expected at least " + std::to_string(c.min_requests) + received + std::to_string(n);
  if (c.max_requests && n > *c.max_requests) {
    return "expected at most " + std::to_string(*c.max_requests) + received + std::to_string(n) +
           (several ? " (a request that must not happen)" : " (a reconnection that must not happen)");
  }
  std::vector<std::size_t> next(logs.size(), 0);
  for (std::size_t i = 0; i < c.connections.size(); ++i) {
    const CaseExpectations::Connection& conn = c.connections[i];
    if (conn.log >= logs.size()) continue;
    const std::vector<RecordedRequest>& log = logs[conn.log].requests;
    const std::size_t index = next[conn.log]++;
    if (index >= log.size()) continue;  // the count rule above already judged missing requests
    const RecordedRequest& r = log[index];
    const std::string where = "request " + std::to_string(i + 1) + ": ";
    if (conn.method && r.method != *conn.method) return where + "method " + r.method + ", expected " + *conn.method;
    if (!conn.request) continue;
    const ExpectedRequest& expect = *conn.request;
    for (const auto& [name, value] : expect.headers) {
      const std::string* got = r.header(name);
      if (!got) return where + name + " missing (expected \"" + value + "\")";
      if (*got != value) return where + name + " is \"" + *got + "\", expected \"" + value + "\"";
    }
    for (const std::string& name : expect.absent_headers) {
      if (const std::string* got = r.header(name)) return where + name + " must be absent, got \"" + *got + "\"";
    }
    if (expect.body && r.body != *expect.body) {
      return where + "body " + (r.body.empty() ? std::string("empty") : "\"" + payload_for_report(r.body) + "\"") +
             ", expected \"" + payload_for_report(*expect.body) + "\"";
    }
    if (expect.path_suffix) {
      const std::string path = r.path.substr(0, r.path.find('?'));
      const std::string& suffix = *expect.path_suffix;
      if (path.size() < suffix.size() || path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0) {
        return where + "path " + r.path + " does not end with " + suffix;
      }
    }
    if ((expect.min_delay_ms || expect.max_delay_ms) && index > 0) {
      const double ended = log[index - 1].ended_at_ms;
      if (ended < 0) return where + "the previous connection never ended, so no delay can be measured";
      const double delay = r.at_ms - ended;
      char text[64];
      std::snprintf(text, sizeof text, "%.0f ms", delay);
      if (expect.min_delay_ms && delay < *expect.min_delay_ms - kEarlyMs) {
        return where + "reconnected after " + text + ", expected at least " + std::to_string(*expect.min_delay_ms) + " ms";
      }
      if (expect.max_delay_ms && delay > *expect.max_delay_ms + late_tolerance(*expect.max_delay_ms)) {
        return where + "reconnected after " + text + ", expected at most " + std::to_string(*expect.max_delay_ms) + " ms";
      }
    }
  }
  return {};
}

std::string requirement_text(const CaseExpectations& c) {
  std::string out = "requests: " + std::to_string(c.min_requests);
  if (!c.max_requests) return out + " or more\n";
  if (*c.max_requests != c.min_requests) out += " to " + std::to_string(*c.max_requests);
  return out + "\n";
}

}  // namespace

std::string entry_text(TraceEntry e) {
  e.type = payload_for_report(e.type);
  e.data = payload_for_report(e.data);
  e.last_event_id = payload_for_report(e.last_event_id);
  return to_json(e);
}

bool ExpectedEntry::matches(const TraceEntry& observed, const std::optional<std::string>& observed_origin) const {
  if (observed.kind != entry.kind) return false;
  if (entry.kind == "message") {
    if (observed.type != entry.type || observed.data != entry.data || observed.last_event_id != entry.last_event_id) return false;
    return !origin || (observed_origin && *observed_origin == *origin);
  }
  if (entry.kind == "comment") return observed.data == entry.data;
  if (entry.kind == "error" || entry.kind == "closed") {
    return std::find(ready_states.begin(), ready_states.end(), observed.ready_state) != ready_states.end();
  }
  return true;
}

std::string ExpectedEntry::to_text() const {
  if (entry.kind == "message" && origin) {
    std::string text = entry_text(entry);  // {"message":{...}}
    return text.substr(0, text.size() - 2) + ",\"origin\":" + json_string(*origin) + "}}";
  }
  if ((entry.kind == "error" || entry.kind == "closed") && ready_states.size() > 1) {
    std::string states;
    for (int s : ready_states) states += (states.empty() ? "" : ",") + std::to_string(s);
    return "{\"" + entry.kind + "\":{\"readyState\":[" + states + "]}}";  // any of these
  }
  return entry_text(entry);
}

std::vector<ExpectedEntry> expected_entries(const std::vector<TraceEntry>& trace) {
  std::vector<ExpectedEntry> out;
  for (const TraceEntry& t : trace) {
    ExpectedEntry e;
    e.entry = t;
    if (t.ready_state >= 0) e.ready_states = {t.ready_state};
    out.push_back(std::move(e));
  }
  return out;
}

CaseExpectations expectations_of(const ClientCase& c) {
  CaseExpectations e;
  e.trace = expected_entries(c.trace);
  for (const ClientConnection& conn : c.connections) {
    e.connections.push_back({0, conn.expect_request, conn.expect_request ? conn.expect_request->method : std::nullopt});
  }
  e.min_requests = c.min_requests;
  e.max_requests = c.max_requests;
  return e;
}

std::string trace_entry_problem(const std::vector<ExpectedEntry>& expected, std::size_t k, const TraceEntry& observed,
                                const std::optional<std::string>& origin) {
  if (k >= expected.size()) return "unexpected trace entry #" + std::to_string(k + 1) + ": " + observed_text(observed, origin);
  if (expected[k].matches(observed, origin)) return {};
  std::string problem = "trace entry #" + std::to_string(k + 1) + " differs: expected " + expected[k].to_text() +
                        ", observed " + observed_text(observed, origin);
  // A large value is shown by its length and hash: say where it differs.
  const TraceEntry& want = expected[k].entry;
  if (want.kind == "message" && observed.kind == "message") {
    for (const auto& [name, a, b] : {std::tuple{"data", &want.data, &observed.data},
                                     std::tuple{"lastEventId", &want.last_event_id, &observed.last_event_id}}) {
      if (*a != *b && std::max(a->size(), b->size()) > kInlinePayloadLimit) {
        problem += std::string("; ") + name + ": " + first_difference(*a, *b);
      }
    }
  }
  return problem;
}

Grade grade_case(const CaseExpectations& expected, const CaseObservation& observed, const ExtraCheck& before,
                 const ExtraCheck& after) {
  Grade g;
  g.expected = before.expected;
  for (const ExpectedEntry& e : expected.trace) g.expected += e.to_text() + "\n";
  g.expected += after.expected + requirement_text(expected);

  std::string problem = before.problem;
  g.observed = before.observed;
  const auto origin = [&](std::size_t k) { return k < observed.origins.size() ? observed.origins[k] : std::nullopt; };
  for (std::size_t k = 0; k < observed.trace.size(); ++k) {
    g.observed += observed_text(observed.trace[k], origin(k)) + "\n";
    if (problem.empty()) problem = trace_entry_problem(expected.trace, k, observed.trace[k], origin(k));
  }
  if (problem.empty()) problem = observed.stopped;
  const std::size_t n = observed.trace.size();
  if (problem.empty() && n < expected.trace.size()) {
    problem = "missing trace entry #" + std::to_string(n + 1) + ": " + expected.trace[n].to_text();
  }
  if (problem.empty()) problem = after.problem;
  g.observed += after.observed;

  std::size_t total = 0;
  for (const RequestLog& log : observed.logs) total += log.requests.size();
  g.observed += "requests: " + std::to_string(total) + "\n";
  for (const RequestLog& log : observed.logs) {
    for (const RecordedRequest& r : log.requests) g.observed += describe_request(r, log.label) + "\n";
  }
  if (problem.empty()) problem = check_requests(expected, observed.logs);
  g.verdict = problem.empty() ? Verdict::pass : Verdict::fail;
  g.message = problem;
  return g;
}

std::string skip_reason(const ClientCase& c, bool strict, const std::set<std::string>& capabilities,
                        const std::string& declarer) {
  if (c.strict && !strict) return "strict (MAY/SHOULD-level) case: run with --strict";
  for (const std::string& cap : c.requires_caps) {
    if (!capabilities.count(cap)) return "needs capability '" + cap + "', which " + declarer;
  }
  return {};
}

}  // namespace ssespec
