#include "encoder/encoder_run.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>

#include "report/seconds_text.hpp"
#include "runner/subprocess.hpp"
#include "server_check/stream_inspector.hpp"

namespace ssespec {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds ms(double seconds) { return std::chrono::milliseconds(static_cast<long long>(seconds * 1000)); }

// The adapter process, asked one message at a time. A broken answer (no answer in time, an
// exit, a line outside the protocol) ends the process; the next question starts a new one,
// up to max_restarts times, so one bad case does not take the rest of the run with it.
class EncoderAdapter {
 public:
  explicit EncoderAdapter(const EncoderRunOptions& options) : o_(options) {}

  EncoderAnswer ask(const EncoderMessage& m) {
    if (!process_) {
      if (breaks_ > o_.max_restarts) {
        return broken("not asked: the adapter broke the protocol " + std::to_string(breaks_) + " times");
      }
      try {
        process_ = std::make_unique<Subprocess>(o_.command, std::vector<std::pair<std::string, std::string>>{});
      } catch (const std::runtime_error& e) {
        breaks_ = o_.max_restarts + 1;
        return broken(e.what());
      }
      first_answer_ = true;
    }
    const auto deadline = Clock::now() + ms(o_.timeout_s + (first_answer_ ? o_.startup_s : 0));
    first_answer_ = false;
    // Written from a thread: an adapter that stops reading must not block the run on a full pipe.
    const std::string line = m.to_json_line() + "\n";
    std::atomic<bool> written{false}, write_done{false};
    std::thread writer([&] {
      written = process_->write_stdin(line);
      write_done = true;
    });
    std::string answer;
    Subprocess::Read read = process_->read_line(answer, deadline);
    // An answer before the adapter read the whole message: give it until the deadline to read on.
    while (read == Subprocess::Read::line && !write_done && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    int status = 0;
    const bool exited = read == Subprocess::Read::eof && process_->wait(Clock::now() + std::chrono::seconds(2), status);
    if (read != Subprocess::Read::line || !write_done) process_->kill();  // unblocks the writer
    writer.join();
    if (read == Subprocess::Read::line && !written) return end("the adapter answered without reading the whole message");
    if (read == Subprocess::Read::timeout) return end("no answer within " + seconds_text(o_.timeout_s));
    if (read == Subprocess::Read::eof) {
      return end(std::string(written ? "the adapter ended its output" : "the adapter stopped reading") + " (" +
                 (exited ? describe_exit(status) : "still running") + ")" + last_stderr_line());
    }
    EncoderAnswer a = parse_answer(answer, o_.max_bytes);
    if (a.kind == EncoderAnswer::Kind::broken) return end(a.text);
    return a;
  }

 private:
  std::string last_stderr_line() const {
    std::string err = process_->stderr_text();
    while (!err.empty() && (err.back() == '\n' || err.back() == '\r')) err.pop_back();
    if (err.empty()) return "";
    const auto nl = err.find_last_of('\n');
    return "; stderr: " + printable(nl == std::string::npos ? err : err.substr(nl + 1), 120);
  }
  static EncoderAnswer broken(const std::string& why) {
    EncoderAnswer a;
    a.kind = EncoderAnswer::Kind::broken;
    a.text = why;
    return a;
  }
  EncoderAnswer end(const std::string& why) {
    process_->kill();
    process_.reset();
    ++breaks_;
    return broken(why);
  }

  const EncoderRunOptions& o_;
  std::unique_ptr<Subprocess> process_;
  bool first_answer_ = true;
  int breaks_ = 0;
};

}  // namespace

RunResult run_encoder_cases(const std::vector<EncoderCase>& cases, const EncoderRunOptions& options,
                            const ReportOptions& report) {
  RunResult run;
  run.kind = "encoder";
  run.implementation = options.implementation.empty() ? options.command.front() : options.implementation;
  for (const std::string& arg : options.command) run.target += (run.target.empty() ? "" : " ") + arg;
  run.started_at = now_iso8601();
  const auto start = Clock::now();
  EncoderAdapter adapter(options);
  for (const EncoderCase& c : cases) {
    const auto case_start = Clock::now();
    std::vector<EncoderAnswer> answers;
    for (const EncoderMessage& m : c.messages) {
      answers.push_back(adapter.ask(m));
      if (answers.back().kind == EncoderAnswer::Kind::broken) break;
    }
    CaseResult result = grade_encoder_case(c, answers, options.mode);
    result.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - case_start).count();
    print_progress(result, report);
    run.cases.push_back(std::move(result));
  }
  run.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return run;
}

}  // namespace ssespec
