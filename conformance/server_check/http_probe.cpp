#include "server_check/http_probe.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <istream>
#include <memory>
#include <mutex>
#include <thread>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

namespace ssespec {
namespace {

using Clock = std::chrono::steady_clock;

// After the last wanted event, how long to watch for the server ending the response.
constexpr std::chrono::milliseconds kEndGrace{50};

double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

Poco::Timespan span(double seconds) {
  return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(std::max(seconds, 0.001) * 1e6));
}

// Shuts the socket down at the deadline, so a read blocked on a server that drips bytes (each
// within the receive timeout) still returns. fired() tells the reader why its stream ended.
class Watchdog {
 public:
  Watchdog(Poco::Net::StreamSocket socket, Clock::time_point deadline)
      : socket_(std::move(socket)), thread_([this, deadline] { run(deadline); }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  bool fired() const { return fired_; }

 private:
  void run(Clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (wake_.wait_until(lock, deadline, [this] { return done_; })) return;
    fired_ = true;
    try {
      socket_.shutdown();
    } catch (const Poco::Exception&) {
      // already closed: the reader is not blocked
    }
  }
  Poco::Net::StreamSocket socket_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::atomic<bool> fired_{false};
  std::thread thread_;
};

std::unique_ptr<Poco::Net::HTTPClientSession> open_session(const ProbeRequest& request, Poco::Net::HTTPRequest& http) {
  auto session = std::make_unique<Poco::Net::HTTPClientSession>(request.uri.getHost(), request.uri.getPort());
  session->setTimeout(span(request.timeout_s));
  session->setKeepAlive(false);
  http.setMethod(Poco::Net::HTTPRequest::HTTP_GET);
  http.setURI(request.uri.getPathAndQuery().empty() ? "/" : request.uri.getPathAndQuery());
  http.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
  http.set("Accept", "text/event-stream");
  for (const auto& [name, value] : request.headers) http.set(name, value);
  try {
    session->sendRequest(http).flush();  // POCO buffers the head until flushed
  } catch (const Poco::TimeoutException& e) {
    throw CouldNotRun("cannot connect to " + request.uri.toString() + ": connect timed out");
  } catch (const Poco::Exception& e) {
    throw CouldNotRun("cannot connect to " + request.uri.toString() + ": " + e.displayText());
  }
  return session;
}

}  // namespace

const char* to_string(ProbeEnd end) {
  switch (end) {
    case ProbeEnd::no_response: return "no response";
    case ProbeEnd::head_only: return "head only";
    case ProbeEnd::peer_closed: return "server ended the response";
    case ProbeEnd::peer_reset: return "connection broke";
    case ProbeEnd::enough_events: return "enough events";
    case ProbeEnd::deadline: return "deadline";
    case ProbeEnd::byte_cap: return "byte cap";
    case ProbeEnd::parser_limit: return "parser limit";
  }
  return "unknown";
}

Poco::URI parse_target(const std::string& url) {
  Poco::URI uri;
  try {
    uri = Poco::URI(url);
  } catch (const Poco::Exception& e) {
    throw CouldNotRun("bad URL \"" + url + "\": " + e.displayText());
  }
  if (uri.getScheme() != "http") {
    throw CouldNotRun("bad URL \"" + url + "\": only http:// URLs are supported (put a TLS-terminating proxy in front for https)");
  }
  if (uri.getHost().empty()) throw CouldNotRun("bad URL \"" + url + "\": no host");
  return uri;
}

ProbeResult probe(const ProbeRequest& request, StreamInspector* stream) {
  const Clock::time_point start = Clock::now();
  Clock::time_point deadline = start + std::chrono::microseconds(static_cast<long long>(request.timeout_s * 1e6));
  Poco::Net::HTTPRequest http;
  auto session = open_session(request, http);  // throws CouldNotRun
  ProbeResult result;
  Watchdog watchdog(session->socket(), deadline);
  const auto remaining = [&] { return std::chrono::duration<double>(deadline - Clock::now()).count(); };

  std::istream* body = nullptr;
  try {
    session->socket().setReceiveTimeout(span(remaining()));
    body = &session->receiveResponse(result.response);
    result.response_at = since(start);
  } catch (const Poco::Exception& e) {
    result.end = ProbeEnd::no_response;
    result.detail = watchdog.fired() || dynamic_cast<const Poco::TimeoutException*>(&e)
                        ? "no response head within --timeout (" + std::to_string(static_cast<int>(request.timeout_s * 1000)) + " ms)"
                        : e.displayText();
    result.ended_at = since(start);
    return result;
  }
  if (!request.read_body || stream == nullptr) {
    result.end = ProbeEnd::head_only;
    result.ended_at = since(start);
    session->abort();
    return result;
  }

  // Read whatever has arrived: block for one byte (up to the deadline), then take the rest
  // already buffered, so each feed() carries the time its bytes arrived.
  body->exceptions(std::ios::badbit);
  std::vector<char> buffer(16 * 1024);
  result.end = ProbeEnd::deadline;
  bool grace = false;  // enough events arrived; only watching for the end
  try {
    for (;;) {
      const double left = remaining();
      if (left <= 0) {
        if (!grace) result.end = ProbeEnd::deadline;
        break;
      }
      session->socket().setReceiveTimeout(span(left));
      const int first = body->get();
      if (first == std::char_traits<char>::eof()) {
        if (!watchdog.fired()) result.end = ProbeEnd::peer_closed;
        else if (!grace) result.end = ProbeEnd::deadline;
        break;
      }
      buffer[0] = static_cast<char>(first);
      const std::uint64_t room = request.max_bytes - stream->bytes();
      const std::streamsize want =
          static_cast<std::streamsize>(std::min<std::uint64_t>(buffer.size() - 1, room > 0 ? room - 1 : 0));
      const std::streamsize more = want > 0 ? body->readsome(buffer.data() + 1, want) : 0;
      const Status status = stream->feed(std::string_view(buffer.data(), static_cast<std::size_t>(1 + more)), since(start));
      if (status != Status::ok) {
        result.end = ProbeEnd::parser_limit;
        break;
      }
      if (request.max_events > 0 && stream->events() >= request.max_events && !grace) {
        // Enough events. Read on briefly: a server that buffered the whole stream ends the
        // response right here, and the flushing check needs to see that.
        grace = true;
        deadline = std::min(deadline, Clock::now() + kEndGrace);
        result.end = ProbeEnd::enough_events;
      }
      if (stream->bytes() >= request.max_bytes) {
        result.end = ProbeEnd::byte_cap;
        break;
      }
    }
  } catch (const Poco::TimeoutException&) {
    if (!grace) result.end = ProbeEnd::deadline;
  } catch (const Poco::Exception& e) {
    if (!grace) result.end = watchdog.fired() ? ProbeEnd::deadline : ProbeEnd::peer_reset;
    if (!watchdog.fired()) result.detail = e.displayText();
  } catch (const std::ios::failure& e) {
    if (!grace) result.end = watchdog.fired() ? ProbeEnd::deadline : ProbeEnd::peer_reset;
    if (!watchdog.fired()) result.detail = e.what();
  }
  result.ended_at = since(start);
  if (result.peer_ended()) stream->end_of_stream(result.ended_at);
  try {
    session->abort();
  } catch (const Poco::Exception&) {
  }
  return result;
}

int open_and_abandon(const ProbeRequest& request, int count, double hold_s) {
  std::vector<std::unique_ptr<Poco::Net::HTTPClientSession>> sessions;
  for (int i = 0; i < count; ++i) {
    Poco::Net::HTTPRequest http;
    try {
      sessions.push_back(open_session(request, http));
    } catch (const CouldNotRun&) {
      // counted by the caller as a client that never got in
    }
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(hold_s));
  for (auto& session : sessions) {
    try {
      session->socket().setLinger(true, 0);  // close() now sends RST: a client that vanished
      session->socket().close();
    } catch (const Poco::Exception&) {
    }
  }
  return static_cast<int>(sessions.size());
}

}  // namespace ssespec
