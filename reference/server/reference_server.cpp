#include "server/reference_server.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerConnectionFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/TCPServerDispatcher.h>
#include <Poco/String.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <chrono>
#include <condition_variable>
#include <ctime>
#include <sstream>
#include <thread>

#include "json/json_error.hpp"
#include "server/demo.hpp"
#include "server/head_gate.hpp"
#include "server/reply.hpp"
#include "server/stream_pump.hpp"

namespace ssespec::server {

using Poco::Net::HTTPRequestHandler;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;
using Clock = std::chrono::steady_clock;

struct ReferenceServer::Session {
  std::string id;
  std::shared_ptr<const Script> script;
  Clock::time_point created = Clock::now();
  mutable std::mutex mutex;
  mutable std::condition_variable changed;  // a request arrived or a response finished playing
  std::vector<RecordedRequest> requests;  // the log: the first ones, up to the caps
  std::size_t request_count = 0;          // every request, logged or not
  std::size_t logged_bytes = 0;           // method, target, headers and body of the log
  bool log_full = false;                  // a request did not fit: none after it is logged
  int playing = 0;  // responses still writing their steps
  int open = 0;     // connections the pump still holds
  Clock::time_point last_active = created;  // the last request or closed connection
  // When a client of this session last took bytes (0: never); the pump stores it (PumpedStream::sent_at).
  std::shared_ptr<std::atomic<Clock::rep>> sent_at = std::make_shared<std::atomic<Clock::rep>>(0);

  // Forgotten once idle for `ttl` with nothing open.
  bool expired(std::chrono::milliseconds ttl, Clock::time_point now) const {
    std::lock_guard<std::mutex> lock(mutex);
    return open == 0 && now - last_active > ttl;
  }

  double ms_since_start() const {
    return std::chrono::duration<double, std::milli>(Clock::now() - created).count();
  }
};

const std::string* RecordedRequest::header(const std::string& name) const {
  for (const auto& [n, v] : headers) {
    if (Poco::icompare(n, name) == 0) return &v;
  }
  return nullptr;
}

namespace {

// Every answer of the API and the demo page may be read by a page on another origin.
void send_text(HTTPServerResponse& response, HTTPResponse::HTTPStatus status, const std::string& type,
               const std::string& body) {
  response.set("Access-Control-Allow-Origin", "*");
  reply(response, status, type, body);
}

void send_json(HTTPServerResponse& response, HTTPResponse::HTTPStatus status, const Poco::JSON::Object& json) {
  std::ostringstream out;
  json.stringify(out);
  send_text(response, status, "application/json", out.str() + "\n");
}

void send_error(HTTPServerResponse& response, HTTPResponse::HTTPStatus status, const std::string& message) {
  Poco::JSON::Object json;
  json.set("error", message);
  send_json(response, status, json);
}

// Takes the connection away from POCO: the pump writes it from now on.
Poco::Net::StreamSocket detach(HTTPServerRequest& request, HTTPServerResponse& response) {
  response.setKeepAlive(false);
  return static_cast<Poco::Net::HTTPServerRequestImpl&>(request).detachSocket();
}

class NotFoundHandler final : public HTTPRequestHandler {
 public:
  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    send_error(response, HTTPResponse::HTTP_NOT_FOUND, "no such path: " + request.getURI());
  }
};

// A request body, up to `limit` bytes (the rest is left unread), all of it within `within`. The
// gate waited for the whole of a small body; a big one that slows down past the gate holds this
// pool thread no longer than `within`. False if the time ran out.
bool read_body(HTTPServerRequest& request, std::string& body, std::size_t limit, std::chrono::milliseconds within) {
  Poco::Net::StreamSocket& socket = static_cast<Poco::Net::HTTPServerRequestImpl&>(request).session().socket();
  const Clock::time_point deadline = Clock::now() + within;
  char buffer[4096];
  std::istream& in = request.stream();
  while (body.size() < limit) {
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    socket.setReceiveTimeout(Poco::Timespan(left));
    const std::size_t want = std::min(sizeof buffer, limit - body.size());
    if (in.read(buffer, static_cast<std::streamsize>(want)).gcount() <= 0) break;
    body.append(buffer, static_cast<std::size_t>(in.gcount()));
  }
  return !in.bad() || Clock::now() < deadline;
}

// /s/<session>/<anything>: the session's next scripted connection.
class ScriptedHandler final : public HTTPRequestHandler {
 public:
  ScriptedHandler(ReferenceServer& server, std::shared_ptr<ReferenceServer::Session> session)
      : server_(server), session_(std::move(session)) {}

  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    RecordedRequest recorded;
    recorded.method = request.getMethod();
    recorded.path = request.getURI();
    for (const auto& [name, value] : request) recorded.headers.emplace_back(name, value);
    // Clients that stream with POST resend the body on each reconnection: the first 64 KiB are kept.
    if (request.hasContentLength() || request.getChunkedTransferEncoding()) {
      read_body(request, recorded.body, 64 * 1024, server_.options().body_deadline);
    }
    std::size_t index = 0;
    {
      std::lock_guard<std::mutex> lock(session_->mutex);
      session_->last_active = Clock::now();
      recorded.at_ms = session_->ms_since_start();
      index = session_->request_count++;
      recorded.connection = index < session_->script->connections.size() ? static_cast<int>(index) : -1;
      server_.log_request(*session_, std::move(recorded));
      // Counted with the request, so that a waiter never sees the request without its playing.
      ++session_->playing;
      ++session_->open;
    }
    session_->changed.notify_all();
    PumpedStream stream;
    stream.tag = session_->id;
    stream.sent_at = session_->sent_at;
    std::weak_ptr<ReferenceServer::Session> played = session_;
    stream.on_played = [played] {
      if (auto s = played.lock()) {
        {
          std::lock_guard<std::mutex> lock(s->mutex);
          --s->playing;
        }
        s->changed.notify_all();
      }
    };
    stream.on_closed = [played] {
      if (auto s = played.lock()) {
        std::lock_guard<std::mutex> lock(s->mutex);
        --s->open;
        s->last_active = Clock::now();
      }
    };
    if (recorded.connection < 0) {
      stream.end = End::hang;  // past the script: hold the request, answer nothing
    } else {
      const ScriptedResponse& scripted = session_->script->connections[index];
      if (scripted.send_head) {
        const std::string session_path = "/s/" + session_->id;
        stream.head = head_bytes(scripted, {{kOriginPlaceholder, "http://" + request.serverAddress().toString()},
                                            {kSessionPlaceholder, session_path}});
      }
      stream.steps = std::shared_ptr<const std::vector<Step>>(session_->script, &scripted.steps);  // shared, not copied
      stream.end = scripted.end;
      std::weak_ptr<ReferenceServer::Session> weak = session_;
      stream.on_ended = [weak, index] {
        if (auto s = weak.lock()) {
          std::lock_guard<std::mutex> lock(s->mutex);
          if (index < s->requests.size()) s->requests[index].ended_at_ms = s->ms_since_start();
        }
      };
    }
    stream.socket = detach(request, response);
    stream.socket.setNoDelay(true);  // each scripted write its own segment, as the script cuts it
    server_.pump().add(std::move(stream));
  }

 private:
  ReferenceServer& server_;
  std::shared_ptr<ReferenceServer::Session> session_;
};

// /sessions, /sessions/<id>/requests, /scripts: the API the runners use.
class ApiHandler final : public HTTPRequestHandler {
 public:
  ApiHandler(ReferenceServer& server, std::vector<std::string> segments)
      : server_(server), segments_(std::move(segments)) {}

  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    const std::string& method = request.getMethod();
    if (method == "OPTIONS") {  // CORS preflight for a runner page on another origin
      response.set("Access-Control-Allow-Methods", "GET, POST, DELETE");
      response.set("Access-Control-Allow-Headers", "Content-Type");
      send_text(response, HTTPResponse::HTTP_NO_CONTENT, "text/plain", "");
      return;
    }
    if (segments_[0] == "scripts" && segments_.size() == 1 && method == "GET") {
      Poco::JSON::Array::Ptr names = new Poco::JSON::Array;
      for (const std::string& name : server_.script_names()) names->add(name);
      Poco::JSON::Object json;
      json.set("scripts", names);
      send_json(response, HTTPResponse::HTTP_OK, json);
      return;
    }
    if (segments_.size() == 1 && method == "POST") {
      create(request, response);
      return;
    }
    if (segments_.size() >= 2) {
      const auto session = server_.find_session(segments_[1]);
      if (!session) {
        send_error(response, HTTPResponse::HTTP_NOT_FOUND, "no such session: " + segments_[1]);
        return;
      }
      if (segments_.size() == 3 && segments_[2] == "requests" && method == "GET") {
        send_text(response, HTTPResponse::HTTP_OK, "application/json", requests_to_json(server_.requests(segments_[1]), server_.requests_not_logged(segments_[1])) + "\n");
        return;
      }
      if (segments_.size() == 2 && method == "DELETE") {
        server_.end_session(segments_[1]);
        send_text(response, HTTPResponse::HTTP_NO_CONTENT, "text/plain", "");
        return;
      }
    }
    send_error(response, HTTPResponse::HTTP_NOT_FOUND, "no such endpoint: " + method + " " + request.getURI());
  }

 private:
  void create(HTTPServerRequest& request, HTTPServerResponse& response) {
    std::shared_ptr<const Script> script;
    const Poco::URI uri(request.getURI());
    for (const auto& [key, value] : uri.getQueryParameters()) {
      if (key != "script") continue;
      script = server_.find_script(value);
      if (!script) {
        send_error(response, HTTPResponse::HTTP_NOT_FOUND, "no such script: " + value);
        return;
      }
    }
    if (!script) {
      std::string body;
      if (!read_body(request, body, server_.options().max_body_bytes, server_.options().body_deadline)) {
        send_error(response, HTTPResponse::HTTP_REQUEST_TIMEOUT, "the script did not arrive in time");
        return;
      }
      try {
        script = std::make_shared<const Script>(script_from_json(body));
      } catch (const FixtureError& e) {
        send_error(response, HTTPResponse::HTTP_BAD_REQUEST, e.what());
        return;
      }
    }
    std::string id;
    try {
      id = server_.create_session(script);
    } catch (const SessionLimitReached& e) {
      response.set("Retry-After", "60");
      send_error(response, HTTPResponse::HTTP_SERVICE_UNAVAILABLE, e.what());
      return;
    }
    Poco::JSON::Object json(Poco::JSON_PRESERVE_KEY_ORDER);
    json.set("id", id);
    json.set("path", ReferenceServer::stream_path(id));
    json.set("url", server_.base_url() + ReferenceServer::stream_path(id));
    json.set("requests", "/sessions/" + id + "/requests");
    send_json(response, HTTPResponse::HTTP_CREATED, json);
  }

  ReferenceServer& server_;
  std::vector<std::string> segments_;
};

class DemoPageHandler final : public HTTPRequestHandler {
 public:
  void handleRequest(HTTPServerRequest&, HTTPServerResponse& response) override {
    send_text(response, HTTPResponse::HTTP_OK, "text/html; charset=utf-8", demo_page_html());
  }
};

// /demo/clock: the current time at once, then one broadcast tick on every whole second until the
// client goes away. Its ids are Unix seconds; a reconnection with Last-Event-ID resumes after
// that second, so a client that saw a tick never gets the same id again.
class DemoClockHandler final : public HTTPRequestHandler {
 public:
  explicit DemoClockHandler(ReferenceServer& server) : server_(server) {}
  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    long long resume_after = -1;
    const std::string last_id = request.get("Last-Event-ID", "");
    if (!last_id.empty() && last_id.size() <= 18 &&
        last_id.find_first_not_of("0123456789") == std::string::npos) {
      resume_after = std::stoll(last_id);
    }
    if (resume_after > static_cast<long long>(std::time(nullptr))) resume_after = -1;  // not one of ours: start afresh
    PumpedStream stream;
    stream.head = demo_clock_head();
    stream.broadcast = true;  // the pump's one clock tick per second, shared by every stream
    stream.after_seq = resume_after;
    stream.tag = "demo";
    stream.socket = detach(request, response);
    server_.pump().add(std::move(stream));
  }

 private:
  ReferenceServer& server_;
};

std::vector<std::string> split_path(const std::string& target) {
  const std::string path = Poco::URI(target).getPath();
  std::vector<std::string> out;
  std::string part;
  std::istringstream in(path);
  while (std::getline(in, part, '/')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

// POCO answers with the request's version token (`GET / FOO/BAR` got `FOO/BAR 404 OK`); this
// server speaks HTTP/1.1 whatever the request said.
class Http11Handler final : public HTTPRequestHandler {
 public:
  explicit Http11Handler(HTTPRequestHandler* inner) : inner_(inner) {}
  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
    inner_->handleRequest(request, response);
  }

 private:
  std::unique_ptr<HTTPRequestHandler> inner_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(ReferenceServer& server) : server_(server) {}

  HTTPRequestHandler* createRequestHandler(const HTTPServerRequest& request) override {
    return new Http11Handler(route(request));
  }

 private:
  HTTPRequestHandler* route(const HTTPServerRequest& request) {
    std::vector<std::string> segments;
    try {
      segments = split_path(request.getURI());
    } catch (const Poco::Exception&) {
      return new NotFoundHandler;  // a target that is not a URI
    }
    if (segments.size() >= 2 && segments[0] == "s") {
      if (auto session = server_.find_session(segments[1])) return new ScriptedHandler(server_, session);
    } else if (!segments.empty() && (segments[0] == "sessions" || segments[0] == "scripts")) {
      return new ApiHandler(server_, segments);
    } else if (server_.demo_enabled() && segments.size() == 1 && segments[0] == "demo") {
      return new DemoPageHandler;
    } else if (server_.demo_enabled() && segments.size() == 2 && segments[0] == "demo" && segments[1] == "clock") {
      return new DemoClockHandler(server_);
    }
    for (const auto& route : server_.routes()) {
      if (HTTPRequestHandler* handler = route(request)) return handler;
    }
    return new NotFoundHandler;  // never null: POCO would answer 501
  }

  ReferenceServer& server_;
};

}  // namespace

ReferenceServer::ReferenceServer(ServerOptions options) : options_(std::move(options)) {}

ReferenceServer::~ReferenceServer() { stop(); }

void ReferenceServer::start() {
  if (gate_) return;
  PumpLimits limits;
  limits.max_stall = options_.max_stall;
  limits.dead_peer = options_.dead_peer;
  limits.threads = options_.stream_threads;
  pump_ = std::make_unique<StreamPump>(limits);
  pump_->set_broadcast(std::chrono::seconds(1), [](std::chrono::system_clock::time_point at) {
    const std::time_t second = std::chrono::system_clock::to_time_t(at);
    return Tick{static_cast<long long>(second), demo_clock_event(second)};
  });
  Poco::Net::ServerSocket listener(Poco::Net::SocketAddress(options_.host, options_.port), options_.listen_backlog);
  port_ = listener.address().port();
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(options_.max_threads);
  params->setMaxQueued(options_.max_queued);
  params->setKeepAlive(false);  // a kept-alive idle connection would hold a pool thread
  params->setTimeout(Poco::Timespan(10, 0));  // reading a POST body
  pool_ = std::make_unique<Poco::ThreadPool>(2, options_.max_threads, 60, 0);
  // The gate reads heads; POCO's dispatcher and pool answer the complete requests.
  dispatcher_ = new Poco::Net::TCPServerDispatcher(
      new Poco::Net::HTTPServerConnectionFactory(params, new Factory(*this)), *pool_, params);
  GateLimits gate_limits;
  gate_limits.head_deadline = options_.head_deadline;
  gate_limits.body_deadline = options_.body_deadline;
  gate_limits.max_body_bytes = options_.max_body_bytes;
  gate_ = std::make_unique<HeadGate>(listener, gate_limits,
                                     [dispatcher = dispatcher_](const Poco::Net::StreamSocket& s) { dispatcher->enqueue(s); });
}

void ReferenceServer::stop() {
  if (gate_) {
    gate_->stop();
    dispatcher_->stop();
    pool_->joinAll();
    dispatcher_->release();
    dispatcher_ = nullptr;
    gate_.reset();
  }
  if (pump_) pump_->stop();
}

std::uint16_t ReferenceServer::port() const { return gate_ ? port_ : 0; }

std::string ReferenceServer::base_url() const { return "http://" + options_.host + ":" + std::to_string(port()); }

void ReferenceServer::add_named_script(const std::string& name, Script script) {
  std::lock_guard<std::mutex> lock(mutex_);
  scripts_[name] = std::make_shared<const Script>(std::move(script));
}

std::vector<std::string> ReferenceServer::script_names() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> names;
  for (const auto& [name, ignored] : scripts_) names.push_back(name);
  return names;
}

std::shared_ptr<const Script> ReferenceServer::find_script(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it = scripts_.find(name);
  return it == scripts_.end() ? nullptr : it->second;
}

std::string ReferenceServer::create_session(std::shared_ptr<const Script> script) {
  auto session = std::make_shared<Session>();
  session->script = std::move(script);
  std::lock_guard<std::mutex> lock(mutex_);
  forget_expired_sessions();
  if (sessions_.size() >= options_.max_sessions) {
    throw SessionLimitReached("too many sessions (" + std::to_string(options_.max_sessions) +
                              "): DELETE finished ones, or wait for idle ones to expire");
  }
  session->id = "s" + std::to_string(next_session_++);
  sessions_[session->id] = session;
  return session->id;
}

void ReferenceServer::forget_expired_sessions() {
  const Clock::time_point now = Clock::now();
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = it->second->expired(options_.session_ttl, now) ? sessions_.erase(it) : std::next(it);
  }
}

std::size_t ReferenceServer::session_count() {
  std::lock_guard<std::mutex> lock(mutex_);
  forget_expired_sessions();
  return sessions_.size();
}

std::shared_ptr<ReferenceServer::Session> ReferenceServer::find_session(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second->expired(options_.session_ttl, Clock::now())) return nullptr;
  return it->second;
}

std::vector<RecordedRequest> ReferenceServer::requests(const std::string& session_id) const {
  const auto session = find_session(session_id);
  if (!session) return {};
  std::lock_guard<std::mutex> lock(session->mutex);
  return session->requests;
}

std::optional<std::chrono::steady_clock::time_point> ReferenceServer::last_sent(const std::string& session_id) const {
  const auto s = find_session(session_id);
  if (!s) return std::nullopt;
  const Clock::rep at = s->sent_at->load(std::memory_order_relaxed);
  if (at == 0) return std::nullopt;
  return Clock::time_point(Clock::duration(at));
}

bool ReferenceServer::session_played(const std::string& session_id) const {
  const auto session = find_session(session_id);
  if (!session) return true;
  std::lock_guard<std::mutex> lock(session->mutex);
  return session->playing == 0;
}

bool ReferenceServer::wait_played(const std::string& session_id, std::size_t min_requests,
                                  std::chrono::steady_clock::time_point deadline) const {
  const auto session = find_session(session_id);
  if (!session) {  // forgotten: no request can arrive any more
    if (min_requests == 0) return true;
    std::this_thread::sleep_until(deadline);
    return false;
  }
  std::unique_lock<std::mutex> lock(session->mutex);
  return session->changed.wait_until(lock, deadline,
                                     [&] { return session->request_count >= min_requests && session->playing == 0; });
}

void ReferenceServer::end_session(const std::string& session_id) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    sessions_.erase(session_id);
  }
  if (pump_) pump_->close_tag(session_id);
}

std::size_t ReferenceServer::active_streams() const { return pump_ ? pump_->active() : 0; }

// Keeps the request if the session's log has room (with session.mutex held): a client that
// reconnects forever, or sends big bodies, cannot grow the server without bound.
void ReferenceServer::log_request(Session& session, RecordedRequest request) const {
  std::size_t size = request.method.size() + request.path.size() + request.body.size();
  for (const auto& [name, value] : request.headers) size += name.size() + value.size();
  session.log_full = session.log_full || session.requests.size() >= options_.max_logged_requests ||
                     session.logged_bytes + size > options_.max_log_bytes;
  if (session.log_full) return;
  session.logged_bytes += size;
  session.requests.push_back(std::move(request));
}

std::size_t ReferenceServer::requests_not_logged(const std::string& session_id) const {
  const auto session = find_session(session_id);
  if (!session) return 0;
  std::lock_guard<std::mutex> lock(session->mutex);
  return session->request_count - session->requests.size();
}

std::string requests_to_json(const std::vector<RecordedRequest>& requests, std::size_t not_logged) {
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
  for (const RecordedRequest& r : requests) {
    Poco::JSON::Object::Ptr item = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    item->set("connection", r.connection);
    item->set("method", r.method);
    item->set("path", r.path);
    Poco::JSON::Array::Ptr headers = new Poco::JSON::Array;
    for (const auto& [name, value] : r.headers) {
      Poco::JSON::Array::Ptr pair = new Poco::JSON::Array;
      pair->add(name);
      pair->add(value);
      headers->add(pair);
    }
    item->set("headers", headers);
    item->set("atMs", r.at_ms);
    if (r.ended_at_ms >= 0) {
      item->set("endedAtMs", r.ended_at_ms);
    } else {
      item->set("endedAtMs", Poco::Dynamic::Var());
    }
    list->add(item);
  }
  Poco::JSON::Object json(Poco::JSON_PRESERVE_KEY_ORDER);
  json.set("requests", list);
  json.set("notLogged", not_logged);
  std::ostringstream out;
  json.stringify(out);
  return out.str();
}

}  // namespace ssespec::server
