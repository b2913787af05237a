// The threads that write every stream: sockets detached from POCO's HTTPServer
// (HTTPServerRequestImpl::detachSocket) are handed here, so an idle or slow stream costs an
// epoll registration, not a blocked pool thread. The pump plays each stream's steps on time,
// ends it as scripted, feeds broadcast streams (the demo clock) one shared tick, and drops
// streams whose client went away or stays behind.
//
// Streams are spread over one loop thread per core (a "shard", each with its own epoll set), so
// a broadcast tick is written to all streams by every core at once. A stream stays on its shard
// for life. The tick is formatted once per period and the same bytes go to every shard.
//
// Every socket is non-blocking and written only when epoll says it is writable, from the
// stream's own outgoing queue, so one slow reader never delays another stream. A scripted step
// is queued only once the previous one is fully written: chunks the script separates are never
// coalesced into one send. What a broadcast stream has queued (its head, the current tick,
// ticks it fell behind on) leaves in one writev.
//
// Why not Poco::Net::SocketReactor: it has no timers, and every step here is timed. An epoll
// loop with a deadline per stream is the same reactor pattern with the timers built in.
#pragma once

#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/script.hpp"
#include "server/wake_pipe.hpp"

namespace ssespec::server {

struct PumpedStream {
  Poco::Net::StreamSocket socket;
  std::string head;                                // written first (status line and headers)
  std::shared_ptr<const std::vector<Step>> steps;  // shared with the script, never copied; may be null
  End end = End::close;
  std::string tag;                 // e.g. the session id: close_tag() ends all streams with it
  std::function<void()> on_ended;  // after a scripted close/reset (not when the peer left)
  std::function<void()> on_played;  // once: every step written, or the stream dropped before
  std::function<void()> on_closed;  // once, whenever the pump lets go of the stream
  // If set: the pump stores the steady_clock time whenever the client takes bytes (a case's
  // progress, conformance/runner/case_progress.hpp). An atomic, not a callback: the hot path stays one store.
  std::shared_ptr<std::atomic<std::chrono::steady_clock::rep>> sent_at;
  // After the steps, receive every broadcast tick whose sequence number is > after_seq, until
  // the peer goes away (instead of `end`).
  bool broadcast = false;
  long long after_seq = -1;
};

// What the pump does with a client that stays behind, and with one that vanished.
struct PumpLimits {
  // A stream with unsent bytes that accepts none of them for this long is dropped.
  std::chrono::milliseconds max_stall{10000};
  // A broadcast stream whose queued ticks exceed this is dropped (its client is not reading).
  std::size_t max_queued_bytes = 64 * 1024;
  // TCP keepalive and TCP_USER_TIMEOUT: a client that vanished without FIN or RST is noticed
  // after about this long.
  std::chrono::seconds dead_peer{30};
  // Loop threads streams are spread over; 0: one per core.
  unsigned threads = 0;
};

// The broadcast feed: called once per period (on the wall clock's period boundary) and the same
// bytes go to every broadcast stream. `seq` orders ticks (the demo clock uses Unix seconds).
struct Tick {
  long long seq = 0;
  std::string bytes;
};
using TickSource = std::function<Tick(std::chrono::system_clock::time_point)>;

class StreamPump {
 public:
  explicit StreamPump(PumpLimits limits = {});
  ~StreamPump();  // stops and closes every stream
  StreamPump(const StreamPump&) = delete;
  StreamPump& operator=(const StreamPump&) = delete;

  // Set before the first broadcast stream is added.
  void set_broadcast(std::chrono::milliseconds period, TickSource source);
  void add(PumpedStream stream);          // thread-safe
  void close_tag(const std::string& tag);  // thread-safe: closes them (orderly) at once
  std::size_t active() const;              // streams held right now
  std::size_t dropped_behind() const;      // streams dropped for staying behind, so far
  void stop();

 private:
  struct Entry;
  class Shard;
  // The tick for the period that starts at `boundary`: formatted once, shared by every shard.
  std::shared_ptr<const Tick> tick_at(std::chrono::system_clock::time_point boundary);

  const PumpLimits limits_;
  std::atomic<long long> broadcast_period_ms_{0};  // read by every shard's loop
  std::mutex tick_mutex_;
  TickSource tick_source_;
  std::chrono::system_clock::time_point tick_boundary_;
  std::shared_ptr<const Tick> tick_;
  std::atomic<std::size_t> dropped_behind_{0};
  std::atomic<std::size_t> next_shard_{0};
  std::atomic<bool> stopped_{false};
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace ssespec::server
