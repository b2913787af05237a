// The ssespec reference server: POCO request handlers behind a poll() head gate (head_gate.hpp)
// and an epoll stream pump (stream_pump.hpp). It replays scripted connections for scenario
// sessions, records every request it receives, and serves the /demo page.
// Endpoints: reference/server/API.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/script.hpp"

namespace Poco {
class ThreadPool;
namespace Net {
class TCPServerDispatcher;
class HTTPRequestHandler;
class HTTPServerRequest;
}
}  // namespace Poco

namespace ssespec::server {

class StreamPump;
class HeadGate;

// One request as the server saw it.
struct RecordedRequest {
  int connection = 0;       // index into the script; -1 past its end (held open, no response)
  std::string method;
  std::string path;         // the request target, e.g. "/s/s3/stream"
  std::vector<std::pair<std::string, std::string>> headers;  // as received, in order
  std::string body;         // the request body (e.g. of a POST stream request), first 64 KiB
  double at_ms = 0;         // arrival, since the session was created
  double ended_at_ms = -1;  // when the server ended this connection (close/reset); -1 if not

  // The first value of a header (case-insensitive name), or nullptr.
  const std::string* header(const std::string& name) const;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port
  int max_threads = 16;    // pool threads answer complete requests; streams do not hold them
  bool demo = true;        // serve /demo and /demo/clock
  int listen_backlog = 4096;  // the kernel caps it at net.core.somaxconn
  int max_queued = 16384;     // complete requests waiting for a pool thread (POCO's queue)
  std::chrono::milliseconds head_deadline{5000};  // accept to end of request head, else 408
  std::chrono::milliseconds body_deadline{10000};  // end of head to end of body, else 408 (the gate waits)
  std::size_t max_body_bytes = 64u << 20;           // a longer Content-Length answers 413
  std::chrono::milliseconds session_ttl{10 * 60 * 1000};  // a session idle this long is forgotten
  std::size_t max_sessions = 4096;  // POST /sessions beyond this answers 503
  std::chrono::milliseconds max_stall{10000};  // a stream whose client takes no bytes this long is dropped
  unsigned stream_threads = 0;  // threads that write the streams (the pump's shards); 0: one per core
  std::chrono::seconds dead_peer{30};  // a client gone without FIN/RST is noticed after about this long
  // A session logs its first requests only, up to both caps (method, target, headers and body
  // counted); later ones are answered as usual and only counted (requests_not_logged).
  std::size_t max_logged_requests = 1000;
  std::size_t max_log_bytes = 1 << 20;
};

// create_session() when max_sessions live sessions exist (POST /sessions answers 503).
struct SessionLimitReached : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ReferenceServer {
 public:
  explicit ReferenceServer(ServerOptions options = {});
  ~ReferenceServer();
  ReferenceServer(const ReferenceServer&) = delete;
  ReferenceServer& operator=(const ReferenceServer&) = delete;

  void start();  // binds and listens; throws Poco::Exception on failure
  void stop();
  std::uint16_t port() const;
  std::string base_url() const;  // "http://127.0.0.1:PORT"

  // Registers a script by name, for POST /sessions?script=NAME (the browser runner).
  void add_named_script(const std::string& name, Script script);
  std::vector<std::string> script_names() const;

  // A fresh session playing `script` (shared, never copied); returns its id. Its stream URL is
  // stream_path(id). Forgets expired sessions first; throws SessionLimitReached at the cap.
  std::string create_session(std::shared_ptr<const Script> script);
  std::string create_session(Script script) { return create_session(std::make_shared<const Script>(std::move(script))); }
  static std::string stream_path(const std::string& session_id) { return "/s/" + session_id + "/stream"; }
  // What the session received so far: its first requests, up to the log's caps (ServerOptions).
  std::vector<RecordedRequest> requests(const std::string& session_id) const;
  // Requests the session received past the log's caps.
  std::size_t requests_not_logged(const std::string& session_id) const;
  // When one of the session's clients last took bytes from the server (nullopt: not yet): a
  // case's progress (conformance/runner/case_progress.hpp).
  std::optional<std::chrono::steady_clock::time_point> last_sent(const std::string& session_id) const;
  // True once every response the session started has written all its scripted steps (or its
  // client left): nothing more will arrive unless the client connects again.
  bool session_played(const std::string& session_id) const;
  // Blocks until the session received at least `min_requests` requests and session_played()
  // holds, or until `deadline`; true if both hold. Woken by the server, never by polling.
  bool wait_played(const std::string& session_id, std::size_t min_requests, std::chrono::steady_clock::time_point deadline) const;
  // Closes the session's open streams and forgets it.
  void end_session(const std::string& session_id);

  std::size_t active_streams() const;
  std::size_t session_count();  // live sessions, after forgetting expired ones

  // Used by the request handlers.
  struct Session;
  std::shared_ptr<Session> find_session(const std::string& id) const;
  void log_request(Session& session, RecordedRequest request) const;  // with session.mutex held
  std::shared_ptr<const Script> find_script(const std::string& name) const;
  StreamPump& pump() { return *pump_; }
  bool demo_enabled() const { return options_.demo; }
  const ServerOptions& options() const { return options_; }

  // Extra routes (the browser runner page: runner_page.hpp), asked in order before the 404.
  // A route returns a new handler, or nullptr for paths it does not serve. Add before start().
  using Route = std::function<Poco::Net::HTTPRequestHandler*(const Poco::Net::HTTPServerRequest&)>;
  void add_route(Route route) { routes_.push_back(std::move(route)); }
  const std::vector<Route>& routes() const { return routes_; }

 private:
  ServerOptions options_;
  void forget_expired_sessions();  // with mutex_ held

  std::unique_ptr<StreamPump> pump_;
  std::unique_ptr<Poco::ThreadPool> pool_;       // outlives dispatcher_
  Poco::Net::TCPServerDispatcher* dispatcher_ = nullptr;  // reference-counted by POCO
  std::unique_ptr<HeadGate> gate_;
  std::uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Session>> sessions_;
  std::map<std::string, std::shared_ptr<const Script>> scripts_;
  std::uint64_t next_session_ = 1;
  std::vector<Route> routes_;
};

// JSON for the request log (API.md): {"requests": [{...}, ...], "notLogged": N}.
std::string requests_to_json(const std::vector<RecordedRequest>& requests, std::size_t not_logged = 0);

}  // namespace ssespec::server
