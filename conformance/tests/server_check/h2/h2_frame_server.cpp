// A frame-level HTTP/2 test server (h2c, prior knowledge) for the server/h2/* checks: each
// path is one behaviour no ordinary framework would show on purpose. Listens on 127.0.0.1,
// prints "listening on PORT" when ready, and runs until killed.
//   /ok                      200 text/event-stream; an event "id: N" every 100 ms
//   /field/NAME/VALUE        /ok plus that response field, name as given (uppercase kept)
//   /silent                  never answers
//   /held                    HEADERS only with the first event, after 1 s
//   /end/MS                  /ok, then END_STREAM after MS
//   /reset/CODE/MS           /ok, then an event and RST_STREAM(CODE) in one write after MS
//   /goaway/MS               /ok, then GOAWAY(NO_ERROR) and the connection closed after MS
//   /overrun                 /ok, then raw DATA frames past any window (a flow-control fault)
//   /stall-after-update      /ok until the client's first WINDOW_UPDATE, then nothing
// Options: --max-concurrent N announces SETTINGS_MAX_CONCURRENT_STREAMS N.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nghttp2/nghttp2.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "h2_server_session.hpp"

namespace {

using ssespec::h2::Fields;
using ssespec::h2::test::Request;
using ssespec::h2::test::ServerSession;
using Clock = std::chrono::steady_clock;

struct Stream {
  std::string path;
  Clock::time_point start;
  Clock::time_point next_event;
  int events = 0;
  bool answered = false;
  bool done = false;
};

struct Conn {
  int fd;
  std::unique_ptr<ServerSession> session;
  std::map<std::int32_t, Stream> streams;
  std::string raw;  // bytes written after the session's own (the overrun)
};

std::vector<std::string> parts(const std::string& path) {
  std::vector<std::string> out;
  std::size_t at = 1;
  while (at <= path.size()) {
    const std::size_t slash = path.find('/', at);
    out.push_back(path.substr(at, slash == std::string::npos ? std::string::npos : slash - at));
    if (slash == std::string::npos) break;
    at = slash + 1;
  }
  return out;
}

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

std::string event(int n) { return "id: " + std::to_string(n) + "\ndata: tick " + std::to_string(n) + "\n\n"; }

std::string data_frame(std::int32_t stream, const std::string& payload) {
  std::string frame;
  const std::size_t n = payload.size();
  frame += static_cast<char>((n >> 16) & 0xff);
  frame += static_cast<char>((n >> 8) & 0xff);
  frame += static_cast<char>(n & 0xff);
  frame += '\0';  // DATA
  frame += '\0';  // no flags
  frame += static_cast<char>((stream >> 24) & 0x7f);
  frame += static_cast<char>((stream >> 16) & 0xff);
  frame += static_cast<char>((stream >> 8) & 0xff);
  frame += static_cast<char>(stream & 0xff);
  return frame + payload;
}

// Advances one stream; false when the connection should close.
bool step(Conn& c, std::int32_t id, Stream& s) {
  if (s.done) return true;
  const std::vector<std::string> p = parts(s.path);
  const std::string kind = p.empty() ? "" : p[0];
  const Fields base{{":status", "200"}, {"content-type", "text/event-stream"}, {"cache-control", "no-store"}};
  if (kind == "silent") return true;
  if (!s.answered) {
    if (kind == "held" && ms_since(s.start) < 1000) return true;
    Fields head = base;
    if (kind == "field" && p.size() >= 3) head.emplace_back(p[1], p[2]);
    c.session->respond(id, head);
    s.answered = true;
  }
  if (kind == "stall-after-update" && c.session->window_updates(id) > 0) return true;
  if (kind == "end" && p.size() >= 2 && ms_since(s.start) >= std::atof(p[1].c_str())) {
    c.session->send(id, event(++s.events), true);
    s.done = true;
    return true;
  }
  if (kind == "reset" && p.size() >= 3 && ms_since(s.start) >= std::atof(p[2].c_str())) {
    c.session->send(id, event(++s.events));
    c.session->reset(id, static_cast<std::uint32_t>(std::atoi(p[1].c_str())));
    s.done = true;
    return true;
  }
  if (kind == "goaway" && p.size() >= 2 && ms_since(s.start) >= std::atof(p[1].c_str())) {
    c.session->goaway(NGHTTP2_NO_ERROR);
    s.done = true;
    return false;
  }
  if (kind == "overrun" && s.events >= 1) {
    for (int i = 0; i < 8; ++i) c.raw += data_frame(id, ": " + std::string(16000, 'x') + "\n");
    s.done = true;
    return true;
  }
  if (Clock::now() >= s.next_event) {
    c.session->send(id, event(++s.events));
    s.next_event = Clock::now() + std::chrono::milliseconds(100);
  }
  return true;
}

bool write_all(int fd, const std::string& bytes) {
  for (std::size_t at = 0; at < bytes.size();) {
    const ssize_t n = ::send(fd, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL);
    if (n <= 0) return false;
    at += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint32_t max_concurrent = 0;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--max-concurrent") == 0) max_concurrent = static_cast<std::uint32_t>(std::atoi(argv[i + 1]));
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 64) != 0) {
    std::perror("h2_frame_server: bind/listen");
    return 1;
  }
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  std::printf("listening on %d\n", ntohs(addr.sin_port));
  std::fflush(stdout);
  std::vector<std::unique_ptr<Conn>> conns;
  for (;;) {
    std::vector<pollfd> fds{{listener, POLLIN, 0}};
    for (const auto& c : conns) fds.push_back({c->fd, POLLIN, 0});
    ::poll(fds.data(), fds.size(), 10);
    if (fds[0].revents & POLLIN) {
      const int fd = ::accept(listener, nullptr, nullptr);
      if (fd >= 0) conns.push_back(std::make_unique<Conn>(Conn{fd, std::make_unique<ServerSession>(max_concurrent), {}, {}}));
    }
    for (std::size_t i = 0; i < conns.size();) {
      Conn& c = *conns[i];
      bool keep = true;
      const pollfd* polled = nullptr;
      for (const auto& f : fds)
        if (f.fd == c.fd) polled = &f;
      if (polled != nullptr && (polled->revents & (POLLIN | POLLHUP | POLLERR))) {
        char buffer[16384];
        const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
        bool ok = n > 0;
        if (ok) {
          for (Request& r : c.session->feed(std::string_view(buffer, static_cast<std::size_t>(n)), &ok)) {
            c.streams[r.stream] = Stream{r.field(":path"), Clock::now(), Clock::now()};
          }
        }
        keep = ok;
      }
      for (std::int32_t closed : c.session->closed()) c.streams.erase(closed);
      c.session->clear_closed();
      for (auto& [id, s] : c.streams) keep = step(c, id, s) && keep;
      keep = write_all(c.fd, c.session->take_output()) && keep;
      if (!c.raw.empty()) {
        write_all(c.fd, c.raw);
        c.raw.clear();
      }
      if (!keep) {
        ::close(c.fd);
        conns.erase(conns.begin() + static_cast<long>(i));
      } else {
        ++i;
      }
    }
  }
}
