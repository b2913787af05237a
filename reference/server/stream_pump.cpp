#include "server/stream_pump.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>

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

  void mark_played() {
    if (played) return;
    played = true;
    if (stream.on_played) stream.on_played();
  }

  // Sends what the socket takes at once and queues the rest (behind anything already queued);
  // false if the peer is gone.
  bool write(std::shared_ptr<const std::string> bytes, Clock::time_point now) {
    if (bytes->empty()) return true;
    std::size_t offset = 0;
    if (out.empty()) {  // the usual case: straight to the socket, no queue entry
      last_progress = now;
      const ssize_t n = send_some(bytes->data(), bytes->size());
      if (n < 0) return false;
      offset = static_cast<std::size_t>(n);
      if (n > 0) note_sent(now);
      if (offset == bytes->size()) return true;
    }
    queued += bytes->size() - offset;
    out.push_back({std::move(bytes), offset});
    return true;
  }

  void note_sent(Clock::time_point now) const {
    if (stream.sent_at) stream.sent_at->store(now.time_since_epoch().count(), std::memory_order_relaxed);
  }

  // Bytes the socket took (0 when full), or -1 if the peer is gone.
  ssize_t send_some(const char* data, std::size_t size) const {
    for (;;) {
      const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n >= 0) return n;
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    }
  }

  // Writes what the socket takes now; false if the peer is gone.
  bool flush(Clock::time_point now) {
    while (!out.empty()) {
      Chunk& c = out.front();
      const ssize_t n = send_some(c.owner->data() + c.offset, c.left());
      if (n < 0) return false;
      if (n == 0) return true;  // full: poll() says when it can take more
      c.offset += static_cast<std::size_t>(n);
      queued -= static_cast<std::size_t>(n);
      last_progress = now;
      note_sent(now);
      if (c.left() == 0) out.erase(out.begin());
    }
    return true;
  }

  // Lets go of the socket (once); `on_closed` tells the owner.
  void close() {
    if (closed) return;
    closed = true;
    if (fd >= 0) stream.socket.close();
    fd = -1;
    mark_played();
    if (stream.on_closed) stream.on_closed();
  }
};

StreamPump::StreamPump(PumpLimits limits) : limits_(limits) {
  thread_ = std::thread([this] { run(); });
}

StreamPump::~StreamPump() {
  stop();
}

void StreamPump::set_broadcast(std::chrono::milliseconds period, TickSource source) {
  std::lock_guard<std::mutex> lock(mutex_);
  broadcast_period_ = period;
  tick_source_ = std::move(source);
}

void StreamPump::stop() {
  if (stopping_.exchange(true)) return;
  wake();
  if (thread_.joinable()) thread_.join();
}

void StreamPump::wake() { wake_pipe_.wake(); }

void StreamPump::add(PumpedStream stream) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    incoming_.push_back(std::move(stream));
  }
  wake();
}

void StreamPump::close_tag(const std::string& tag) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closing_tags_.push_back(tag);
  }
  wake();
}

std::size_t StreamPump::active() const { return active_.load(); }
std::size_t StreamPump::dropped_behind() const { return dropped_behind_.load(); }

bool StreamPump::advance(Entry& e, Clock::time_point now) {
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
  if (!e.out.empty()) return true;  // the rest when the socket is writable again
  e.mark_played();
  if (s.broadcast) {
    e.subscribed = e.idle = true;
    // The current tick at once, so a new client need not wait for the next period.
    if (tick_source_) deliver(e, std::make_shared<const Tick>(tick_source_(std::chrono::system_clock::now())), now);
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

void StreamPump::deliver(Entry& e, const std::shared_ptr<const Tick>& tick, Clock::time_point now) {
  if (e.closed || tick->seq <= e.stream.after_seq) return;
  e.stream.after_seq = tick->seq;  // a stream never gets the same tick twice
  if (!e.write(std::shared_ptr<const std::string>(tick, &tick->bytes), now)) {
    e.close();
  } else if (e.queued > limits_.max_queued_bytes) {
    ++dropped_behind_;
    e.close();
  }
}

void StreamPump::broadcast(std::vector<std::unique_ptr<Entry>>& entries, Clock::time_point now) {
  // Stamped with the period boundary it stands for, not the (slightly later) moment it runs.
  const auto tick = std::make_shared<const Tick>(tick_source_(next_broadcast_wall_));
  for (auto& e : entries) {
    if (e->subscribed) deliver(*e, tick, now);
  }
}

void StreamPump::accept_new(std::vector<std::unique_ptr<Entry>>& entries) {
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
    ::fcntl(e->fd, F_SETFL, ::fcntl(e->fd, F_GETFL) | O_NONBLOCK);
    watch_for_dead_peer(e->fd, limits_.dead_peer);
    e->stream = std::move(s);
    e->due = e->last_progress = now;
    std::string head = std::move(e->stream.head);
    e->stream.head.clear();
    if (!e->write(std::make_shared<const std::string>(std::move(head)), now)) e->close();
    entries.push_back(std::move(e));
  }
  if (!tags.empty()) {
    for (auto& e : entries) {
      if (std::find(tags.begin(), tags.end(), e->stream.tag) != tags.end()) e->close();
    }
  }
}

void StreamPump::run() {
  std::vector<std::unique_ptr<Entry>> entries;
  std::vector<pollfd> fds;
  while (!stopping_) {
    accept_new(entries);
    Clock::time_point now = Clock::now();
    bool any_subscribed = false;
    for (auto& e : entries) {
      if (e->closed) continue;
      if (!e->out.empty() && now - e->last_progress > limits_.max_stall) {  // stays behind
        ++dropped_behind_;
        e->close();
        continue;
      }
      if (!e->idle && e->out.empty() && e->due <= now && !advance(*e, now)) e->close();
      any_subscribed = any_subscribed || e->subscribed;
    }
    if (tick_source_ && broadcast_period_.count() > 0) {
      const bool due = next_broadcast_ != Clock::time_point{} && now >= next_broadcast_;
      if (due && any_subscribed) broadcast(entries, now);
      if (due || next_broadcast_ == Clock::time_point{}) {
        // The next wall-clock period boundary, so ticks land on whole seconds. Both clocks are
        // read now (a broadcast may have taken a while since `now`), and the boundary is always
        // a later one than the tick just sent.
        const Clock::time_point steady = Clock::now();
        const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now().time_since_epoch());
        auto boundary = std::chrono::system_clock::time_point(wall + (broadcast_period_ - wall % broadcast_period_));
        if (due && boundary <= next_broadcast_wall_) boundary = next_broadcast_wall_ + broadcast_period_;
        next_broadcast_ = steady + (boundary.time_since_epoch() - wall);
        next_broadcast_wall_ = boundary;
      }
    }
    entries.erase(std::remove_if(entries.begin(), entries.end(), [](const auto& e) { return e->closed; }),
                  entries.end());
    active_ = entries.size();

    // Sleep until a step or tick is due, a socket can take more, a peer speaks or leaves, or
    // work arrives.
    Clock::time_point next = Clock::now() + kMaxPollWait;
    if (any_subscribed) next = std::min(next, next_broadcast_);
    fds.clear();
    fds.push_back({wake_pipe_.read_fd(), POLLIN, 0});
    for (const auto& e : entries) {
      if (!e->idle && e->out.empty()) next = std::min(next, e->due);
      if (!e->out.empty()) next = std::min(next, e->last_progress + limits_.max_stall);
      fds.push_back({e->fd, static_cast<short>(POLLIN | (e->out.empty() ? 0 : POLLOUT)), 0});
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now());
    const int timeout_ms = static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, wait.count() + 1));
    if (::poll(fds.data(), fds.size(), timeout_ms) <= 0) continue;
    if (fds[0].revents) wake_pipe_.drain();
    now = Clock::now();
    for (std::size_t i = 1; i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      Entry& e = *entries[i - 1];
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        char scratch[4096];
        const ssize_t n = ::recv(e.fd, scratch, sizeof scratch, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
          e.close();  // the client went away
          continue;
        }
      }
      if ((fds[i].revents & POLLOUT) && !e.flush(now)) e.close();
    }
  }
  for (auto& e : entries) e->close();
  active_ = 0;
}

}  // namespace ssespec::server
