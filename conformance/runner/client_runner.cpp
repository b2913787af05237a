#include "runner/client_runner.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/String.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <sstream>
#include <thread>

#include "runner/grader.hpp"
#include "runner/subprocess.hpp"
#include "server/reference_server.hpp"

namespace ssespec {
namespace {

using Clock = std::chrono::steady_clock;

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : separator) + p;
  return out;
}

std::string listen_json(const std::vector<std::string>& types) {
  Poco::JSON::Array array;
  for (const std::string& t : types) array.add(t);
  std::ostringstream out;
  array.stringify(out);
  return out.str();
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& known_client_capabilities() {
  static const std::vector<std::pair<std::string, std::string>> caps = {
      {"close", "close() on the stdin command \"close\""},
      {"close-in-handler", "close() called synchronously inside the handler named by SSESPEC_CLOSE_AFTER"},
      {"cors", "cross-origin requests with CORS checks (browsers)"},
  };
  return caps;
}

CaseResult run_client_case(const ClientCase& c, server::ReferenceServer& server, const ClientRunOptions& options) {
  CaseResult result;
  result.id = c.full_id();
  result.group = c.group;
  result.description = c.description;
  result.spec = c.spec;
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
  const std::string skip = skip_reason(c, options.strict, options.capabilities, "the adapter does not declare (--capabilities)");
  if (!skip.empty()) return finish(Verdict::skip, skip);

  const std::string session = server.create_session(c.script());
  const std::string url = server.base_url() + server::ReferenceServer::stream_path(session);
  std::vector<std::string> argv = options.command;
  argv.push_back(url);  // the event types go in SSESPEC_LISTEN only: JSON carries any string
  std::vector<std::pair<std::string, std::string>> env = {{"SSESPEC_URL", url}, {"SSESPEC_LISTEN", listen_json(c.listen)}};
  for (const ClientAction& a : c.actions) {
    if (!a.via_stdin) env.emplace_back("SSESPEC_CLOSE_AFTER", a.kind + ":" + std::to_string(a.count));
  }

  std::vector<TraceEntry> observed;
  std::string problem;
  std::string adapter_note;
  {
    std::unique_ptr<Subprocess> adapter;
    try {
      adapter = std::make_unique<Subprocess>(argv, env);
    } catch (const std::exception& e) {
      server.end_session(session);
      return finish(Verdict::fail, std::string("adapter: ") + e.what());
    }
    for (const ClientAction& a : c.actions) {
      if (a.kind == "start") adapter->write_stdin("close\n");
    }
    const auto deadline = started + std::chrono::milliseconds(static_cast<long long>(options.timeout_s * 1000));
    std::optional<Clock::time_point> settle_until;
    bool exited = false;
    for (;;) {
      const auto now = Clock::now();
      if (observed.size() >= c.trace.size() && !settle_until) {
        // Settle only once the server has sent everything it will send: a client that keeps
        // dispatching after close() shows itself on the steps still to come.
        if (static_cast<int>(server.requests(session).size()) >= c.min_requests && server.session_played(session)) {
          settle_until = now + std::chrono::milliseconds(options.settle_ms);
        }
      }
      if (settle_until && now >= *settle_until) break;
      if (now >= deadline) {
        problem = observed.size() < c.trace.size()
                      ? "timed out after " + std::to_string(options.timeout_s).substr(0, 4) + " s waiting for trace entry #" +
                            std::to_string(observed.size() + 1) + ": " + to_json(c.trace[observed.size()])
                      : "timed out after " + std::to_string(options.timeout_s).substr(0, 4) + " s after the trace, waiting for " +
                            std::to_string(c.min_requests) + " request(s) and the end of the script";
        break;
      }
      auto wait_until = deadline;
      if (settle_until) wait_until = std::min(wait_until, *settle_until);
      if (observed.size() >= c.trace.size() && !settle_until) wait_until = std::min(wait_until, now + std::chrono::milliseconds(10));
      if (exited) {
        std::this_thread::sleep_until(wait_until);  // only the request log can still change
        continue;
      }
      std::string line;
      const Subprocess::Read read = adapter->read_line(line, wait_until);
      if (read == Subprocess::Read::timeout) continue;
      if (read == Subprocess::Read::eof) {
        exited = true;
        if (observed.size() < c.trace.size()) {
          int status = 0;
          const bool gone = adapter->wait(Clock::now() + std::chrono::milliseconds(200), status);
          problem = "the adapter ended its output early (" + (gone ? describe_exit(status) : std::string("still running")) +
                    ") before trace entry #" + std::to_string(observed.size() + 1);
          break;
        }
        continue;
      }
      if (line.empty()) continue;
      std::string error;
      const auto entry = trace_entry_from_json(line, error);
      if (!entry) {
        problem = "the adapter printed a line outside the protocol: " + line.substr(0, 200) + " (" + error + ")";
        break;
      }
      observed.push_back(*entry);
      // A wrong or extra entry ends the case at once; grade_case() words the failure.
      if (!trace_entry_problem(expectations.trace, observed.size() - 1, *entry, std::nullopt).empty()) break;
      for (const ClientAction& a : c.actions) {
        if (!a.via_stdin || a.kind != entry->kind) continue;
        const auto seen = std::count_if(observed.begin(), observed.end(), [&](const TraceEntry& e) { return e.kind == a.kind; });
        if (seen == a.count) adapter->write_stdin("close\n");
      }
    }
    adapter->close_stdin();
    int status = 0;
    if (!adapter->wait(Clock::now() + std::chrono::milliseconds(300), status)) {
      adapter->kill();
    }
    if (!adapter->stderr_text().empty()) {
      const std::string& err = adapter->stderr_text();
      adapter_note = "\nadapter stderr: " + err.substr(0, 400);
    }
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
  if (grade.verdict == Verdict::fail) result.observed += adapter_note;
  return finish(grade.verdict, grade.message);
}

RunResult run_client_cases(const std::vector<ClientCase>& cases, const ClientRunOptions& options, const ReportOptions& report) {
  RunResult run;
  run.kind = "client";
  run.implementation = options.implementation.empty() ? join(options.command, " ") : options.implementation;
  run.target = join(options.command, " ");
  run.started_at = now_iso8601();
  const auto started = Clock::now();

  server::ReferenceServer server;
  server.start();
  run.cases.resize(cases.size());
  std::atomic<std::size_t> next{0};
  std::mutex print_mutex;
  auto worker = [&] {
    for (std::size_t i = next++; i < cases.size(); i = next++) {
      CaseResult r = run_client_case(cases[i], server, options);
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
