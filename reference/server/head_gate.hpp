// Accepts connections and waits, in one poll() loop, until each has sent a complete request
// head; only then is the socket handed to POCO's pool threads. A slow or idle client costs a
// poll entry, never a pool thread (slowloris), and every head has one overall deadline.
//
// The head is only peeked (MSG_PEEK), so POCO's HTTPServerConnection still reads and parses it.
#pragma once

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <thread>

#include "server/wake_pipe.hpp"

namespace ssespec::server {

struct GateLimits {
  std::chrono::milliseconds head_deadline{5000};  // from accept to the head's blank line: else 408
  std::size_t max_head_bytes = 16 * 1024;         // a longer head gets 431
  std::size_t max_waiting = 16384;                // connections still sending heads; more are closed
};

class HeadGate {
 public:
  using Dispatch = std::function<void(const Poco::Net::StreamSocket&)>;
  // `listener` must be bound and listening; `dispatch` gets each socket whose head is complete.
  HeadGate(Poco::Net::ServerSocket listener, GateLimits limits, Dispatch dispatch);
  ~HeadGate();
  HeadGate(const HeadGate&) = delete;
  HeadGate& operator=(const HeadGate&) = delete;

  void stop();                   // closes the listener and every waiting connection
  std::size_t waiting() const;   // connections whose head has not arrived yet

 private:
  void run();

  Poco::Net::ServerSocket listener_;
  const GateLimits limits_;
  Dispatch dispatch_;
  std::atomic<std::size_t> waiting_{0};
  std::atomic<bool> stopping_{false};
  WakePipe wake_pipe_;
  std::thread thread_;
};

}  // namespace ssespec::server
