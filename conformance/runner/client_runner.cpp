#include "runner/client_runner.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>

#include "runner/grader.hpp"
#include "runner/persistent_adapter.hpp"
#include "runner/process_adapter.hpp"
#include "runner/service_adapter.hpp"
#include "server/reference_server.hpp"
#include "server/script.hpp"
#include "report/seconds_text.hpp"

namespace ssespec {
namespace {

using Clock = std::chrono::steady_clock;

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : separator) + p;
  return out;
}

// Says which limit ran out, what the case saw last and what the server had done by then: an
// event dispatched under another type, or not at all, reaches no listener; "the server sent it
// all" tells that apart from a slow client.
std::string timeout_message(const ClientCase& c, std::size_t seen, const ClientRunOptions& options, const std::string& limit,
                            bool played) {
  if (limit.empty()) {
    return "no request within the start-up limit of " + seconds_text(options.startup_s) +
           " (the adapter never connected; --startup-timeout)" +
           (seen < c.trace.size() ? ", waiting for trace entry #" + std::to_string(seen + 1) + ": " + entry_text(c.trace[seen]) : "");
  }
  const std::string server = played ? "; the server had sent every scripted byte, so the client received what it "
                                      "needed and reported nothing more (an event under another type reaches no listener)"
                                    : "; the server was still playing its script";
  if (seen < c.trace.size()) {
    return "timed out: " + limit + ", waiting for trace entry #" + std::to_string(seen + 1) + ": " + entry_text(c.trace[seen]) +
           " (" + std::to_string(seen) + " entr" + (seen == 1 ? "y" : "ies") + " seen)" + server;
  }
  return "timed out: " + limit + ", after the trace, waiting for " + std::to_string(c.min_requests) +
         " request(s) and the end of the script";
}

// Why a case is not run here ("" if it is): browser-only, not strict, a missing capability, or
// unfit for the launcher.
std::string why_skipped(const ClientCase& c, const ClientRunOptions& options, AdapterLauncher& launcher,
                        const std::string& unfit) {
  // Browser-only cases (fixtures/browser) are listed here but run only in `ssespec browser`.
  if (std::count(c.requires_caps.begin(), c.requires_caps.end(), "browser")) {
    return "needs capability 'browser': a browser-only case, run by `ssespec browser`";
  }
  const std::string skip = skip_reason(c, options.strict, options.capabilities, launcher.declarer());
  return skip.empty() ? unfit : skip;
}

// The case's limits. Its clock starts at the client's first request: starting a runtime and
// loading a library (seconds under load) is bounded by its own limit, never graded as delay.
// That start-up limit counts from the clock's creation, once the launcher has started the
// adapter: a test service may hold its answer to a create while busy with other streams.
// From then on the case times out after --timeout without progress (case_progress.hpp), and
// at the latest kCaseCapTimeouts times --timeout after the first request.
class CaseClock {
 public:
  CaseClock(Clock::time_point created, const ClientRunOptions& options, CaseProgress& progress)
      : created_(created),
        startup_deadline_(Clock::now() + to_duration(options.startup_s)),
        case_time_(to_duration(options.timeout_s)),
        cap_time_(to_duration(options.timeout_s * kCaseCapTimeouts)),
        progress_(progress) {}

  // Notes the server's side of progress: each request of the log at its arrival time (the first
  // starts the clock), and the last time a client of the session took bytes.
  void see(const std::vector<server::RecordedRequest>& requests, std::optional<Clock::time_point> last_sent) {
    for (; requests_seen_ < requests.size(); ++requests_seen_) {
      const auto at = created_ + std::chrono::microseconds(static_cast<long long>(requests[requests_seen_].at_ms * 1000));
      if (!first_request_) first_request_ = at;
      progress_.note(at, "request #" + std::to_string(requests_seen_ + 1));
    }
    if (last_sent && *last_sent > last_sent_) {
      last_sent_ = *last_sent;
      progress_.note(last_sent_, "the client took bytes from the server");
    }
  }
  bool started() const { return first_request_.has_value(); }
  Clock::time_point limit() const {
    if (!first_request_) return startup_deadline_;
    return std::min(*first_request_ + cap_time_, last_progress() + case_time_);
  }
  // Which limit ran out at `now` ("" for the start-up limit), naming the last progress.
  std::string limit_text(Clock::time_point now) const {
    if (!first_request_) return "";
    if (now >= *first_request_ + cap_time_) {
      return "the cap of " + seconds_text(seconds(cap_time_)) + " (" + std::to_string(kCaseCapTimeouts) +
             " x --timeout) after the first request ran out";
    }
    const auto mark = progress_.last();
    const std::string what = mark ? mark->what : std::string("request #1");
    return "no progress for " + seconds_text(seconds(case_time_)) + " (--timeout); the last: " + what + ", " +
           seconds_text(seconds(last_progress() - *first_request_)) + " after the first request";
  }
  // When to look at the request log again at the latest, while waiting for something else: the
  // deadline once known (progress meanwhile moves it: look again then); before the first
  // request, no later than the deadline could be (a request not in the log at `now` arrives
  // later, so its deadline is after now + case time).
  Clock::time_point next_look(Clock::time_point now) const {
    return first_request_ ? limit() : std::min(startup_deadline_, now + case_time_);
  }

 private:
  static Clock::duration to_duration(double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  }
  static double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
  Clock::time_point last_progress() const {
    const auto mark = progress_.last();
    return mark ? std::max(*first_request_, mark->at) : *first_request_;
  }

  Clock::time_point created_;
  Clock::time_point startup_deadline_;
  Clock::duration case_time_;
  Clock::duration cap_time_;
  CaseProgress& progress_;
  std::optional<Clock::time_point> first_request_;
  std::size_t requests_seen_ = 0;
  Clock::time_point last_sent_{};
};

// What one run of a case saw.
struct CaseRun {
  std::vector<TraceEntry> observed;
  std::string problem;       // why the run stopped early ("" if it did not): the grader's `stopped`
  std::string adapter_note;  // what the adapter said (a stderr tail), for a failure's report
  std::string start_error;   // the adapter could not be started
};

// While the runner waits on the server, the adapter's output is read at least this often: its
// pipes must keep flowing (a full one stalls the client), and a wrong entry still ends the case.
constexpr auto kReadAdapterEvery = std::chrono::milliseconds(100);

// One case's adapter against its session: the steps of play_case() below.
class CasePlay {
 public:
  CasePlay(const ClientCase& c, const CaseExpectations& expectations, server::ReferenceServer& server,
           const std::string& session, Clock::time_point created, AdapterSession& adapter, CaseProgress& progress,
           const ClientRunOptions& options, CaseRun& run)
      : c_(c), expectations_(expectations), server_(server), session_(session), adapter_(adapter), options_(options),
        run_(run), progress_(progress), clock_(created, options, progress) {
    adapter_.attach(progress_);
  }

  // Reads the adapter until the expected trace is in. False if the run ended (a wrong entry, a
  // problem, the limit).
  bool read_trace() {
    while (run_.observed.size() < c_.trace.size()) {
      look();
      const auto now = Clock::now();
      if (now >= clock_.limit()) return timed_out();
      TraceEntry entry;
      std::string why;
      switch (adapter_.next(entry, why, clock_.next_look(now))) {
        case AdapterSession::Next::timeout: break;
        case AdapterSession::Next::problem: run_.problem = why; return false;
        case AdapterSession::Next::ended:
          run_.problem = "the adapter ended its output early (exit 0) before trace entry #" + std::to_string(run_.observed.size() + 1);
          return false;
        case AdapterSession::Next::entry:
          if (!take(entry)) return false;
          break;
      }
    }
    return true;
  }

  // Waits on the server until it received the requests the case needs and sent everything it
  // will send: a client that keeps dispatching after close() shows itself on the steps still to
  // come. What the adapter prints meanwhile (an extra entry, a crash) is read between waits.
  bool await_server() {
    const auto min_requests = static_cast<std::size_t>(std::max(0, c_.min_requests));
    for (;;) {
      look();
      const auto now = Clock::now();
      if (now >= clock_.limit()) return drain() && timed_out();
      if (server_.wait_played(session_, min_requests, std::min(clock_.next_look(now), now + kReadAdapterEvery))) {
        look();
        return true;
      }
      if (!drain()) return false;
    }
  }

  // Reads for settle_ms more, so that an extra entry or a crash right after the trace still fails.
  void settle() {
    const auto settle_until = Clock::now() + std::chrono::milliseconds(options_.settle_ms);
    bool ended = false;
    for (;;) {
      look();
      const auto now = Clock::now();
      if (now >= settle_until) {
        run_.problem = adapter_.crash();  // a crash after the last expected line still fails
        return;
      }
      if (now >= clock_.limit()) {
        timed_out();
        return;
      }
      const auto wait_until = std::min(settle_until, clock_.next_look(now));
      if (ended) {
        std::this_thread::sleep_until(wait_until);  // the settle period runs out; nothing more can come
        continue;
      }
      TraceEntry entry;
      std::string why;
      switch (adapter_.next(entry, why, wait_until)) {
        case AdapterSession::Next::timeout: break;
        case AdapterSession::Next::problem: run_.problem = why; return;
        case AdapterSession::Next::ended: ended = true; break;
        case AdapterSession::Next::entry:
          if (!take(entry)) return;
          break;
      }
    }
  }

 private:
  // Records an entry and runs the actions it triggers. False if it is wrong or extra: that ends
  // the case at once, and grade_case() words the failure.
  bool take(const TraceEntry& entry) {
    if (entry.kind == "comment" && !c_.observes_comments()) {
      progress_.note(Clock::now(), "a comment observation");
      return true;  // graded only where a case expects them
    }
    progress_.note(Clock::now(), "trace entry #" + std::to_string(run_.observed.size() + 1) + " (" + entry.kind + ")");
    run_.observed.push_back(entry);
    if (!trace_entry_problem(expectations_.trace, run_.observed.size() - 1, entry, std::nullopt).empty()) return false;
    for (const ClientAction& a : c_.actions) {
      if (!a.via_stdin || a.kind != entry.kind) continue;
      const auto seen = std::count_if(run_.observed.begin(), run_.observed.end(), [&](const TraceEntry& e) { return e.kind == a.kind; });
      if (seen == a.count) adapter_.close();
    }
    return true;
  }

  // Reads what the adapter has already printed, without waiting for more. False if that ended
  // the run. The deadline is a moment ahead: a process adapter reads its pipe only while time is left.
  bool drain() {
    for (;;) {
      TraceEntry entry;
      std::string why;
      switch (adapter_.next(entry, why, Clock::now() + std::chrono::milliseconds(2))) {
        case AdapterSession::Next::timeout:
        case AdapterSession::Next::ended: return true;
        case AdapterSession::Next::problem: run_.problem = why; return false;
        case AdapterSession::Next::entry:
          if (!take(entry)) return false;
          break;
      }
    }
  }

  bool timed_out() {
    run_.problem = timeout_message(c_, run_.observed.size(), options_, clock_.limit_text(Clock::now()),
                                   server_.session_played(session_));
    return false;
  }

  void look() { clock_.see(server_.requests(session_), server_.last_sent(session_)); }

  const ClientCase& c_;
  const CaseExpectations& expectations_;
  server::ReferenceServer& server_;
  const std::string& session_;
  AdapterSession& adapter_;
  const ClientRunOptions& options_;
  CaseRun& run_;
  CaseProgress& progress_;
  CaseClock clock_;
};

// Starts the adapter on the session's stream, plays the case, and stops the adapter.
// `created`: when the session was created, which its request times count from.
CaseRun play_case(const ClientCase& c, const CaseExpectations& expectations, server::ReferenceServer& server,
                  const std::string& session, Clock::time_point created, AdapterLauncher& launcher,
                  const ClientRunOptions& options) {
  CaseRun run;
  CaseProgress progress;  // outlives the adapter, which may note progress until it is gone
  std::unique_ptr<AdapterSession> adapter;
  try {
    adapter = launcher.start(c, server.base_url() + server::ReferenceServer::stream_path(session));
  } catch (const std::exception& e) {
    run.start_error = std::string("adapter: ") + e.what();
    return run;
  }
  for (const ClientAction& a : c.actions) {
    if (a.kind == "start") adapter->close();
  }
  CasePlay play(c, expectations, server, session, created, *adapter, progress, options, run);
  if (play.read_trace() && play.await_server()) play.settle();
  if (!run.problem.empty()) adapter->abandon();
  const std::string stopped = adapter->finish(run.adapter_note);
  if (run.problem.empty()) run.problem = stopped;
  return run;
}

}  // namespace

server::Script chunked_script(const ClientCase& c) {
  server::Script script = c.script();
  for (server::ScriptedResponse& r : script.connections) {
    if (r.status == 200 && server::close_delimited(r)) server::frame_chunked(r);
  }
  return script;
}

const std::vector<std::pair<std::string, std::string>>& known_client_capabilities() {
  static const std::vector<std::pair<std::string, std::string>> caps = {
      {"close", "close() on the stdin command \"close\""},
      {"close-in-handler", "close() called synchronously inside the handler named by SSESPEC_CLOSE_AFTER"},
      {"cors", "cross-origin requests with CORS checks (browsers)"},
      {"headers", "extra request headers (SSESPEC_HEADERS; a library feature, LaunchDarkly's name)"},
      {"last-event-id", "an initial Last-Event-ID (SSESPEC_LAST_EVENT_ID; a library feature)"},
      {"post", "another method and a request body, resent on reconnection (SSESPEC_METHOD, SSESPEC_BODY)"},
      {"comments", "comment lines reported as {\"comment\":{\"text\":...}} (a library feature)"},
      {"read-timeout", "a connection silent for SSESPEC_READ_TIMEOUT_MS is a network error (a library feature)"},
  };
  return caps;
}

CaseResult run_client_case(const ClientCase& c, server::ReferenceServer& server, const ClientRunOptions& options) {
  ProcessLauncher launcher(options.command, options.cannot_report);
  return run_client_case(c, server, options, launcher);
}

CaseResult run_client_case(const ClientCase& original, server::ReferenceServer& server, const ClientRunOptions& options,
                           AdapterLauncher& launcher) {
  CaseResult result;
  result.id = original.full_id();
  result.group = original.group;
  result.description = original.description;
  result.spec = original.spec;
  ClientCase c = original;
  const std::string unfit = launcher.adapt(c);
  const CaseExpectations expectations = expectations_of(c);
  result.expected = grade_case(expectations, {}).expected;
  const auto started = Clock::now();
  auto finish = [&](Verdict verdict, std::string message) {
    result.verdict = verdict;
    result.message = std::move(message);
    result.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    return result;
  };

  const std::string skip = why_skipped(c, options, launcher, unfit);
  if (!skip.empty()) return finish(Verdict::skip, skip);

  const std::string session = server.create_session(options.chunked ? chunked_script(c) : c.script());
  const CaseRun run = play_case(c, expectations, server, session, Clock::now(), launcher, options);
  const auto requests = server.requests(session);
  server.end_session(session);
  if (!run.start_error.empty()) return finish(Verdict::fail, run.start_error);

  CaseObservation seen;
  seen.trace = run.observed;
  seen.stopped = run.problem;
  seen.logs.push_back({"", requests});
  const Grade grade = grade_case(expectations, seen);
  result.expected = grade.expected;
  result.observed = grade.observed;
  if (grade.verdict == Verdict::fail && !run.adapter_note.empty()) result.observed += run.adapter_note + "\n";
  return finish(grade.verdict, grade.message);
}

RunResult run_client_cases(const std::vector<ClientCase>& cases, const ClientRunOptions& options, const ReportOptions& report) {
  RunResult run;
  run.kind = "client";
  run.implementation = options.implementation.empty() ? join(options.command, " ") : options.implementation;
  run.target = join(options.command, " ");
  run.started_at = now_iso8601();
  const auto started = Clock::now();

  // Service mode: the service declares its capabilities (GET /); a process per case otherwise.
  std::unique_ptr<AdapterLauncher> launcher;
  ClientRunOptions effective = options;
  if (!options.service_url.empty()) {
    auto service = std::make_unique<ServiceLauncher>(options.service_url, options.startup_s);
    effective.capabilities = service->runner_capabilities();
    run.target = options.service_url;
    if (options.implementation.empty()) run.implementation = "test service at " + options.service_url;
    launcher = std::move(service);
  } else if (options.persistent) {
    launcher = std::make_unique<PersistentLauncher>(options.command, options.cannot_report);
  } else {
    launcher = std::make_unique<ProcessLauncher>(options.command, options.cannot_report);
  }
  server::ReferenceServer server;
  server.start();
  run.cases.resize(cases.size());
  std::atomic<std::size_t> next{0};
  std::mutex print_mutex;
  auto worker = [&] {
    for (std::size_t i = next++; i < cases.size(); i = next++) {
      if (!launcher->gone().empty()) break;  // the client died: the rest of the run stops
      CaseResult r = run_client_case(cases[i], server, effective, *launcher);
      // A case the dead client could not start did not run: not a result.
      if (const std::string gone = launcher->gone(); !gone.empty() && r.message == "adapter: " + gone) break;
      std::lock_guard<std::mutex> lock(print_mutex);
      print_progress(r, report);
      run.cases[i] = std::move(r);
    }
  };
  std::vector<std::thread> threads;
  const int jobs = std::max(1, std::min<int>(options.jobs, static_cast<int>(cases.size())));
  for (int j = 0; j < jobs; ++j) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  server.stop();
  if (const std::string gone = launcher->gone(); !gone.empty() && (options.persistent || !options.service_url.empty())) {
    std::size_t run_count = 0;
    for (const CaseResult& r : run.cases) run_count += r.id.empty() ? 0 : 1;
    throw std::runtime_error(gone + "; the run stopped after " + std::to_string(run_count) + " of " +
                             std::to_string(cases.size()) + " cases (the cases running then failed with this message)");
  }
  run.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  return run;
}

}  // namespace ssespec
