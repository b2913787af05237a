#include "server/head_gate.hpp"

#include <Poco/Net/StreamSocketImpl.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace ssespec::server {

using Clock = std::chrono::steady_clock;

namespace {

struct Waiting {
  int fd;
  Clock::time_point deadline;
};

void set_blocking(int fd, bool blocking) {
  const int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, blocking ? (flags & ~O_NONBLOCK) : (flags | O_NONBLOCK));
}

// A last word before closing a connection that never became a request.
void refuse(int fd, std::string_view status_line) {
  const std::string bytes = std::string(status_line) + "\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
  [[maybe_unused]] const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  char scratch[4096];
  while (::recv(fd, scratch, sizeof scratch, MSG_DONTWAIT) > 0) {
  }  // unread input would turn close() into a reset that discards the answer
  ::shutdown(fd, SHUT_WR);
  ::close(fd);
}

enum class HeadState { incomplete, complete, too_long, gone };

HeadState peek_head(int fd, std::vector<char>& buffer) {
  const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return HeadState::gone;
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? HeadState::incomplete : HeadState::gone;
  const std::string_view seen(buffer.data(), static_cast<std::size_t>(n));
  if (seen.find("\r\n\r\n") != std::string_view::npos || seen.find("\n\n") != std::string_view::npos) {
    return HeadState::complete;
  }
  return static_cast<std::size_t>(n) >= buffer.size() ? HeadState::too_long : HeadState::incomplete;
}

}  // namespace

HeadGate::HeadGate(Poco::Net::ServerSocket listener, GateLimits limits, Dispatch dispatch)
    : listener_(std::move(listener)), limits_(limits), dispatch_(std::move(dispatch)) {
  set_blocking(listener_.impl()->sockfd(), false);
  thread_ = std::thread([this] { run(); });
}

HeadGate::~HeadGate() {
  stop();
}

void HeadGate::stop() {
  if (stopping_.exchange(true)) return;
  wake_pipe_.wake();
  if (thread_.joinable()) thread_.join();
  listener_.close();
}

std::size_t HeadGate::waiting() const { return waiting_.load(); }

void HeadGate::run() {
  const int listen_fd = listener_.impl()->sockfd();
  std::vector<Waiting> waiting;
  std::vector<pollfd> fds;
  std::vector<char> buffer(limits_.max_head_bytes);
  Clock::time_point accept_paused_until{};  // out of descriptors: let streams end first
  while (!stopping_) {
    Clock::time_point next = Clock::now() + std::chrono::milliseconds(250);
    fds.clear();
    fds.push_back({wake_pipe_.read_fd(), POLLIN, 0});
    fds.push_back({Clock::now() < accept_paused_until ? -1 : listen_fd, POLLIN, 0});
    for (const Waiting& w : waiting) {
      fds.push_back({w.fd, POLLIN, 0});
      next = std::min(next, w.deadline);
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count();
    const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long long>(0, wait) + 1));
    if (ready < 0 && errno != EINTR) break;
    if (fds[0].revents) wake_pipe_.drain();
    const Clock::time_point now = Clock::now();
    std::vector<Waiting> still;
    still.reserve(waiting.size());
    for (std::size_t i = 0; i < waiting.size(); ++i) {
      const Waiting& w = waiting[i];
      const short revents = fds[i + 2].revents;
      HeadState state = HeadState::incomplete;
      if (revents) state = peek_head(w.fd, buffer);
      switch (state) {
        case HeadState::complete:
          set_blocking(w.fd, true);  // POCO's connection reads with timeouts on a blocking socket
          dispatch_(Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(w.fd)));
          break;
        case HeadState::too_long:
          refuse(w.fd, "HTTP/1.1 431 Request Header Fields Too Large");
          break;
        case HeadState::gone:
          ::close(w.fd);
          break;
        case HeadState::incomplete:
          if (now >= w.deadline) {
            refuse(w.fd, "HTTP/1.1 408 Request Timeout");
          } else {
            still.push_back(w);
          }
          break;
      }
    }
    waiting.swap(still);
    if (fds[1].revents) {  // take every connection the backlog holds
      for (;;) {
        const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
          if (errno == EMFILE || errno == ENFILE) accept_paused_until = now + std::chrono::milliseconds(50);
          break;  // EAGAIN: the backlog is empty
        }
        if (waiting.size() >= limits_.max_waiting) {
          refuse(fd, "HTTP/1.1 503 Service Unavailable");
          continue;
        }
        waiting.push_back({fd, now + limits_.head_deadline});
      }
    }
    waiting_ = waiting.size();
  }
  for (const Waiting& w : waiting) ::close(w.fd);
  waiting_ = 0;
}

}  // namespace ssespec::server
