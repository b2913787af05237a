// Accepts connections and waits, in one poll() loop, until each has sent a complete request
// head, and its body too when it has one; only then is the socket handed to POCO's pool threads.
// A slow or idle client costs a poll entry, never a pool thread (slowloris, and a body trickled
// byte by byte), and the head and the body each have one overall deadline.
//
// The request is only peeked (MSG_PEEK, FIONREAD), so POCO's HTTPServerConnection still reads
// and parses it. A body is waited for until it has arrived whole, or until `body_window` of it
// waits in the socket: a client that fast is no trickler, and a script of several MiB cannot be
// peeked (the pool thread reads the rest, each read bounded by POCO's timeout).
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
  std::chrono::milliseconds body_deadline{10000};  // from the head's end to the body's: else 408
  std::size_t max_body_bytes = 64u << 20;           // a longer Content-Length gets 413
  std::size_t body_window = 64 * 1024;             // this much of a body waiting is enough to dispatch
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
  std::size_t waiting() const;   // connections whose head (or body) has not arrived yet

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
