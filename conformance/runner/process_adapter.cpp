#include "runner/process_adapter.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <sstream>

#include "runner/environment.hpp"
#include "runner/subprocess.hpp"
#include "runner/unreportable.hpp"

namespace ssespec {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kStderrTail = 600;
// How long an adapter may take to exit once its output ended or its stdin closed: its exit
// status decides whether it crashed. Waited for as a condition (ended sooner, returned sooner);
// the bound is for an adapter that never exits, which is then killed (ADAPTERS.md, step 3).
constexpr auto kExitBound = std::chrono::seconds(5);

std::string listen_json(const std::vector<std::string>& types) {
  Poco::JSON::Array array;
  for (const std::string& t : types) array.add(t);
  std::ostringstream out;
  array.stringify(out);
  return out.str();
}

std::string tail(const std::string& text) {
  if (text.size() <= kStderrTail) return text;
  return "..." + text.substr(text.size() - kStderrTail);
}

}  // namespace

std::string crash_stderr_clause(const std::string& err) {
  if (err.empty()) return ", no stderr";
  const std::string exception = exception_line(err);
  return (exception.empty() ? "" : ": " + exception) + "; stderr ends: " + tail(err);
}

std::string adapt_to_declared(ClientCase& c, const std::set<std::string>& cannot_report) {
  std::string why;
  const std::string needed = fit_to_unreportable(c, cannot_report, why);
  if (needed.empty()) return {};
  return "the adapter declares --cannot-report " + needed + ": its API reports " + why;
}

namespace {

class ProcessSession final : public AdapterSession {
 public:
  ProcessSession(const std::vector<std::string>& argv, const std::vector<std::pair<std::string, std::string>>& env)
      : process_(argv, env) {}

  Next next(TraceEntry& entry, std::string& problem, Clock::time_point deadline) override {
    std::string line;
    for (;;) {
      const Subprocess::Read read = process_.read_line(line, deadline);
      if (read == Subprocess::Read::timeout) return Next::timeout;
      if (read == Subprocess::Read::eof) {
        // Its output ended: an exit status other than 0 is a crash, whenever it comes.
        reap(Clock::now() + kExitBound);
        problem = crash();
        return problem.empty() ? Next::ended : Next::problem;
      }
      if (!line.empty()) break;
    }
    return entry_from_line(line, entry, problem);
  }

  void close() override { process_.write_stdin("close\n"); }

  std::string crash() override {
    reap(Clock::now());
    if (!exited_ || exit_status_ == 0) return {};
    return "the adapter crashed (" + describe_exit(exit_status_) + ")" + stderr_clause();
  }

  void abandon() override { abandoned_ = true; }

  std::string finish(std::string& note) override {
    std::string problem = crash();
    if (problem.empty() && !abandoned_) {
      process_.close_stdin();  // the protocol's "close and exit"
      reap(Clock::now() + kExitBound);
      if (exited_ && exit_status_ != 0) {
        problem = "the adapter crashed when told to stop (" + describe_exit(exit_status_) + ")" + stderr_clause();
      }
    }
    process_.kill();  // the runner's own stop: whatever is left of its process group
    if (!process_.stderr_text().empty()) note = "adapter stderr: " + tail(process_.stderr_text());
    return problem;
  }

 private:
  void reap(Clock::time_point deadline) {
    if (exited_) return;
    int status = 0;
    if (process_.wait(deadline, status)) {
      exited_ = true;
      exit_status_ = status;
    }
  }
  std::string stderr_clause() const { return crash_stderr_clause(process_.stderr_text()); }

  Subprocess process_;
  bool abandoned_ = false;  // the case failed already: no wait for a clean exit
  bool exited_ = false;
  int exit_status_ = 0;
};

}  // namespace

std::unique_ptr<AdapterSession> ProcessLauncher::start(const ClientCase& c, const std::string& url) {
  std::vector<std::string> argv = command_;
  argv.push_back(url);  // the event types go in SSESPEC_LISTEN only: JSON carries any string
  std::vector<std::pair<std::string, std::string>> vars = {{env::kUrl, url}, {env::kListen, listen_json(c.listen)}};
  for (const ClientAction& a : c.actions) {
    if (!a.via_stdin) vars.emplace_back(env::kCloseAfter, a.kind + ":" + std::to_string(a.count));
  }
  const ClientConfig& config = c.config;
  if (!config.headers.empty()) {
    Poco::JSON::Object headers(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [name, value] : config.headers) headers.set(name, value);
    std::ostringstream out;
    headers.stringify(out);
    vars.emplace_back(env::kHeaders, out.str());
  }
  if (config.last_event_id) vars.emplace_back(env::kLastEventId, *config.last_event_id);
  if (config.method) vars.emplace_back(env::kMethod, *config.method);
  if (config.body) vars.emplace_back(env::kBody, *config.body);
  if (config.read_timeout_ms) vars.emplace_back(env::kReadTimeoutMs, std::to_string(*config.read_timeout_ms));
  return std::make_unique<ProcessSession>(argv, vars);
}

}  // namespace ssespec
