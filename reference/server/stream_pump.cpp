#include "server/stream_pump.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace ssespec::server {

using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kMaxPollWait = std::chrono::milliseconds(250);

// Bytes waiting to be written; `owner` keeps them alive (a shared script step or tick).
struct Chunk {
  std::shared_ptr<const std::string> owner;
  std::size_t offset = 0;
  std::size_t left() const { return owner->size() - offset; }
};

// Notices a client that vanished without FIN or RST: keepalive probes while idle,
// TCP_USER_TIMEOUT while data stays unacknowledged.
void watch_for_dead_peer(int fd, std::chrono::seconds after) {
  const int on = 1;
  const int probes = 3;
  const int interval = std::max(1, static_cast<int>(after.count()) / 6);
  const int idle = std::max(1, static_cast<int>(after.count()) - probes * interval);
  const unsigned user_timeout_ms = static_cast<unsigned>(after.count()) * 1000u;
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
  ::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof user_timeout_ms);
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);  // each chunk leaves when written
}

void drain_input(int fd) {
  char scratch[4096];
  while (::recv(fd, scratch, sizeof scratch, MSG_DONTWAIT) > 0) {
  }
}

}  // namespace

// What a shard's loop needs without walking every stream it holds.
struct ShardCounts {
  std::size_t closed = 0;      // streams closed since the loop last freed them
  std::size_t subscribed = 0;  // open streams receiving broadcast ticks
};

struct StreamPump::Entry {
  PumpedStream stream;
  int fd = -1;
  std::size_t next_step = 0;
  Clock::time_point due;          // when the next step may be queued
  Clock::time_point last_progress;  // the last time the client accepted bytes (or had none pending)
  std::vector<Chunk> out;         // front first; small, so a vector beats a deque's 576 bytes
  std::size_t queued = 0;         // bytes in `out`
  bool subscribed = false;        // steps done, receiving broadcast ticks
  bool idle = false;              // steps done, held open (hang) or subscribed
  bool played = false;
  bool closed = false;
  int epoll_fd = -1;              // the shard's epoll set, which watches this socket
  bool watching_out = false;      // EPOLLOUT asked for (only while bytes wait)
  bool busy = false;              // on the shard's busy list: steps to play or bytes waiting
  ShardCounts* counts = nullptr;

  // Nothing to do until a tick or the peer: an idle stream with nothing queued.
  bool resting() const { return closed || (idle && out.empty()); }

  void subscribe() {
    if (subscribed) return;
    subscribed = idle = true;
    ++counts->subscribed;
  }

  void mark_played() {
    if (played) return;
    played = true;
    if (stream.on_played) stream.on_played();
  }

  // Queues bytes behind anything already queued, without writing them yet.
  void queue(std::shared_ptr<const std::string> bytes, Clock::time_point now) {
    if (bytes->empty()) return;
    if (out.empty()) last_progress = now;  // the stall clock starts with the first waiting byte
    queued += bytes->size();
    out.push_back({std::move(bytes), 0});
  }

  // Queues bytes and writes what the socket takes now; false if the peer is gone.
  bool write(std::shared_ptr<const std::string> bytes, Clock::time_point now) {
    queue(std::move(bytes), now);
    return flush(now);
  }

  // A case's progress: when this stream's client last took bytes (ReferenceServer::last_sent).
  void note_sent(Clock::time_point now) const {
    if (stream.sent_at) stream.sent_at->store(now.time_since_epoch().count(), std::memory_order_relaxed);
  }

  // Writes what the socket takes now, every queued chunk in one writev; false if the peer is gone.
  bool flush(Clock::time_point now) {
    constexpr std::size_t kMaxIov = 16;
    while (!out.empty()) {
      iovec iov[kMaxIov];
      std::size_t count = 0;
      for (const Chunk& c : out) {
        if (count == kMaxIov) break;
        iov[count++] = {const_cast<char*>(c.owner->data() + c.offset), c.left()};
      }
      msghdr message{};
      message.msg_iov = iov;
      message.msg_iovlen = count;
      ssize_t n;
      do {
        n = ::sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
      } while (n < 0 && errno == EINTR);
      if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;  // full: epoll says when it takes more
      if (n == 0) return true;
      queued -= static_cast<std::size_t>(n);
      last_progress = now;
      note_sent(now);
      auto done = out.begin();
      for (std::size_t left = static_cast<std::size_t>(n); left > 0;) {
        const std::size_t take = std::min(left, done->left());
        done->offset += take;
        left -= take;
        if (done->left() == 0) ++done;
      }
      out.erase(out.begin(), done);
    }
    return true;
  }

  // Asks epoll for writability exactly while bytes wait, so an idle stream costs no wake-up.
  void watch() {
    const bool want_out = !out.empty();
    if (closed || want_out == watching_out) return;
    epoll_event ev{};
    ev.events = EPOLLIN | (want_out ? EPOLLOUT : 0u);
    ev.data.ptr = this;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fd, &ev);
    watching_out = want_out;
  }

  // Lets go of the socket (once); `on_closed` tells the owner.
  void close() {
    if (closed) return;
    closed = true;
    if (fd >= 0) {
      ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);  // before close: a dup'ed fd would stay watched
      stream.socket.close();
    }
    fd = -1;
    ++counts->closed;
    if (subscribed) --counts->subscribed;
    mark_played();
    if (stream.on_closed) stream.on_closed();
  }
};

// One loop thread with its own epoll set and its own streams.
class StreamPump::Shard {
 public:
  explicit Shard(StreamPump& pump) : pump_(pump), epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (epoll_fd_ < 0) throw std::runtime_error("StreamPump: epoll_create1 failed");
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr;  // the wake pipe
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_pipe_.read_fd(), &ev);
    thread_ = std::thread([this] { run(); });
  }
  ~Shard() {
    stop();
    ::close(epoll_fd_);
  }
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  void add(PumpedStream stream) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      incoming_.push_back(std::move(stream));
    }
    wake_pipe_.wake();
  }
  void close_tag(const std::string& tag) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closing_tags_.push_back(tag);
    }
    wake_pipe_.wake();
  }
  std::size_t active() const { return active_.load(); }
  void stop() {
    if (stopping_.exchange(true)) return;
    wake_pipe_.wake();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run();
  void accept_new();
  bool advance(Entry& entry, Clock::time_point now);  // false: finished
  void broadcast(Clock::time_point now);
  void deliver(Entry& entry, const std::shared_ptr<const Tick>& tick, Clock::time_point now);
  void schedule_next_tick(bool after_a_tick);

  // A stream that may need the loop's attention (and was not on the list) joins the busy list.
  void mark_busy(Entry& e) {
    if (e.busy || e.resting()) return;
    e.busy = true;
    busy_.push_back(&e);
  }

  StreamPump& pump_;
  std::vector<std::unique_ptr<Entry>> entries_;  // only the loop thread touches them
  // The streams with steps to play or bytes waiting: each wake-up walks these, not every
  // stream held (an idle broadcast stream costs nothing between ticks).
  std::vector<Entry*> busy_;
  ShardCounts counts_;
  Clock::time_point next_broadcast_;
  std::chrono::system_clock::time_point next_broadcast_wall_;
  std::mutex mutex_;
  std::vector<PumpedStream> incoming_;
  std::vector<std::string> closing_tags_;
  std::atomic<std::size_t> active_{0};
  std::atomic<bool> stopping_{false};
  WakePipe wake_pipe_;
  int epoll_fd_ = -1;
  std::thread thread_;
};

StreamPump::StreamPump(PumpLimits limits) : limits_(limits) {
  const unsigned threads = limits_.threads > 0 ? limits_.threads : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < threads; ++i) shards_.push_back(std::make_unique<Shard>(*this));
}

StreamPump::~StreamPump() {
  stop();
}

void StreamPump::set_broadcast(std::chrono::milliseconds period, TickSource source) {
  {
    std::lock_guard<std::mutex> lock(tick_mutex_);
    tick_source_ = std::move(source);
  }
  broadcast_period_ms_ = period.count();
}

std::shared_ptr<const Tick> StreamPump::tick_at(std::chrono::system_clock::time_point boundary) {
  std::lock_guard<std::mutex> lock(tick_mutex_);
  if (!tick_ || tick_boundary_ != boundary) {
    tick_ = std::make_shared<const Tick>(tick_source_(boundary));
    tick_boundary_ = boundary;
  }
  return tick_;
}

void StreamPump::stop() {
  if (stopped_.exchange(true)) return;
  for (auto& shard : shards_) shard->stop();
}

void StreamPump::add(PumpedStream stream) {
  shards_[next_shard_++ % shards_.size()]->add(std::move(stream));
}

void StreamPump::close_tag(const std::string& tag) {
  for (auto& shard : shards_) shard->close_tag(tag);
}

std::size_t StreamPump::active() const {
  std::size_t total = 0;
  for (const auto& shard : shards_) total += shard->active();
  return total;
}

std::size_t StreamPump::dropped_behind() const { return dropped_behind_.load(); }

bool StreamPump::Shard::advance(Entry& e, Clock::time_point now) {
  PumpedStream& s = e.stream;
  const std::size_t step_count = s.steps ? s.steps->size() : 0;
  // One step in flight at a time: the next is queued once the previous left entirely.
  while (e.out.empty() && e.next_step < step_count) {
    const Step& step = (*s.steps)[e.next_step++];
    if (step.delay_ms > 0) {
      e.due = now + std::chrono::milliseconds(step.delay_ms);
      return true;
    }
    // Aliasing: the chunk keeps the shared script alive and points into it.
    if (!e.write(std::shared_ptr<const std::string>(s.steps, &step.bytes), now)) return false;
  }
  if (e.next_step < step_count) return true;  // a step still in flight
  // Ticks may queue behind a broadcast stream's head: they leave together.
  if (!e.out.empty() && !s.broadcast) return true;
  e.mark_played();
  if (s.broadcast) {
    e.subscribe();
    // The current period's tick at once, so a new client need not wait for the next one.
    const long long period_ms = pump_.broadcast_period_ms_.load();
    if (period_ms > 0) {
      const auto period = std::chrono::milliseconds(period_ms);
      const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch());
      deliver(e, pump_.tick_at(std::chrono::system_clock::time_point(wall - wall % period)), now);
    }
    return !e.closed;
  }
  switch (s.end) {
    case End::hang:
      e.idle = true;
      return true;
    case End::close:
      drain_input(e.fd);  // unread input would turn close() into a reset
      ::shutdown(e.fd, SHUT_WR);
      break;
    case End::reset: {
      struct linger hard {1, 0};
      ::setsockopt(e.fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
      break;
    }
  }
  e.close();
  if (s.on_ended) s.on_ended();
  return false;
}

void StreamPump::Shard::deliver(Entry& e, const std::shared_ptr<const Tick>& tick, Clock::time_point now) {
  if (e.closed || tick->seq <= e.stream.after_seq) return;
  e.stream.after_seq = tick->seq;  // a stream never gets the same tick twice
  if (!e.write(std::shared_ptr<const std::string>(tick, &tick->bytes), now)) {
    e.close();
  } else if (e.queued > pump_.limits_.max_queued_bytes) {
    ++pump_.dropped_behind_;
    e.close();
  }
}

void StreamPump::Shard::broadcast(Clock::time_point now) {
  // Stamped with the period boundary it stands for, not the (slightly later) moment it runs.
  const auto tick = pump_.tick_at(next_broadcast_wall_);
  for (auto& e : entries_) {
    if (e->subscribed) {
      deliver(*e, tick, now);
      e->watch();
      mark_busy(*e);  // fell behind: the stall clock runs
    }
  }
}

void StreamPump::Shard::accept_new() {
  std::vector<PumpedStream> fresh;
  std::vector<std::string> tags;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    fresh.swap(incoming_);
    tags.swap(closing_tags_);
  }
  const Clock::time_point now = Clock::now();
  for (PumpedStream& s : fresh) {
    auto e = std::make_unique<Entry>();
    e->fd = s.socket.impl()->sockfd();
    e->epoll_fd = epoll_fd_;
    e->counts = &counts_;
    ::fcntl(e->fd, F_SETFL, ::fcntl(e->fd, F_GETFL) | O_NONBLOCK);
    watch_for_dead_peer(e->fd, pump_.limits_.dead_peer);
    e->stream = std::move(s);
    e->due = e->last_progress = now;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = e.get();
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, e->fd, &ev) != 0) {
      e->close();  // not watched, so never served: let it go at once
      continue;
    }
    e->queue(std::make_shared<const std::string>(std::move(e->stream.head)), now);
    e->stream.head.clear();
    // A broadcast stream's head and the current tick leave in one write.
    if (e->stream.broadcast && !advance(*e, now)) e->close();
    if (!e->closed && !e->flush(now)) e->close();
    e->watch();
    mark_busy(*e);
    entries_.push_back(std::move(e));
  }
  if (!tags.empty()) {
    for (auto& e : entries_) {
      if (std::find(tags.begin(), tags.end(), e->stream.tag) != tags.end()) e->close();
    }
  }
}

// The next wall-clock period boundary, so ticks land on whole seconds. Both clocks are read now
// (a broadcast may have taken a while), and after a tick the boundary is always a later one.
void StreamPump::Shard::schedule_next_tick(bool after_a_tick) {
  const auto period = std::chrono::milliseconds(pump_.broadcast_period_ms_.load());
  const Clock::time_point steady = Clock::now();
  const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  auto boundary = std::chrono::system_clock::time_point(wall + (period - wall % period));
  if (after_a_tick && boundary <= next_broadcast_wall_) boundary = next_broadcast_wall_ + period;
  next_broadcast_ = steady + (boundary.time_since_epoch() - wall);
  next_broadcast_wall_ = boundary;
}

void StreamPump::Shard::run() {
  const PumpLimits& limits = pump_.limits_;
  std::vector<epoll_event> events(1024);
  while (!stopping_) {
    accept_new();
    Clock::time_point now = Clock::now();
    Clock::time_point next = now + kMaxPollWait;
    // Only the busy streams: play due steps, drop those that stay behind, find the next deadline.
    std::size_t kept = 0;
    for (Entry* e : busy_) {
      if (!e->closed && !e->out.empty() && now - e->last_progress > limits.max_stall) {  // stays behind
        ++pump_.dropped_behind_;
        e->close();
      }
      if (!e->closed && !e->idle && e->out.empty() && e->due <= now && !advance(*e, now)) e->close();
      e->watch();
      if (e->resting()) {
        e->busy = false;
        continue;
      }
      if (!e->idle && e->out.empty()) next = std::min(next, e->due);
      if (!e->out.empty()) next = std::min(next, e->last_progress + limits.max_stall);
      busy_[kept++] = e;
    }
    busy_.resize(kept);
    if (pump_.broadcast_period_ms_.load() > 0) {
      const bool due = next_broadcast_ != Clock::time_point{} && now >= next_broadcast_;
      if (due && counts_.subscribed > 0) broadcast(now);
      if (due || next_broadcast_ == Clock::time_point{}) schedule_next_tick(due);
      if (counts_.subscribed > 0) next = std::min(next, next_broadcast_);
    }
    if (counts_.closed > 0) {  // free them (never while an epoll batch may still name them)
      busy_.erase(std::remove_if(busy_.begin(), busy_.end(), [](const Entry* e) { return e->closed; }), busy_.end());
      entries_.erase(std::remove_if(entries_.begin(), entries_.end(), [](const auto& e) { return e->closed; }),
                     entries_.end());
      counts_.closed = 0;
    }
    active_ = entries_.size();

    // Sleep until a step or tick is due, a socket can take more, a peer speaks or leaves, or
    // work arrives. epoll reports only the sockets that are ready, so a wake-up costs what
    // happened, not one entry per stream held.
    // epoll_pwait2 takes nanoseconds: a tick is not late by the millisecond epoll_wait rounds to.
    const long long wait_ns =
        std::max<long long>(0, std::chrono::duration_cast<std::chrono::nanoseconds>(next - Clock::now()).count());
    const timespec timeout{static_cast<time_t>(wait_ns / 1000000000), static_cast<long>(wait_ns % 1000000000)};
    const int ready = ::epoll_pwait2(epoll_fd_, events.data(), static_cast<int>(events.size()), &timeout, nullptr);
    if (ready <= 0) continue;
    now = Clock::now();
    for (int i = 0; i < ready; ++i) {
      const epoll_event& ev = events[static_cast<std::size_t>(i)];
      if (ev.data.ptr == nullptr) {
        wake_pipe_.drain();
        continue;
      }
      Entry& e = *static_cast<Entry*>(ev.data.ptr);
      if (e.closed) continue;  // closed earlier in this batch; freed only after it
      if (ev.events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        char scratch[4096];
        const ssize_t n = ::recv(e.fd, scratch, sizeof scratch, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
          e.close();  // the client went away
          continue;
        }
      }
      if ((ev.events & EPOLLOUT) && !e.flush(now)) {
        e.close();
        continue;
      }
      e.watch();
      mark_busy(e);
    }
  }
  for (auto& e : entries_) e->close();
  entries_.clear();
  active_ = 0;
}

}  // namespace ssespec::server
