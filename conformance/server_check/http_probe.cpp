#include "server_check/http_probe.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SecureStreamSocketImpl.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/String.h>
#include <Poco/Timespan.h>

#include "client/http_head.hpp"  // is_redirect
#include "server_check/h2/h2_probe.hpp"
#include "server_check/http_response.hpp"

namespace ssespec {
namespace {

using Clock = std::chrono::steady_clock;

// After the last wanted event, how long to watch for the server ending the response.
constexpr std::chrono::milliseconds kEndGrace{50};
constexpr std::size_t kReadBytes = 16 * 1024;

double since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

Poco::Timespan span(double seconds) {
  return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(std::max(seconds, 0.001) * 1e6));
}

// Shuts the socket down at the deadline, so a read blocked on a server that drips bytes (each
// within the receive timeout) still returns. fired() tells the reader why its stream ended.
// It shuts down the TCP socket itself, never the TLS layer, which the reader is using; call
// disarm() before closing the socket, so a late deadline cannot hit a reused descriptor.
class Watchdog {
 public:
  Watchdog(Poco::Net::StreamSocket socket, Clock::time_point deadline)
      : socket_(std::move(socket)), thread_([this, deadline] { run(deadline); }) {}
  ~Watchdog() {
    disarm();
    thread_.join();
  }
  void disarm() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      done_ = true;
    }
    wake_.notify_one();
  }
  bool fired() const { return fired_; }

 private:
  void run(Clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (wake_.wait_until(lock, deadline, [this] { return done_; })) return;
    fired_ = true;
    ::shutdown(socket_.impl()->sockfd(), SHUT_RDWR);  // fails harmlessly if already shut down
  }
  Poco::Net::StreamSocket socket_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::atomic<bool> fired_{false};
  std::thread thread_;
};

std::string target_of(const Poco::URI& uri) {
  return uri.getPathEtc().empty() ? "/" : uri.getPathEtc();
}

// "wire protocol wanted" lists for ALPN: h2 first, as browsers offer it.
constexpr unsigned char kAlpnOffer[] = "\x02h2\x08http/1.1";

Poco::Net::Context::Ptr tls_context(const ProbeRequest& request, std::string_view alpn) {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Net::initializeSSL(); });
  Poco::Net::Context::Ptr context;
  try {
    context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, request.cacert,
                                     request.insecure ? Poco::Net::Context::VERIFY_NONE : Poco::Net::Context::VERIFY_RELAXED,
                                     9, request.cacert.empty());
  } catch (const Poco::Exception& e) {
    throw CouldNotRun("--cacert " + request.cacert + ": " + e.displayText());
  }
  context->enableExtendedCertificateVerification(!request.insecure);  // the host name must match
  if (!alpn.empty())
    SSL_CTX_set_alpn_protos(context->sslContext(), reinterpret_cast<const unsigned char*>(alpn.data()),
                            static_cast<unsigned>(alpn.size()));
  return context;
}

// Connects (TCP, then TLS for https) within the deadline. Throws CouldNotRun.
Poco::Net::StreamSocket connect(const Poco::URI& uri, const ProbeRequest& request, Clock::time_point deadline,
                                std::string_view alpn = {}) {
  const auto left = [&] { return std::chrono::duration<double>(deadline - Clock::now()).count(); };
  const std::string where = uri.getHost() + ":" + std::to_string(uri.getPort());
  Poco::Net::StreamSocket socket;
  try {
    socket.connect(Poco::Net::SocketAddress(uri.getHost(), uri.getPort()), span(left()));
    socket.setReceiveTimeout(span(left()));
    socket.setSendTimeout(span(left()));
  } catch (const Poco::TimeoutException&) {
    throw CouldNotRun("cannot connect to " + uri.toString() + ": connect timed out");
  } catch (const Poco::Exception& e) {
    throw CouldNotRun("cannot connect to " + uri.toString() + ": " + e.displayText());
  }
  if (uri.getScheme() != "https") return socket;
  try {
    return Poco::Net::SecureStreamSocket::attach(socket, uri.getHost(), tls_context(request, alpn));
  } catch (const Poco::Net::CertificateValidationException& e) {
    throw CouldNotRun("TLS to " + where + ": the certificate is not trusted (" + e.displayText() +
                      "); pass --cacert FILE with its CA, or --insecure to skip verification");
  } catch (const Poco::Net::SSLException& e) {
    const std::string text = e.displayText();
    const bool verify = text.find("certificate") != std::string::npos;
    throw CouldNotRun("TLS handshake with " + where + " failed: " + text +
                      (verify ? "; pass --cacert FILE with its CA, or --insecure to skip verification" : ""));
  } catch (const Poco::TimeoutException&) {
    throw CouldNotRun("TLS handshake with " + where + " timed out");
  } catch (const Poco::Exception& e) {
    throw CouldNotRun("TLS handshake with " + where + " failed: " + e.displayText());
  }
}

// The protocol the server picks when offered h2 and http/1.1 by ALPN ("" if it picks none).
std::string negotiated_alpn(const Poco::URI& uri, const ProbeRequest& request, Clock::time_point deadline) {
  Poco::Net::SecureStreamSocket socket(connect(uri, request, deadline, {reinterpret_cast<const char*>(kAlpnOffer), sizeof kAlpnOffer - 1}));
  const std::string protocol = negotiated_protocol(socket);
  try {
    socket.close();
  } catch (const Poco::Exception&) {
  }
  return protocol;
}

std::string request_head(const ProbeRequest& request, const Poco::URI& uri) {
  HeaderList headers{{"Host", uri.getAuthority().substr(uri.getAuthority().find('@') + 1)},
                     {"Accept", "text/event-stream"},
                     {"Connection", "close"}};
  for (const auto& [name, value] : request.headers) {
    if (name.find_first_of("\r\n:") != std::string::npos || value.find_first_of("\r\n") != std::string::npos) {
      throw CouldNotRun("header \"" + name + "\" contains a line break or colon");
    }
    const auto same = std::find_if(headers.begin(), headers.end(), [&](const auto& h) { return Poco::icompare(h.first, name) == 0; });
    if (same != headers.end()) same->second = value;
    else headers.emplace_back(name, value);
  }
  std::string head = "GET " + target_of(uri) + " HTTP/1.1\r\n";
  for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
  return head + "\r\n";
}

// One request on its own connection, read until the head (and body) end or the deadline.
struct Exchange {
  const ProbeRequest& request;
  StreamInspector* stream;
  Clock::time_point start;
  Clock::time_point deadline;
  ProbeResult& result;
  ResponseReader reader;
  std::string body;

  double remaining() const { return std::chrono::duration<double>(deadline - Clock::now()).count(); }

  // Reads until the head is complete. False: no usable head (result says why).
  bool read_head(Poco::Net::StreamSocket& socket, const Watchdog& watchdog) {
    char buffer[kReadBytes];
    try {
      while (!reader.head_complete()) {
        if (remaining() <= 0) throw Poco::TimeoutException();
        socket.setReceiveTimeout(span(remaining()));
        const int n = socket.receiveBytes(buffer, sizeof buffer);
        if (n <= 0) {
          if (watchdog.fired()) throw Poco::TimeoutException();
          result.detail = "the server closed the connection " + reader.cut_position();
          return false;
        }
        reader.feed(std::string_view(buffer, static_cast<std::size_t>(n)), body);
        if (!reader.head_error().empty()) {
          result.detail = reader.head_error();
          return false;
        }
        if (reader.head_complete()) result.response_at = since(start);
      }
    } catch (const Poco::TimeoutException&) {
      result.detail = "no response head within --timeout (" + std::to_string(static_cast<int>(request.timeout_s * 1000)) + " ms)";
      return false;
    } catch (const Poco::Exception& e) {
      result.detail = watchdog.fired() ? "no response head within --timeout" : e.displayText();
      return false;
    }
    return true;
  }

  // Feeds what has been decoded so far; false when the probe should stop reading.
  bool deliver(bool& grace) {
    if (!reader.framing_error().empty()) result.framing_error = reader.framing_error();
    if (!body.empty()) {
      const std::optional<ProbeEnd> stop = feed_body(*stream, body, since(start), request.max_bytes);
      body.clear();
      if (stop) {
        result.end = *stop;
        return false;
      }
    }
    if (reader.failed()) {
      result.end = ProbeEnd::bad_framing;
      return false;
    }
    if (reader.body_complete()) {
      result.end = ProbeEnd::peer_closed;
      return false;
    }
    if (request.max_events > 0 && stream->events() >= request.max_events && !grace) {
      // Enough events. Read on briefly: a server that buffered the whole stream ends the
      // response right here, and the flushing check needs to see that.
      grace = true;
      deadline = std::min(deadline, Clock::now() + kEndGrace);
      result.end = ProbeEnd::enough_events;
    }
    return true;
  }

  void read_body(Poco::Net::StreamSocket& socket, const Watchdog& watchdog) {
    char buffer[kReadBytes];
    bool grace = false;  // enough events arrived; only watching for the end
    result.end = ProbeEnd::deadline;
    if (!deliver(grace)) return;  // body bytes that came with the head
    try {
      for (;;) {
        if (remaining() <= 0) return;
        socket.setReceiveTimeout(span(remaining()));
        const int n = socket.receiveBytes(buffer, sizeof buffer);
        if (n <= 0) {
          if (watchdog.fired()) return;
          if (reader.end_of_input()) {
            result.end = ProbeEnd::peer_closed;
          } else {
            result.end = ProbeEnd::peer_reset;
            result.detail = "the server closed the connection " + reader.cut_position();
          }
          return;
        }
        reader.feed(std::string_view(buffer, static_cast<std::size_t>(n)), body);
        if (!deliver(grace)) return;
      }
    } catch (const Poco::TimeoutException&) {
    } catch (const Poco::Exception& e) {
      if (!grace) result.end = watchdog.fired() ? ProbeEnd::deadline : ProbeEnd::peer_reset;
      if (!watchdog.fired()) result.detail = e.displayText();
    }
  }
};

void close_quietly(Poco::Net::StreamSocket& socket) {
  try {
    socket.close();
  } catch (const Poco::Exception&) {
  }
}

}  // namespace

const char* to_string(Protocol protocol) {
  switch (protocol) {
    case Protocol::http1_1: return "HTTP/1.1";
    case Protocol::h2: return "HTTP/2";
    case Protocol::h2c: return "h2c";
  }
  return "unknown";
}

Poco::Net::StreamSocket open_connection(const Poco::URI& uri, const ProbeRequest& request, Clock::time_point deadline,
                                        std::string_view alpn) {
  return connect(uri, request, deadline, alpn);
}

namespace {
SSL_SESSION* tls_session_of(const Poco::Net::StreamSocket& socket) {
  auto* secure = dynamic_cast<Poco::Net::SecureStreamSocketImpl*>(socket.impl());
  if (secure == nullptr) return nullptr;
  const Poco::Net::Session::Ptr session = secure->currentSession();
  return session ? session->sslSession() : nullptr;
}
}  // namespace

std::string negotiated_protocol(const Poco::Net::StreamSocket& socket) {
  SSL_SESSION* session = tls_session_of(socket);
  if (session == nullptr) return "";
  const unsigned char* data = nullptr;
  std::size_t size = 0;
  SSL_SESSION_get0_alpn_selected(session, &data, &size);
  return data == nullptr ? "" : std::string(reinterpret_cast<const char*>(data), size);
}

std::string tls_version(const Poco::Net::StreamSocket& socket) {
  SSL_SESSION* session = tls_session_of(socket);
  if (session == nullptr) return "";
  switch (SSL_SESSION_get_protocol_version(session)) {
    case TLS1_3_VERSION: return "TLSv1.3";
    case TLS1_2_VERSION: return "TLSv1.2";
    case TLS1_1_VERSION: return "TLSv1.1";
    case TLS1_VERSION: return "TLSv1";
    default: return "unknown";
  }
}

std::optional<ProbeEnd> feed_body(StreamInspector& stream, std::string_view piece, double at, std::uint64_t max_bytes) {
  if (stream.status() == Status::ok) {
    const std::uint64_t room = max_bytes - std::min(max_bytes, stream.bytes());
    piece = piece.substr(0, static_cast<std::size_t>(std::min<std::uint64_t>(room, piece.size())));
  }
  if (stream.feed(piece, at) != Status::ok) {
    if (stream.awaiting_long_line_end()) return std::nullopt;
    return ProbeEnd::parser_limit;
  }
  if (stream.bytes() >= max_bytes) return ProbeEnd::byte_cap;
  return std::nullopt;
}

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
    case ProbeEnd::bad_framing: return "invalid HTTP framing";
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
  if (uri.getScheme() != "http" && uri.getScheme() != "https") {
    throw CouldNotRun("bad URL \"" + url + "\": only http:// and https:// URLs are supported");
  }
  if (uri.getHost().empty()) throw CouldNotRun("bad URL \"" + url + "\": no host");
  return uri;
}

ProbeResult probe(const ProbeRequest& request, StreamInspector* stream) {
  if (request.protocol != Protocol::http1_1) return h2::probe(request, stream);
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + std::chrono::microseconds(static_cast<long long>(request.timeout_s * 1e6));
  ProbeResult result;
  Poco::URI uri = request.uri;
  result.tls = uri.getScheme() == "https";
  if (result.tls && request.ask_alpn) result.alpn = negotiated_alpn(uri, request, deadline);  // throws CouldNotRun
  std::set<std::string> visited{uri.toString()};
  for (int hop = 0;; ++hop) {
    Poco::Net::StreamSocket socket;
    if (hop == 0) {
      socket = connect(uri, request, deadline);  // throws CouldNotRun: nothing to judge
    } else {
      try {
        socket = connect(uri, request, deadline);
      } catch (const CouldNotRun& e) {
        result.detail = std::string("after a redirect: ") + e.what();
        result.ended_at = since(start);
        return result;
      }
    }
    Exchange exchange{request, stream, start, deadline, result, {}, {}};
    Watchdog watchdog(socket, deadline);
    try {
      const std::string head = request_head(request, uri);
      socket.sendBytes(head.data(), static_cast<int>(head.size()));
    } catch (const Poco::Exception& e) {
      result.detail = "sending the request failed: " + e.displayText();
    }
    if (!result.detail.empty() || !exchange.read_head(socket, watchdog)) {
      result.response_at = -1;
      result.ended_at = since(start);
      watchdog.disarm();
      close_quietly(socket);
      return result;
    }
    result.response = exchange.reader.response();
    result.framing = exchange.reader.framing();
    result.decoded_coding = exchange.reader.decoded_coding();
    const int status = static_cast<int>(result.response.getStatus());
    if (is_redirect(status) && result.response.has("Location") && request.max_redirects > 0) {
      watchdog.disarm();
      close_quietly(socket);
      Poco::URI next;
      try {
        next = Poco::URI(uri, result.response.get("Location"));
      } catch (const Poco::Exception& e) {
        result.detail = "redirect to an invalid Location \"" + result.response.get("Location") + "\": " + e.displayText();
        result.response_at = -1;
        return result;
      }
      const std::string chain = [&] {
        std::string text = request.uri.toString();
        for (const auto& url : result.redirects) text += " -> " + url;
        return text + " -> " + next.toString();
      }();
      result.response_at = -1;
      result.ended_at = since(start);
      if (!visited.insert(next.toString()).second) {
        result.detail = "redirect loop: " + chain + "; clients give up with a network error";
        return result;
      }
      if (hop + 1 >= request.max_redirects) {
        result.detail = "more than " + std::to_string(request.max_redirects) + " redirects: " + chain +
                        "; clients give up with a network error";
        return result;
      }
      if (next.getScheme() != "http" && next.getScheme() != "https") {
        result.detail = "redirect to " + next.toString() + ": not an http(s) URL";
        return result;
      }
      result.redirects.push_back(next.toString());
      uri = next;
      result.tls = uri.getScheme() == "https";
      continue;
    }
    if (!request.read_body || stream == nullptr) {
      result.end = ProbeEnd::head_only;
      result.framing_error = exchange.reader.framing_error();
    } else {
      exchange.read_body(socket, watchdog);
    }
    result.ended_at = since(start);
    if (result.peer_ended() && stream != nullptr) stream->end_of_stream(result.ended_at);
    watchdog.disarm();
    close_quietly(socket);
    return result;
  }
}

int open_and_abandon(const ProbeRequest& request, int count, double hold_s) {
  std::vector<Poco::Net::StreamSocket> sockets;
  const Clock::time_point deadline =
      Clock::now() + std::chrono::microseconds(static_cast<long long>(request.timeout_s * 1e6));
  for (int i = 0; i < count; ++i) {
    try {
      Poco::Net::StreamSocket socket = connect(request.uri, request, deadline);
      const std::string head = request_head(request, request.uri);
      socket.sendBytes(head.data(), static_cast<int>(head.size()));
      sockets.push_back(socket);
    } catch (const CouldNotRun&) {
      // counted by the caller as a client that never got in
    } catch (const Poco::Exception&) {
    }
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(hold_s));
  for (auto& socket : sockets) {
    try {
      socket.setLinger(true, 0);  // close() now sends RST: a client that vanished
      socket.close();
    } catch (const Poco::Exception&) {
    }
  }
  return static_cast<int>(sockets.size());
}

}  // namespace ssespec
