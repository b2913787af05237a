#include "server/stream_pump.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace ssespec::server {

using Clock = std::chrono::steady_clock;

struct StreamPump::Entry {
  PumpedStream stream;
  int fd = -1;
  Clock::time_point due;
  bool idle = false;  // all steps written, held open (hang)
  bool played = false;

  void mark_played() {
    if (played) return;
    played = true;
    if (stream.on_played) stream.on_played();
  }
};

namespace {

constexpr auto kMaxPollWait = std::chrono::milliseconds(250);

// Writes all bytes or fails (peer gone or not reading for the send timeout).
bool send_all(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

void drain_input(int fd) {
  char scratch[4096];
  while (::recv(fd, scratch, sizeof scratch, MSG_DONTWAIT) > 0) {
  }
}

}  // namespace

StreamPump::StreamPump() {
  if (::pipe(wake_pipe_) != 0) throw std::runtime_error("StreamPump: pipe() failed");
  for (const int fd : wake_pipe_) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  thread_ = std::thread([this] { run(); });
}

StreamPump::~StreamPump() {
  stop();
  ::close(wake_pipe_[0]);
  ::close(wake_pipe_[1]);
}

void StreamPump::stop() {
  if (stopping_.exchange(true)) return;
  wake();
  if (thread_.joinable()) thread_.join();
}

void StreamPump::wake() {
  const char byte = 1;
  [[maybe_unused]] const ssize_t n = ::write(wake_pipe_[1], &byte, 1);
}

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

bool StreamPump::advance(Entry& e, Clock::time_point now) {
  PumpedStream& s = e.stream;
  while (!s.steps.empty()) {
    Step step = std::move(s.steps.front());
    s.steps.pop_front();
    if (step.delay_ms > 0) {
      e.due = now + std::chrono::milliseconds(step.delay_ms);
      return true;
    }
    if (!send_all(e.fd, step.bytes)) return false;
  }
  e.mark_played();
  if (s.tick) {
    if (!send_all(e.fd, s.tick())) return false;
    e.due = now + std::chrono::milliseconds(s.period_ms);
    return true;
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
  s.socket.close();
  if (s.on_ended) s.on_ended();
  e.fd = -1;
  return false;
}

void StreamPump::run() {
  std::vector<std::unique_ptr<Entry>> entries;
  std::vector<pollfd> fds;
  while (!stopping_) {
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
      struct timeval send_timeout {2, 0};
      ::setsockopt(e->fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
      e->stream = std::move(s);
      e->due = now;
      entries.push_back(std::move(e));
    }
    if (!tags.empty()) {
      for (auto& e : entries) {
        if (std::find(tags.begin(), tags.end(), e->stream.tag) == tags.end()) continue;
        e->stream.socket.close();
        e->fd = -1;
      }
    }
    // Play every step that is due.
    for (auto& e : entries) {
      if (e->fd < 0 || e->idle || e->due > now) continue;
      if (!advance(*e, now)) {
        if (e->fd >= 0) e->stream.socket.close();
        e->fd = -1;
      }
    }
    for (auto& e : entries) {
      if (e->fd < 0) e->mark_played();
    }
    entries.erase(std::remove_if(entries.begin(), entries.end(), [](const auto& e) { return e->fd < 0; }),
                  entries.end());
    active_ = entries.size();

    // Sleep until the next step is due, a stream's peer speaks or leaves, or work arrives.
    Clock::time_point next = Clock::now() + kMaxPollWait;
    for (const auto& e : entries) {
      if (!e->idle) next = std::min(next, e->due);
    }
    fds.clear();
    fds.push_back({wake_pipe_[0], POLLIN, 0});
    for (const auto& e : entries) fds.push_back({e->fd, POLLIN, 0});
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now());
    const int timeout_ms = static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, wait.count()));
    if (::poll(fds.data(), fds.size(), timeout_ms) <= 0) continue;
    if (fds[0].revents) {
      char scratch[64];
      while (::read(wake_pipe_[0], scratch, sizeof scratch) > 0) {
      }
    }
    for (std::size_t i = 1; i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      Entry& e = *entries[i - 1];
      char scratch[4096];
      const ssize_t n = ::recv(e.fd, scratch, sizeof scratch, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        e.stream.socket.close();  // the client went away
        e.fd = -1;
      }
    }
  }
  for (auto& e : entries) {
    if (e->fd >= 0) e->stream.socket.close();
    e->mark_played();
  }
  active_ = 0;
}

}  // namespace ssespec::server
