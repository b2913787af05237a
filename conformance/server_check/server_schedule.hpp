// The schedule of `ssespec server`: which probe runs when, within one deadline for the whole
// run, and the verdict of a check whose probe could not run (server_checks.hpp holds the checks).
#pragma once

#include <chrono>
#include <string>

#include "report/result.hpp"
#include "server_check/server_checks.hpp"

namespace ssespec {

// The whole run ends within this many --timeout (plus the --idle watch): see CHECKS.md.
constexpr double kRunBudgetTimeouts = 3;

// The run's deadline in seconds: 3 x --timeout, plus 1.5 x --idle + 0.5 s with --idle.
double run_budget_s(const ServerCheckOptions& options);

// The verdicts of checks whose probe could not run. A server that stops accepting connections
// after the first probe gets one FAIL, on the first check that needed a new connection, and the
// later ones SKIP pointing to it; otherwise the run's deadline had passed (a SKIP: ssespec's
// limit, not the server's fault).
class NotReached {
 public:
  explicit NotReached(double budget_s) : budget_s_(budget_s) {}

  // Connecting failed (`why`) after the first response.
  void server_stopped(const std::string& why) { stopped_ = why; }
  bool server_stopped() const { return !stopped_.empty(); }

  CaseResult result(const ServerCheck& check);

 private:
  double budget_s_;
  std::string stopped_;     // why connecting failed, once it did
  std::string stopped_in_;  // the check that said so
};

// Seconds left of a deadline that started when the run did.
class RunClock {
 public:
  explicit RunClock(double budget_s) : budget_s_(budget_s), start_(std::chrono::steady_clock::now()) {}
  double budget_s() const { return budget_s_; }
  double left() const {
    return budget_s_ - std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  double budget_s_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace ssespec
