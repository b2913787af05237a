#include "load/load_run.hpp"

#include <Poco/JSON/Object.h>
#include <Poco/URI.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <functional>
#include <iomanip>
#include <memory>
#include <queue>
#include <sstream>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "client/http_head.hpp"
#include "server_check/http_response.hpp"
#include "ssespec/mime.hpp"
#include "ssespec/parser.hpp"

namespace ssespec::load {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kDefaultRetryMs = 1000;
constexpr std::size_t kRememberedEvents = 4096;  // distinct events kept for the spread
// Per stream, so a hostile server cannot grow the run's memory beyond clients x these.
constexpr Limits kStreamLimits{16 * 1024, 64 * 1024};

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double wall_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool all_digits(std::string_view s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos; }

enum class Phase { waiting, connecting, heading, streaming };

struct Conn {
  int fd = -1;
  Phase phase = Phase::waiting;
  std::uint64_t attempt = 0;
  Clock::time_point started;
  std::unique_ptr<ResponseReader> reader;  // this attempt's response: head, framing, coding
  Parser parser{kStreamLimits};
  std::uint64_t retry_ms = kDefaultRetryMs;
  bool ever_streamed = false;
  bool first_event_seen = false;  // on this connection
};

struct Scheduled {
  Clock::time_point at;
  std::size_t index;
  std::uint64_t attempt;  // for deadlines: still the same attempt?
  bool operator>(const Scheduled& other) const { return at > other.at; }
};
using TimeQueue = std::priority_queue<Scheduled, std::vector<Scheduled>, std::greater<Scheduled>>;

class Run;

class Sink final : public EventSink {
 public:
  Sink(Run& run, Conn& conn) : run_(run), conn_(conn) {}
  void on_event(const Event& event) override;
  void on_retry(std::uint64_t milliseconds) override { conn_.retry_ms = milliseconds; }

 private:
  Run& run_;
  Conn& conn_;
};

class Run {
 public:
  explicit Run(const LoadOptions& options) : options_(options), conns_(static_cast<std::size_t>(options.clients)) {}

  LoadResult go();
  void on_event(Conn& conn, const Event& event);

 private:
  bool resolve();
  void start(std::size_t index, Clock::time_point now);
  void fail_attempt(Conn& conn, std::size_t index, Clock::time_point now);
  void end_stream(Conn& conn, std::size_t index, Clock::time_point now, bool reset);
  void close_socket(Conn& conn);
  void on_ready(std::size_t index, std::uint32_t events, Clock::time_point now);
  void on_bytes(Conn& conn, std::size_t index, std::string_view bytes, Clock::time_point now);
  void schedule(std::size_t index, Clock::time_point at) { starts_.push({at, index, 0}); }

  const LoadOptions& options_;
  std::vector<Conn> conns_;
  LoadResult result_;
  sockaddr_in address_{};
  std::string request_;
  int epoll_ = -1;
  int held_ = 0;
  Clock::time_point t0_;
  TimeQueue starts_;
  TimeQueue deadlines_;
  std::unordered_map<std::string, double> first_arrival_;  // event key -> ms since t0
  std::deque<std::string> arrival_order_;
  std::string scratch_;
  Clock::time_point arrival_;  // when the current epoll batch was reported
  double arrival_wall_ms_ = 0;
};

void Sink::on_event(const Event& event) { run_.on_event(conn_, event); }

bool Run::resolve() {
  Poco::URI uri;
  try {
    uri = Poco::URI(options_.url);
  } catch (const Poco::Exception& e) {
    result_.error = "not a URL: " + options_.url + " (" + e.message() + ")";
    return false;
  }
  if (uri.getScheme() != "http") {
    result_.error = "only http:// URLs are supported: " + options_.url;
    return false;
  }
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(uri.getHost().c_str(), nullptr, &hints, &found) != 0 || !found) {
    result_.error = "cannot resolve " + uri.getHost();
    return false;
  }
  address_ = *reinterpret_cast<sockaddr_in*>(found->ai_addr);
  address_.sin_port = htons(uri.getPort());
  ::freeaddrinfo(found);
  const std::string target = uri.getPathEtc().empty() ? "/" : uri.getPathEtc();
  request_ = "GET " + target + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + std::to_string(uri.getPort()) +
             "\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n";
  return true;
}

void Run::start(std::size_t index, Clock::time_point now) {
  Conn& c = conns_[index];
  ++c.attempt;
  ++result_.connects;
  if (c.ever_streamed) ++result_.reconnects;
  c.started = now;
  c.reader = std::make_unique<ResponseReader>();
  c.first_event_seen = false;
  c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c.fd < 0) {
    fail_attempt(c, index, now);  // out of descriptors: counted, retried later
    return;
  }
  const int on = 1;
  ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  const int rc = ::connect(c.fd, reinterpret_cast<const sockaddr*>(&address_), sizeof address_);
  if (rc != 0 && errno != EINPROGRESS) {
    fail_attempt(c, index, now);
    return;
  }
  epoll_event ev{};
  ev.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
  ev.data.u64 = index;
  ::epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev);
  c.phase = Phase::connecting;
  deadlines_.push({now + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options_.connect_timeout_s)),
                   index, c.attempt});
}

void Run::close_socket(Conn& c) {
  if (c.fd >= 0) {
    ::epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
  }
  c.fd = -1;
  c.reader.reset();
  if (c.phase == Phase::streaming) --held_;
  c.phase = Phase::waiting;
}

void Run::fail_attempt(Conn& c, std::size_t index, Clock::time_point now) {
  ++result_.connect_failures;
  close_socket(c);
  if (options_.reconnect) schedule(index, now + std::chrono::milliseconds(c.retry_ms));
}

void Run::end_stream(Conn& c, std::size_t index, Clock::time_point now, bool reset) {
  ++(reset ? result_.server_resets : result_.server_closes);
  close_socket(c);
  if (options_.reconnect) schedule(index, now + std::chrono::milliseconds(c.retry_ms));
}

void Run::on_event(Conn& c, const Event& event) {
  ++result_.events;
  // Arrival is when epoll reported the bytes, not when this loop got round to parsing them: the
  // generator's own work on a large batch is not the server's delivery time.
  const Clock::time_point now = arrival_;
  if (!c.first_event_seen) {
    c.first_event_seen = true;
    result_.first_event_ms.record(ms(now - c.started));
    return;  // a stream's first event may be a catch-up, not a fresh broadcast
  }
  const double stamp = timestamp_ms(event.last_event_id, event.data);
  if (stamp >= 0) {
    result_.lag_ms.record(arrival_wall_ms_ - stamp);  // the histogram counts an early one as 0
    if (arrival_wall_ms_ < stamp) ++result_.before_timestamp;
  }
  std::string key = event.last_event_id.empty() ? "d" + std::string(event.data.substr(0, 64)) : "i" + std::string(event.last_event_id);
  const double at = ms(now - t0_);
  const auto [it, fresh] = first_arrival_.emplace(key, at);
  if (fresh) {
    arrival_order_.push_back(std::move(key));
    if (arrival_order_.size() > kRememberedEvents) {
      first_arrival_.erase(arrival_order_.front());
      arrival_order_.pop_front();
    }
  }
  result_.spread_ms.record(at - it->second);
}

void Run::on_bytes(Conn& c, std::size_t index, std::string_view bytes, Clock::time_point now) {
  ResponseReader& reader = *c.reader;
  const bool streaming = c.phase == Phase::streaming;
  scratch_.clear();
  reader.feed(bytes, scratch_);  // the body bytes, unframed and decoded
  if (!streaming) {
    if (!reader.head_complete()) {
      if (reader.failed()) fail_attempt(c, index, now);  // a malformed head
      return;
    }
    // As an EventSource: "if res's status is not 200, or if res's `Content-Type` is not
    // `text/event-stream`, then fail the connection". The body's framing is judged below.
    const std::optional<MimeType> type = extract_mime_type(field_values(reader.response(), "Content-Type"));
    if (reader.response().getStatus() != 200 || !type || type->essence() != "text/event-stream") {
      fail_attempt(c, index, now);
      return;
    }
    c.phase = Phase::streaming;
    c.ever_streamed = true;
    result_.peak_held = std::max(result_.peak_held, ++held_);
    c.parser.reset();
  }
  if (!scratch_.empty()) {
    Sink sink(*this, c);
    const Status status = c.parser.feed(scratch_, sink);
    if (status == Status::line_too_long || status == Status::event_too_large) {
      ++result_.oversized;
      close_socket(c);
      if (options_.reconnect) schedule(index, now + std::chrono::milliseconds(c.retry_ms));
      return;
    }
  }
  // Broken framing is a network error to a client, the end of the body (its last chunk or its
  // Content-Length) an ended stream: both reconnect.
  if (reader.failed() || reader.body_complete()) end_stream(c, index, now, false);
}

void Run::on_ready(std::size_t index, std::uint32_t events, Clock::time_point now) {
  Conn& c = conns_[index];
  if (c.fd < 0) return;
  if (c.phase == Phase::connecting) {
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0 || (events & (EPOLLERR | EPOLLHUP))) {
      fail_attempt(c, index, now);
      return;
    }
    const std::string request = request_ + (c.parser.last_event_id().empty() ? "" : "Last-Event-ID: " + c.parser.last_event_id() + "\r\n") + "\r\n";
    if (::send(c.fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
      fail_attempt(c, index, now);
      return;
    }
    c.phase = Phase::heading;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.u64 = index;
    ::epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &ev);
    return;
  }
  char buffer[64 * 1024];
  for (int reads = 0; reads < 4 && c.fd >= 0; ++reads) {
    const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
    if (n > 0) {
      result_.bytes += static_cast<std::uint64_t>(n);
      on_bytes(c, index, std::string_view(buffer, static_cast<std::size_t>(n)), now);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    const bool reset = n < 0;  // ECONNRESET and the like; 0 is an orderly FIN
    if (c.phase == Phase::streaming) {
      end_stream(c, index, now, reset);
    } else {
      fail_attempt(c, index, now);
    }
    return;
  }
}

LoadResult Run::go() {
  result_.clients = options_.clients;
  if (!resolve()) return result_;
  epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
  t0_ = Clock::now();
  const Clock::time_point end = t0_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options_.duration_s));
  for (std::size_t i = 0; i < conns_.size(); ++i) {
    const double offset_s = options_.rate > 0 ? static_cast<double>(i) / options_.rate : 0;
    schedule(i, t0_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(offset_s)));
  }
  std::vector<epoll_event> ready(1024);
  for (Clock::time_point now = Clock::now(); now < end; now = Clock::now()) {
    while (!starts_.empty() && starts_.top().at <= now) {
      const std::size_t index = starts_.top().index;
      starts_.pop();
      if (conns_[index].phase == Phase::waiting) start(index, now);
    }
    while (!deadlines_.empty() && deadlines_.top().at <= now) {
      const Scheduled d = deadlines_.top();
      deadlines_.pop();
      Conn& c = conns_[d.index];
      if (c.attempt == d.attempt && (c.phase == Phase::connecting || c.phase == Phase::heading)) fail_attempt(c, d.index, now);
    }
    Clock::time_point wake = std::min(end, now + std::chrono::milliseconds(100));
    if (!starts_.empty()) wake = std::min(wake, starts_.top().at);
    if (!deadlines_.empty()) wake = std::min(wake, deadlines_.top().at);
    const int timeout = static_cast<int>(std::max(0.0, ms(wake - now)));
    const int n = ::epoll_wait(epoll_, ready.data(), static_cast<int>(ready.size()), timeout);
    const Clock::time_point after = Clock::now();
    arrival_ = after;
    arrival_wall_ms_ = wall_ms();
    for (int i = 0; i < n; ++i) on_ready(static_cast<std::size_t>(ready[i].data.u64), ready[i].events, after);
  }
  result_.duration_s = ms(Clock::now() - t0_) / 1000.0;
  result_.held_at_end = held_;
  for (Conn& c : conns_) close_socket(c);
  ::close(epoll_);
  return result_;
}

Poco::JSON::Object::Ptr histogram_json(const Histogram& h) {
  Poco::JSON::Object::Ptr json = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  json->set("count", h.count());
  json->set("p50", h.percentile(50));
  json->set("p90", h.percentile(90));
  json->set("p99", h.percentile(99));
  json->set("max", h.max());
  return json;
}

std::string histogram_text(const Histogram& h) {
  if (h.count() == 0) return "no samples";
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << "p50 " << h.percentile(50) << " ms, p90 " << h.percentile(90) << " ms, p99 "
      << h.percentile(99) << " ms, max " << h.max() << " ms (" << h.count() << " samples)";
  return out.str();
}

}  // namespace

double timestamp_ms(std::string_view id, std::string_view data) {
  for (const std::string_view s : {id, data}) {
    if (all_digits(s) && s.size() == 10) return std::stod(std::string(s)) * 1000.0;
    if (all_digits(s) && s.size() == 13) return std::stod(std::string(s));
  }
  // 2026-11-25T14:00:00Z or 2026-11-25T14:00:00.123Z
  if (data.size() < 20 || data.size() > 30 || data.back() != 'Z' || data[10] != 'T') return -1;
  std::tm tm{};
  int consumed = 0;
  const std::string text(data);
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                  &tm.tm_sec, &consumed) != 6 || consumed != 19) {
    return -1;
  }
  double fraction = 0;
  if (text[19] == '.') {
    const std::string digits = text.substr(20, text.size() - 21);
    if (!all_digits(digits)) return -1;
    fraction = std::stod("0." + digits);
  } else if (text.size() != 20) {
    return -1;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return (static_cast<double>(::timegm(&tm)) + fraction) * 1000.0;
}

LoadResult run_load(const LoadOptions& options) { return Run(options).go(); }

std::string to_json(const LoadOptions& options, const LoadResult& r) {
  Poco::JSON::Object json(Poco::JSON_PRESERVE_KEY_ORDER);
  json.set("format", "ssespec-load/1");
  json.set("url", options.url);
  json.set("clients", r.clients);
  json.set("rate", options.rate > 0 ? Poco::Dynamic::Var(options.rate) : Poco::Dynamic::Var("burst"));
  json.set("durationS", r.duration_s);
  if (!r.error.empty()) json.set("error", r.error);
  json.set("heldAtEnd", r.held_at_end);
  json.set("peakHeld", r.peak_held);
  json.set("connects", r.connects);
  json.set("connectFailures", r.connect_failures);
  json.set("reconnects", r.reconnects);
  json.set("serverCloses", r.server_closes);
  json.set("serverResets", r.server_resets);
  json.set("oversized", r.oversized);
  json.set("events", r.events);
  json.set("eventsPerS", r.events_per_s());
  json.set("bytes", r.bytes);
  json.set("firstEventMs", histogram_json(r.first_event_ms));
  json.set("lagMs", histogram_json(r.lag_ms));
  json.set("beforeTimestamp", r.before_timestamp);
  json.set("spreadMs", histogram_json(r.spread_ms));
  std::ostringstream out;
  json.stringify(out, 2);
  return out.str() + "\n";
}

std::string to_text(const LoadResult& r) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1);
  out << "streams held:     " << r.held_at_end << " of " << r.clients << " at the end (peak " << r.peak_held << ")\n"
      << "connects:         " << r.connects << " (" << r.connect_failures << " failed, " << r.reconnects << " reconnects)\n"
      << "server ended:     " << r.server_closes << " closed, " << r.server_resets << " reset, " << r.oversized
      << " over the parser's limits\n"
      << "events:           " << r.events << " in " << r.duration_s << " s (" << r.events_per_s() << "/s)\n"
      << "first event:      " << histogram_text(r.first_event_ms) << "\n"
      << "delivery lag:     " << histogram_text(r.lag_ms)
      << (r.before_timestamp ? " (" + std::to_string(r.before_timestamp) + " before their own timestamp)" : std::string()) << "\n"
      << "delivery spread:  " << histogram_text(r.spread_ms) << "\n";
  return out.str();
}

}  // namespace ssespec::load
