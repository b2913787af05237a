// Waiting in a test for what another thread or process does: the condition is polled until it
// holds, with a bound of tens of seconds (a busy machine is slow, not broken), never a fixed sleep.
#pragma once

#include <chrono>
#include <thread>

namespace ssespec::testing {

inline constexpr std::chrono::seconds kEventuallyBound{30};

// True as soon as `condition()` holds; false if it still does not after `bound`.
template <class Condition>
bool eventually(Condition condition, std::chrono::steady_clock::duration bound = kEventuallyBound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace ssespec::testing
