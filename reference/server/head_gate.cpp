#include "server/head_gate.hpp"

#include <Poco/Net/StreamSocketImpl.h>

#include <Poco/String.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
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
  Clock::time_point deadline;  // of the head, then of the body
  std::size_t need = 0;        // once the head is in: head + Content-Length bytes (0: head not yet)
  bool chunked = false;        // once the head is in: a chunked body, complete at its last chunk
  std::size_t head_size = 0;
  long long body_length = -1;  // as the head said
};

void set_blocking(int fd, bool blocking) {
  const int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, blocking ? (flags & ~O_NONBLOCK) : (flags | O_NONBLOCK));
}

// A last word before closing a connection that never became a request; `why`, if any, as the body.
void refuse(int fd, std::string_view status_line, std::string_view why = {}) {
  std::string bytes = std::string(status_line) + "\r\nConnection: close\r\n";
  if (!why.empty()) bytes += "Content-Type: text/plain; charset=utf-8\r\n";
  bytes += "Content-Length: " + std::to_string(why.size()) + "\r\n\r\n" + std::string(why);
  [[maybe_unused]] const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  char scratch[4096];
  while (::recv(fd, scratch, sizeof scratch, MSG_DONTWAIT) > 0) {
  }  // unread input would turn close() into a reset that discards the answer
  ::shutdown(fd, SHUT_WR);
  ::close(fd);
}

enum class HeadState { incomplete, complete, too_long, body_too_large, gone };

// Where the head ends (just past its blank line) in what was peeked, or npos.
std::size_t head_end(std::string_view seen) {
  const std::size_t crlf = seen.find("\r\n\r\n");
  const std::size_t lf = seen.find("\n\n");
  if (crlf == std::string_view::npos && lf == std::string_view::npos) return std::string_view::npos;
  return crlf < lf ? crlf + 4 : lf + 2;
}

HeadState peek(int fd, std::vector<char>& buffer, std::string_view& seen) {
  const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return HeadState::gone;
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? HeadState::incomplete : HeadState::gone;
  seen = std::string_view(buffer.data(), static_cast<std::size_t>(n));
  return HeadState::complete;
}

HeadState peek_head(int fd, std::vector<char>& buffer, std::string_view& head) {
  std::string_view seen;
  const HeadState state = peek(fd, buffer, seen);
  if (state != HeadState::complete) return state;
  const std::size_t end = head_end(seen);
  if (end != std::string_view::npos) {
    head = seen.substr(0, end);
    return HeadState::complete;
  }
  return seen.size() >= buffer.size() ? HeadState::too_long : HeadState::incomplete;
}

// What the head says of its body: its Content-Length (-1: none), or chunked; bad: no usable
// length (POCO answers that one).
struct BodyFraming {
  long long length = -1;
  bool chunked = false;
};

BodyFraming body_framing(std::string_view head) {
  BodyFraming framing;
  for (std::size_t at = head.find('\n'); at != std::string_view::npos && at + 1 < head.size();) {
    const std::size_t end = head.find('\n', at + 1);
    std::string line(head.substr(at + 1, end == std::string_view::npos ? std::string_view::npos : end - at - 1));
    at = end;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string name = Poco::toLower(line.substr(0, colon));
    const std::string value = Poco::trim(line.substr(colon + 1));
    if (name == "content-length" && !value.empty() && value.size() <= 18 &&
        value.find_first_not_of("0123456789") == std::string::npos) {
      framing.length = std::stoll(value);
    } else if (name == "transfer-encoding" && Poco::toLower(value).find("chunked") != std::string::npos) {
      framing.chunked = true;
    }
  }
  return framing;
}

// Bytes waiting in the socket's receive queue.
std::size_t waiting_bytes(int fd) {
  int n = 0;
  return ::ioctl(fd, FIONREAD, &n) == 0 && n > 0 ? static_cast<std::size_t>(n) : 0;
}


// poll() reports the socket readable only once `bytes` wait in it (or the peer closed): data
// peeked but not read would otherwise make it ready at once, every time round.
void wake_when(int fd, std::size_t bytes) {
  const int at_least = static_cast<int>(std::clamp<std::size_t>(bytes, 1, 1u << 30));
  ::setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &at_least, sizeof at_least);
}

// Whether the body has arrived, or enough of it (`window`) to show the client is no trickler.
HeadState peek_body(const Waiting& w, std::vector<char>& buffer, std::size_t window) {
  const std::size_t enough = w.chunked ? w.head_size + window : std::min(w.need, w.head_size + window);
  const std::size_t in_socket = waiting_bytes(w.fd);
  if (in_socket >= enough) return HeadState::complete;
  std::string_view seen;
  const HeadState state = peek(w.fd, buffer, seen);
  if (state != HeadState::complete) return state;
  if (w.chunked) {
    // The last chunk: "0" CRLF, no trailer, CRLF (with a trailer: the window or the deadline).
    const std::string_view body = seen.substr(std::min(seen.size(), w.head_size));
    if (body.rfind("0\r\n\r\n", 0) == 0 || body.find("\r\n0\r\n\r\n") != std::string_view::npos) return HeadState::complete;
    wake_when(w.fd, seen.size() + 1);
  } else {
    wake_when(w.fd, enough);
  }
  return HeadState::incomplete;
}

// Reads what arrived of `w`'s request (its head, then its body) and says whether it is whole.
HeadState advance_request(Waiting& w, Clock::time_point now, const GateLimits& limits,
                          std::vector<char>& head_buffer, std::vector<char>& body_buffer) {
  if (w.head_size > 0) return peek_body(w, body_buffer, limits.body_window);
  std::string_view head;
  const HeadState state = peek_head(w.fd, head_buffer, head);
  if (state == HeadState::incomplete) {
    wake_when(w.fd, waiting_bytes(w.fd) + 1);
    return state;
  }
  if (state != HeadState::complete) return state;
  const BodyFraming framing = body_framing(head);
  w.body_length = framing.length;
  if (framing.length > 0 && static_cast<std::size_t>(framing.length) > limits.max_body_bytes) return HeadState::body_too_large;
  if (framing.length <= 0 && !framing.chunked) return HeadState::complete;
  w.head_size = head.size();  // now wait for the body, with its own deadline
  w.chunked = framing.chunked;
  w.need = framing.chunked ? 0 : head.size() + static_cast<std::size_t>(framing.length);
  w.deadline = now + limits.body_deadline;
  return peek_body(w, body_buffer, limits.body_window);
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
  std::vector<char> head_buffer(limits_.max_head_bytes);
  std::vector<char> body_buffer(limits_.max_head_bytes + limits_.body_window);
  Clock::time_point accept_paused_until{};  // out of descriptors: let streams end first
  while (!stopping_) {
    Clock::time_point next = Clock::now() + std::chrono::milliseconds(250);
    fds.clear();
    fds.push_back({wake_pipe_.read_fd(), POLLIN, 0});
    fds.push_back({Clock::now() < accept_paused_until ? -1 : listen_fd, POLLIN, 0});
    for (const Waiting& w : waiting) {
      fds.push_back({w.fd, POLLIN | POLLRDHUP, 0});
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
      Waiting& w = waiting[i];
      const short revents = fds[i + 2].revents;
      HeadState state = revents ? advance_request(w, now, limits_, head_buffer, body_buffer) : HeadState::incomplete;
      // Closed (or half-closed) before the request was whole: nothing more will come.
      if (state == HeadState::incomplete && (revents & (POLLRDHUP | POLLHUP | POLLERR))) state = HeadState::gone;
      switch (state) {
        case HeadState::complete:
          wake_when(w.fd, 1);        // POCO's reads must not wait for more than they ask
          set_blocking(w.fd, true);  // POCO's connection reads with timeouts on a blocking socket
          dispatch_(Poco::Net::StreamSocket(new Poco::Net::StreamSocketImpl(w.fd)));
          break;
        case HeadState::too_long:
          refuse(w.fd, "HTTP/1.1 431 Request Header Fields Too Large");
          break;
        case HeadState::body_too_large:
          refuse(w.fd, "HTTP/1.1 413 Content Too Large",
                 "request body of " + std::to_string(w.body_length) + " bytes: the limit is " +
                     std::to_string(limits_.max_body_bytes) + " bytes\n");
          break;
        case HeadState::gone:
          ::close(w.fd);
          break;
        case HeadState::incomplete:
          if (now >= w.deadline) {
            refuse(w.fd, "HTTP/1.1 408 Request Timeout",
                   w.head_size > 0 ? "the request body did not arrive in time\n" : "the request head did not arrive in time\n");
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
