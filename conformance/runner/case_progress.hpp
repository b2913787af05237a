// One case's progress. The runner's case clock (client_runner.cpp) times a case out after
// --timeout seconds without any, under an overall cap: a slow client that keeps going is not
// a timeout, a stalled one is. Every kind of adapter reports through note(): the runner itself
// for the requests and bytes the server served and the observations it reads from a session;
// a session for what it receives that is no observation (AdapterSession::progress()).
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace ssespec {

class CaseProgress {
 public:
  using Clock = std::chrono::steady_clock;
  struct Mark {
    Clock::time_point at;
    std::string what;  // e.g. "request #2", "trace entry #3 (message)"
  };

  // Records progress at `at` (its real time, which may be before now); keeps the latest. Thread-safe.
  void note(Clock::time_point at, std::string what) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!last_ || at >= last_->at) last_ = Mark{at, std::move(what)};
  }
  std::optional<Mark> last() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return last_;
  }

 private:
  mutable std::mutex mutex_;
  std::optional<Mark> last_;
};

// A case may run at most this many times --timeout after its first request, however steady its progress.
constexpr int kCaseCapTimeouts = 10;

}  // namespace ssespec
