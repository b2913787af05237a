// One case's connection to the client under test, whichever way it is driven: an adapter
// process per case (process_adapter.cpp) or one stream of a long-lived test service
// (service_adapter.cpp). The runner's loop and the grader see only this.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "runner/case_progress.hpp"
#include "runner/client_fixture.hpp"

namespace ssespec {

class AdapterSession {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Next {
    entry,    // `entry` holds the next observation
    timeout,  // nothing before the deadline
    ended,    // the client will report nothing more (its output ended)
    problem,  // `problem` says what went wrong (a line outside the protocol, a crash, ...)
  };
  virtual ~AdapterSession() = default;
  virtual Next next(TraceEntry& entry, std::string& problem, Clock::time_point deadline) = 0;
  virtual void close() = 0;  // the "close" command: call close() from outside the handlers
  // A crash so far ("" if none): any non-zero exit or death by signal before the runner's stop.
  virtual std::string crash() = 0;
  // Ends the client (the runner's own stop) and returns its problem if it failed while asked
  // to stop (""), with `note` set to what it said (a stderr tail) for the report.
  virtual std::string finish(std::string& note) = 0;
  // Called before finish() when the case already failed: finish() need not wait for a clean exit.
  virtual void abandon() {}

  // The runner's progress record for this case, attached before the first next(). The runner
  // notes every observation next() returns; a session notes what else it receives (a callback
  // that is no observation, a line it skips) through progress(), from any thread.
  void attach(CaseProgress& record) { progress_.store(&record); }

 protected:
  // One line of adapter output as the next observation (Next::entry), or Next::problem naming
  // a line outside the protocol: one rule for an adapter per process and a persistent one.
  static Next entry_from_line(const std::string& line, TraceEntry& entry, std::string& problem) {
    std::string error;
    const auto parsed = trace_entry_from_json(line, error);
    if (!parsed) {
      problem = "the adapter printed a line outside the protocol: " + line.substr(0, 200) + " (" + error + ")";
      return Next::problem;
    }
    entry = *parsed;
    return Next::entry;
  }

  void progress(std::string what) {
    if (CaseProgress* record = progress_.load()) record->note(Clock::now(), std::move(what));
  }

 private:
  std::atomic<CaseProgress*> progress_{nullptr};
};

}  // namespace ssespec
