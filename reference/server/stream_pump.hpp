// One thread that writes every scripted stream: sockets detached from POCO's HTTPServer
// (HTTPServerRequestImpl::detachSocket) are handed here, so an idle or slow stream costs a
// poll() entry, not a blocked pool thread. It plays each stream's steps on time, ends it as
// scripted, and drops streams whose client went away.
//
// Why not Poco::Net::SocketReactor: it has no timers, and every step here is timed. A poll()
// loop with a deadline per stream is the same reactor pattern with the timers built in.
#pragma once

#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/script.hpp"

namespace ssespec::server {

struct PumpedStream {
  Poco::Net::StreamSocket socket;
  std::deque<Step> steps;          // played in order; delays are relative to the previous step
  End end = End::close;
  std::string tag;                 // e.g. the session id: close_tag() ends all streams with it
  std::function<void()> on_ended;  // after a scripted close/reset (not when the peer left)
  std::function<void()> on_played;  // once: every step written, or the stream dropped before
  // A ticker (the demo clock): after the steps, write tick() every period_ms until the peer
  // goes away.
  int period_ms = 0;
  std::function<std::string()> tick;
};

class StreamPump {
 public:
  StreamPump();
  ~StreamPump();  // stops and closes every stream
  StreamPump(const StreamPump&) = delete;
  StreamPump& operator=(const StreamPump&) = delete;

  void add(PumpedStream stream);          // thread-safe
  void close_tag(const std::string& tag);  // thread-safe: closes them (orderly) at once
  std::size_t active() const;              // streams held right now
  void stop();

 private:
  struct Entry;
  void run();
  void wake();
  bool advance(Entry& entry, std::chrono::steady_clock::time_point now);  // false: finished

  mutable std::mutex mutex_;
  std::vector<PumpedStream> incoming_;
  std::vector<std::string> closing_tags_;
  std::atomic<std::size_t> active_{0};
  std::atomic<bool> stopping_{false};
  int wake_pipe_[2] = {-1, -1};
  std::thread thread_;
};

}  // namespace ssespec::server
