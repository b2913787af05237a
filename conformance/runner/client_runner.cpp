#include "runner/client_runner.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

#include "runner/grader.hpp"
#include "runner/process_adapter.hpp"
#include "runner/service_adapter.hpp"
#include "server/reference_server.hpp"
#include "report/seconds_text.hpp"

namespace ssespec {
namespace {

using Clock = std::chrono::steady_clock;

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : separator) + p;
  return out;
}

// Says which limit ran out and what the server had done by then: an event dispatched under
// another type, or not at all, reaches no listener; "the server sent it all" tells that apart
// from a slow client.
std::string timeout_message(const ClientCase& c, std::size_t seen, const ClientRunOptions& options, bool clock_started,
                            bool played) {
  if (!clock_started) {
    return "no request within the start-up limit of " + seconds_text(options.startup_s) +
           " (the adapter never connected; --startup-timeout)" +
           (seen < c.trace.size() ? ", waiting for trace entry #" + std::to_string(seen + 1) + ": " + entry_text(c.trace[seen]) : "");
  }
  const std::string after = "timed out " + seconds_text(options.timeout_s) + " after the first request";
  const std::string server = played ? "; the server had sent every scripted byte, so the client received what it "
                                      "needed and reported nothing more (an event under another type reaches no listener)"
                                    : "; the server was still playing its script";
  if (seen < c.trace.size()) {
    return after + ", waiting for trace entry #" + std::to_string(seen + 1) + ": " + entry_text(c.trace[seen]) + " (" +
           std::to_string(seen) + " entr" + (seen == 1 ? "y" : "ies") + " seen)" + server;
  }
  return after + ", after the trace, waiting for " + std::to_string(c.min_requests) + " request(s) and the end of the script";
}

}  // namespace

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
  ProcessLauncher launcher(options.command);
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

  // Browser-only cases (fixtures/browser) are listed here but run only in `ssespec browser`.
  if (std::count(c.requires_caps.begin(), c.requires_caps.end(), "browser")) {
    return finish(Verdict::skip, "needs capability 'browser': a browser-only case, run by `ssespec browser`");
  }
  std::string skip = skip_reason(c, options.strict, options.capabilities, launcher.declarer());
  if (skip.empty()) skip = unfit;
  if (!skip.empty()) return finish(Verdict::skip, skip);

  const std::string session = server.create_session(c.script());
  const auto created = Clock::now();
  const std::string url = server.base_url() + server::ReferenceServer::stream_path(session);

  std::vector<TraceEntry> observed;
  std::string problem;
  std::string adapter_note;
  {
    std::unique_ptr<AdapterSession> adapter;
    try {
      adapter = launcher.start(c, url);
    } catch (const std::exception& e) {
      server.end_session(session);
      return finish(Verdict::fail, std::string("adapter: ") + e.what());
    }
    for (const ClientAction& a : c.actions) {
      if (a.kind == "start") adapter->close();
    }
    // The case's clock starts at the client's first request: starting a runtime and loading a
    // library (seconds under load) is bounded by its own limit, and is never graded as delay.
    const auto startup_deadline = created + std::chrono::milliseconds(static_cast<long long>(options.startup_s * 1000));
    const auto case_time = std::chrono::milliseconds(static_cast<long long>(options.timeout_s * 1000));
    std::optional<Clock::time_point> deadline;
    std::optional<Clock::time_point> settle_until;
    bool ended = false;
    for (;;) {
      const auto now = Clock::now();
      const auto requests = server.requests(session);
      if (!deadline && !requests.empty()) {
        deadline = created + std::chrono::microseconds(static_cast<long long>(requests.front().at_ms * 1000)) + case_time;
      }
      if (observed.size() >= c.trace.size() && !settle_until) {
        // Settle only once the server has sent everything it will send: a client that keeps
        // dispatching after close() shows itself on the steps still to come.
        if (static_cast<int>(requests.size()) >= c.min_requests && server.session_played(session)) {
          settle_until = now + std::chrono::milliseconds(options.settle_ms);
        }
      }
      if (settle_until && now >= *settle_until) {
        problem = adapter->crash();  // a crash after the last expected line still fails
        break;
      }
      const auto limit = deadline.value_or(startup_deadline);
      if (now >= limit) {
        problem = timeout_message(c, observed.size(), options, deadline.has_value(), server.session_played(session));
        break;
      }
      auto wait_until = limit;
      if (settle_until) wait_until = std::min(wait_until, *settle_until);
      // Poll the request log while it can still start the clock or the settle period.
      if (!deadline || (observed.size() >= c.trace.size() && !settle_until)) {
        wait_until = std::min(wait_until, now + std::chrono::milliseconds(10));
      }
      if (ended) {
        std::this_thread::sleep_until(wait_until);  // only the request log can still change
        continue;
      }
      TraceEntry entry;
      std::string why;
      const AdapterSession::Next next = adapter->next(entry, why, wait_until);
      if (next == AdapterSession::Next::timeout) continue;
      if (next == AdapterSession::Next::problem) {
        problem = why;
        break;
      }
      if (next == AdapterSession::Next::ended) {
        ended = true;
        if (observed.size() < c.trace.size()) {
          problem = "the adapter ended its output early (exit 0) before trace entry #" + std::to_string(observed.size() + 1);
          break;
        }
        continue;
      }
      if (entry.kind == "comment" && !c.observes_comments()) continue;  // graded only where a case expects them
      observed.push_back(entry);
      // A wrong or extra entry ends the case at once; grade_case() words the failure.
      if (!trace_entry_problem(expectations.trace, observed.size() - 1, entry, std::nullopt).empty()) break;
      for (const ClientAction& a : c.actions) {
        if (!a.via_stdin || a.kind != entry.kind) continue;
        const auto seen = std::count_if(observed.begin(), observed.end(), [&](const TraceEntry& e) { return e.kind == a.kind; });
        if (seen == a.count) adapter->close();
      }
    }
    const std::string stopped = adapter->finish(adapter_note);
    if (problem.empty()) problem = stopped;
  }
  const auto requests = server.requests(session);
  server.end_session(session);

  CaseObservation seen;
  seen.trace = std::move(observed);
  seen.stopped = problem;
  seen.logs.push_back({"", requests});
  const Grade grade = grade_case(expectations, seen);
  result.expected = grade.expected;
  result.observed = grade.observed;
  if (grade.verdict == Verdict::fail && !adapter_note.empty()) result.observed += adapter_note + "\n";
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
    auto service = std::make_unique<ServiceLauncher>(options.service_url);
    effective.capabilities = service->runner_capabilities();
    run.target = options.service_url;
    if (options.implementation.empty()) run.implementation = "test service at " + options.service_url;
    launcher = std::move(service);
  } else {
    launcher = std::make_unique<ProcessLauncher>(options.command);
  }
  server::ReferenceServer server;
  server.start();
  run.cases.resize(cases.size());
  std::atomic<std::size_t> next{0};
  std::mutex print_mutex;
  auto worker = [&] {
    for (std::size_t i = next++; i < cases.size(); i = next++) {
      CaseResult r = run_client_case(cases[i], server, effective, *launcher);
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
  run.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  return run;
}

}  // namespace ssespec
