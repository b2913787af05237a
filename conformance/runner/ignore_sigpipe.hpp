// ssespec writes to peers that may go away at any moment: adapters, browsers, test services,
// servers under test and load-test streams. Such a write must fail with EPIPE, which the caller
// reports, and never end the whole run with SIGPIPE. Idempotent; safe from any thread.
#pragma once

#include <csignal>
#include <mutex>

namespace ssespec {

inline void ignore_sigpipe() {
  static std::once_flag once;
  std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

}  // namespace ssespec
