#include "runner/service_adapter.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <ssespec/parser.hpp>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>

#include "runner/unreportable.hpp"

namespace ssespec {
namespace {

using Clock = std::chrono::steady_clock;
using Poco::JSON::Object;

constexpr int kHttpTimeoutS = 5;
constexpr int kListenGraceMs = 250;
constexpr std::size_t kMaxCommentCallbacks = 1000;

struct HttpAnswer {
  int status = 0;
  std::string body;
  std::string location;
};

// One request to the service; throws std::runtime_error naming the call if it cannot be made.
// `keep_waiting`, if given, is asked every 100 ms until the answer begins: "" waits on, a
// reason gives up (a timeout that names it).
HttpAnswer call(const std::string& method, const std::string& url, const std::string& json_body,
               const std::function<void(const Poco::Exception&)>& on_failure = {},
               const std::function<std::string()>& keep_waiting = {}) {
  try {
    const Poco::URI uri(url);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(kHttpTimeoutS, 0));
    Poco::Net::HTTPRequest request(method, uri.getPathEtc().empty() ? "/" : uri.getPathEtc(), Poco::Net::HTTPMessage::HTTP_1_1);
    if (!json_body.empty()) {
      request.setContentType("application/json");
      request.setContentLength(static_cast<std::streamsize>(json_body.size()));
    } else if (method == "POST") {
      request.setContentLength(0);
    }
    // Flushed: POCO sends a buffered request only when the answer is read, and the wait below
    // watches the socket before that.
    session.sendRequest(request) << json_body << std::flush;
    if (keep_waiting) {
      while (!session.socket().poll(Poco::Timespan(0, 100 * 1000), Poco::Net::Socket::SELECT_READ)) {
        if (const std::string why = keep_waiting(); !why.empty()) throw Poco::TimeoutException(why);
      }
    }
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    HttpAnswer answer;
    answer.status = static_cast<int>(response.getStatus());
    Poco::StreamCopier::copyToString(in, answer.body);
    answer.location = response.get("Location", "");
    return answer;
  } catch (const Poco::Exception& e) {
    if (on_failure) on_failure(e);
    throw std::runtime_error("test service: " + method + " " + url + ": " + e.displayText());
  }
}

bool ok(int status) { return status >= 200 && status < 300; }

// The comment lines in a case's responses (its body bytes, each connection a stream of its own).
std::size_t stream_comments(const ClientCase& c) {
  struct Counter final : EventSink {
    std::size_t comments = 0;
    void on_event(const Event&) override {}
    void on_comment(std::string_view) override { ++comments; }
  } counter;
  for (const ClientConnection& connection : c.connections) {
    Parser parser;
    for (const server::Step& step : connection.response.steps) {
      if (parser.feed(step.bytes, counter) != Status::ok) break;
    }
  }
  return counter.comments;
}

std::string stringify(const Object& o) {
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

// The callbacks of one stream, put back in their numbered order.
struct Inbox {
  std::mutex mutex;
  std::condition_variable arrived;
  std::map<long, std::string> pending;  // number -> JSON body
  long next = 1;
  std::string problem;  // a callback outside the protocol
};

}  // namespace

struct ServiceLauncher::Impl {
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<Inbox>> inboxes;  // stream id -> its callbacks
  std::atomic<long> counter{0};
  std::unique_ptr<Poco::Net::HTTPServer> server;
  std::string callback_base;
  std::string service_url;
  std::mutex running_mutex;
  std::set<std::string> running;  // the cases whose streams are open, by full id
  std::string gone;               // why the service is gone for good, once it is
  int open_streams = 0;           // created and not yet deleted
  Clock::time_point last_closed{};  // when the last of them was deleted
  Clock::duration startup{};      // --startup-timeout

  // A failed call to the service: if the service no longer accepts connections, it is gone and
  // the run stops, naming the cases that were running (every later case would fail the same way).
  void note_failure(const Poco::Exception& e) {
    if (!dynamic_cast<const Poco::Net::ConnectionRefusedException*>(&e)) return;
    std::lock_guard<std::mutex> lock(running_mutex);
    if (!gone.empty()) return;
    std::string names;
    for (const std::string& n : running) names += (names.empty() ? "" : ", ") + n;
    gone = "the test service at " + service_url + " is gone (" + e.displayText() + ")" +
           (names.empty() ? "" : "; running then: " + names);
  }
  std::string gone_reason() {
    std::lock_guard<std::mutex> lock(running_mutex);
    return gone;
  }

  void stream_opened() {
    std::lock_guard<std::mutex> lock(running_mutex);
    ++open_streams;
  }
  void stream_closed() {
    std::lock_guard<std::mutex> lock(running_mutex);
    if (--open_streams == 0) last_closed = Clock::now();
  }
  // Whether a create sent at `sent` may wait longer ("") or why not. A service may answer one
  // create at a time, holding the next until a stream is deleted (a single-threaded one): that
  // wait is not the case's, so it lasts while any stream of the service is open, then at most
  // --startup-timeout from the later of the request and the last stream's end.
  std::string create_patience(Clock::time_point sent) {
    std::lock_guard<std::mutex> lock(running_mutex);
    if (open_streams > 0 || Clock::now() < std::max(sent, last_closed) + startup) return {};
    return "no answer to the create within " + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(startup).count()) +
           " s (--startup-timeout) while none of the service's streams was open";
  }

  std::shared_ptr<Inbox> inbox(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex);
    const auto it = inboxes.find(id);
    return it == inboxes.end() ? nullptr : it->second;
  }
};

namespace {

// POST /cb/<stream>/<n>: one numbered callback.
class CallbackHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit CallbackHandler(ServiceLauncher::Impl& impl) : impl_(impl) {}
  void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
    std::string body;
    Poco::StreamCopier::copyToString(request.stream(), body);
    std::vector<std::string> parts;
    Poco::URI(request.getURI()).getPathSegments(parts);
    std::shared_ptr<Inbox> inbox;
    long number = 0;
    if (parts.size() == 3 && parts[0] == "cb" && request.getMethod() == "POST") {
      inbox = impl_.inbox(parts[1]);
      number = std::strtol(parts[2].c_str(), nullptr, 10);
    }
    if (!inbox || number < 1) {
      response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
      response.setContentLength(0);
      response.send();
      return;
    }
    {
      std::lock_guard<std::mutex> lock(inbox->mutex);
      if (number < inbox->next || inbox->pending.count(number)) {
        if (inbox->problem.empty()) inbox->problem = "the service sent callback number " + std::to_string(number) + " twice";
      } else {
        inbox->pending[number] = body;
      }
    }
    inbox->arrived.notify_all();
    response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_ACCEPTED);
    response.setContentLength(0);
    response.send();
  }

 private:
  ServiceLauncher::Impl& impl_;
};

class CallbackFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit CallbackFactory(ServiceLauncher::Impl& impl) : impl_(impl) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new CallbackHandler(impl_);
  }

 private:
  ServiceLauncher::Impl& impl_;
};

class ServiceSession final : public AdapterSession {
 public:
  ServiceSession(ServiceLauncher::Impl& impl, std::string id, std::string name, std::shared_ptr<Inbox> inbox,
                 std::string resource, std::set<std::string> types, bool filter_types, bool has_ready_state,
                 int restart_after)
      : impl_(impl),
        id_(std::move(id)),
        name_(std::move(name)),
        inbox_(std::move(inbox)),
        resource_(std::move(resource)),
        types_(std::move(types)),
        filter_types_(filter_types),
        has_ready_state_(has_ready_state),
        restart_after_(restart_after) {
    impl_.stream_opened();
  }

  ~ServiceSession() override {
    {
      std::lock_guard<std::mutex> lock(impl_.mutex);
      impl_.inboxes.erase(id_);
    }
    {
      std::lock_guard<std::mutex> lock(impl_.running_mutex);
      impl_.running.erase(name_);
    }
    impl_.stream_closed();
  }

  Next next(TraceEntry& entry, std::string& problem, Clock::time_point deadline) override {
    for (;;) {
      std::string body;
      {
        std::unique_lock<std::mutex> lock(inbox_->mutex);
        const bool ready = inbox_->arrived.wait_until(lock, deadline, [&] {
          return !inbox_->problem.empty() || inbox_->pending.count(inbox_->next) > 0;
        });
        if (!inbox_->problem.empty()) {
          problem = inbox_->problem;
          return Next::problem;
        }
        if (!ready) return Next::timeout;
        body = std::move(inbox_->pending[inbox_->next]);
        inbox_->pending.erase(inbox_->next++);
      }
      std::string why;
      const std::optional<TraceEntry> e = translate(body, why);
      if (!why.empty()) {
        problem = why;
        return Next::problem;
      }
      if (!e) continue;  // something EventSource would not report (a comment, an unlistened type)
      entry = *e;
      // LaunchDarkly's restart, as the case's options say: after the N-th message observed.
      if (entry.kind == "message" && ++messages_ == restart_after_) command(R"({"command":"restart"})");
      return Next::entry;
    }
  }

  void close() override { command(R"({"command":"close"})"); }

  std::string crash() override { return failed_; }

  std::string finish(std::string& note) override {
    (void)note;
    try {
      const HttpAnswer a = call("DELETE", resource_, "", failure_note());
      if (!ok(a.status) && failed_.empty()) failed_ = "the test service answered DELETE " + resource_ + " with " + std::to_string(a.status);
    } catch (const std::exception& e) {
      if (failed_.empty()) failed_ = e.what();
    }
    return failed_;
  }

 private:
  void command(const std::string& json) {
    try {
      const HttpAnswer a = call("POST", resource_, json, failure_note());
      if (!ok(a.status) && failed_.empty()) {
        failed_ = "the test service answered the command " + json + " with " + std::to_string(a.status);
      }
    } catch (const std::exception& e) {
      if (failed_.empty()) failed_ = e.what();
    }
  }

  // One callback as a trace entry; nullopt for what an EventSource listener would not see.
  std::optional<TraceEntry> translate(const std::string& body, std::string& problem) const {
    try {
      const auto o = Poco::JSON::Parser().parse(body).extract<Object::Ptr>();
      const std::string kind = o->optValue<std::string>("kind", "");
      TraceEntry e;
      e.kind = kind;
      if (kind == "event") {
        const auto ev = o->getObject("event");
        if (!ev) throw Poco::Exception("an event callback without \"event\"");
        e.kind = "message";
        e.type = ev->optValue<std::string>("type", "");
        if (e.type.empty()) e.type = "message";
        e.data = ev->optValue<std::string>("data", "");
        // LaunchDarkly's harness reads "id" as the last event ID ("last ID persists if not
        // overridden by later event"): MessageEvent.lastEventId. Absent or null: none.
        e.last_event_id = ev->has("id") && !ev->isNull("id") ? ev->getValue<std::string>("id") : "";
        if (filter_types_ && !types_.count(e.type)) return std::nullopt;
        return e;
      }
      if (kind == "comment") {
        e.data = o->optValue<std::string>("comment", "");
        return e;
      }
      if (kind == "open") return e;
      if (kind == "error" || kind == "closed") {
        e.ready_state = o->has("readyState") ? o->getValue<int>("readyState") : (kind == "closed" ? 2 : -1);
        if (kind == "error" && !has_ready_state_) e.ready_state = -1;
        return e;
      }
      problem = "the service sent a callback of unknown kind: " + body.substr(0, 200);
    } catch (const Poco::Exception& ex) {
      problem = "the service sent a callback outside the protocol: " + body.substr(0, 200) + " (" + ex.displayText() + ")";
    }
    return std::nullopt;
  }

  std::function<void(const Poco::Exception&)> failure_note() const {
    return [this](const Poco::Exception& e) { impl_.note_failure(e); };
  }

  ServiceLauncher::Impl& impl_;
  std::string id_;
  std::string name_;  // the case's full id
  std::shared_ptr<Inbox> inbox_;
  std::string resource_;
  std::set<std::string> types_;
  bool filter_types_;
  bool has_ready_state_;
  int restart_after_;  // 0: never
  int messages_ = 0;
  std::string failed_;
};

}  // namespace

ServiceLauncher::ServiceLauncher(std::string service_url, double startup_s)
    : service_url_(std::move(service_url)), impl_(std::make_unique<Impl>()) {
  impl_->service_url = service_url_;
  impl_->startup = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(startup_s));
  const HttpAnswer status = call("GET", service_url_, "");
  if (status.status != 200) throw std::runtime_error("test service: GET " + service_url_ + " answered " + std::to_string(status.status));
  try {
    const auto o = Poco::JSON::Parser().parse(status.body).extract<Object::Ptr>();
    if (const auto caps = o->getArray("capabilities")) {
      for (unsigned i = 0; i < caps->size(); ++i) declared_.insert(caps->getElement<std::string>(i));
    }
  } catch (const Poco::Exception&) {
    // The body is optional (a service with no capabilities may send none).
  }
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  auto params = new Poco::Net::HTTPServerParams;
  // No keep-alive: a service posting through a keep-alive agent (Node's) would hold a server
  // thread per idle connection, and later callbacks would queue behind them (issue 18). One
  // request per connection frees the thread as soon as the callback is answered.
  params->setMaxThreads(32);
  params->setMaxQueued(256);
  params->setKeepAlive(false);
  impl_->callback_base = "http://127.0.0.1:" + std::to_string(socket.address().port()) + "/cb/";
  impl_->server = std::make_unique<Poco::Net::HTTPServer>(new CallbackFactory(*impl_), socket, params);
  impl_->server->start();
}

ServiceLauncher::~ServiceLauncher() {
  if (impl_->server) impl_->server->stopAll(true);
}

std::string ServiceLauncher::gone() const { return impl_->gone_reason(); }

std::set<std::string> ServiceLauncher::runner_capabilities() const {
  std::set<std::string> out;
  if (declared_.count("ssespec-close")) out.insert("close");
  if (declared_.count("ssespec-close-in-handler")) out.insert("close-in-handler");
  for (const char* cap : {"headers", "last-event-id", "post", "comments", "read-timeout", "restart"}) {
    if (declared_.count(cap)) out.insert(cap);
  }
  return out;
}

std::string ServiceLauncher::adapt(ClientCase& c) const {
  const auto has = [&](const char* cap) { return declared_.count(cap) > 0; };
  // What the service does not report, by its ssespec-* capability: the rule of unreportable.hpp.
  // Not last-event-id: every service's "id" is read as the last event ID, as LaunchDarkly's
  // harness reads it ("last ID persists if not overridden by later event").
  std::set<std::string> missing;
  for (const std::string& name : unreportable_names()) {
    if (name != "last-event-id" && !has(("ssespec-" + name).c_str())) missing.insert(name);
  }
  std::string why;
  const std::string needed = fit_to_unreportable(c, missing, why);
  if (!needed.empty()) return "needs capability 'ssespec-" + needed + "': the test service reports " + why;
  bool api_named = false;
  std::size_t comments = 0;
  for (const TraceEntry& t : c.trace) {
    api_named = api_named || (t.kind == "message" && (t.type == "open" || t.type == "error"));
    comments += t.kind == "comment" ? 1 : 0;
  }
  // LaunchDarkly's listen command adds a listener for the type: for "open" and "error" that is
  // the listener of the real open and error events too, and its callbacks cannot be told apart.
  // (A service without listeners reports every event as kind "event": those are graded.)
  if (api_named && !has("ssespec-listen") && has("event-type-listeners")) {
    return "needs capability 'ssespec-listen': a LaunchDarkly service reports events named open or error "
           "through the same listener as the real open and error events";
  }
  // One HTTP request per comment: no service posts a flood of them within the case's deadline.
  // A service with `comments` posts one for every comment line the stream carries, graded or not.
  if (has("comments")) comments = std::max(comments, stream_comments(c));
  if (comments > kMaxCommentCallbacks) {
    return "the stream carries " + std::to_string(comments) + " comments, one callback (an HTTP request) each from a "
           "test service with 'comments' (more than " + std::to_string(kMaxCommentCallbacks) + ")";
  }
  // LaunchDarkly's `listen` commands come after the stream is created, so its first bytes could
  // beat them: hold the first body bytes back a moment (the bytes and their later boundaries
  // are unchanged). ssespec-listen, in the create body, has no such race.
  if (!has("ssespec-listen") && has("event-type-listeners") && !c.listen.empty() && !c.connections.empty()) {
    auto& steps = c.connections.front().response.steps;
    steps.insert(steps.begin(), server::Step{{}, kListenGraceMs});
  }
  return {};
}

std::unique_ptr<AdapterSession> ServiceLauncher::start(const ClientCase& c, const std::string& url) {
  if (const std::string gone = impl_->gone_reason(); !gone.empty()) throw std::runtime_error(gone);
  const std::string id = std::to_string(++impl_->counter);
  auto inbox = std::make_shared<Inbox>();
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->inboxes[id] = inbox;
  }
  Object create(Poco::JSON_PRESERVE_KEY_ORDER);
  create.set("streamUrl", url);
  create.set("callbackUrl", impl_->callback_base + id);
  create.set("tag", c.full_id());
  const bool own_listen = declared_.count("ssespec-listen") > 0;
  const bool ld_listen = !own_listen && declared_.count("event-type-listeners") > 0;
  if (own_listen) {
    Poco::JSON::Array listen;
    for (const std::string& t : c.listen) listen.add(t);
    create.set("listen", listen);
  }
  for (const ClientAction& a : c.actions) {
    if (!a.via_stdin) create.set("closeAfter", a.kind + ":" + std::to_string(a.count));
  }
  // LaunchDarkly's optional features, under its own capability names.
  if (!c.config.headers.empty()) {
    Object headers(Poco::JSON_PRESERVE_KEY_ORDER);
    for (const auto& [name, value] : c.config.headers) headers.set(name, value);
    create.set("headers", headers);
  }
  if (c.config.last_event_id) create.set("lastEventId", *c.config.last_event_id);
  if (c.config.method) create.set("method", *c.config.method);
  if (c.config.body) create.set("body", *c.config.body);
  if (c.config.read_timeout_ms) create.set("readTimeoutMs", *c.config.read_timeout_ms);
  std::set<std::string> types(c.listen.begin(), c.listen.end());
  types.insert({"message", "open", "error"});
  auto forget = [&] {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->inboxes.erase(id);
  };
  HttpAnswer created;
  try {
    {
      std::lock_guard<std::mutex> lock(impl_->running_mutex);
      impl_->running.insert(c.full_id());
    }
    const auto sent = Clock::now();
    created = call("POST", service_url_, stringify(create), [&](const Poco::Exception& e) { impl_->note_failure(e); },
                   [&] { return impl_->create_patience(sent); });
  } catch (...) {
    forget();
    {
      std::lock_guard<std::mutex> lock(impl_->running_mutex);
      impl_->running.erase(c.full_id());
    }
    // The service is gone: say so, so that the runner stops rather than counting this case.
    if (const std::string gone = impl_->gone_reason(); !gone.empty()) throw std::runtime_error(gone);
    throw;
  }
  if (!ok(created.status) || created.location.empty()) {
    forget();
    throw std::runtime_error("test service: POST " + service_url_ + " answered " + std::to_string(created.status) +
                             (created.location.empty() ? " without a Location" : "") + ": " + created.body.substr(0, 200));
  }
  const std::string resource = Poco::URI(Poco::URI(service_url_), created.location).toString();
  // Without either listen capability, the service reports every event: keep what EventSource
  // listeners for the case's types would see.
  auto session = std::make_unique<ServiceSession>(*impl_, id, c.full_id(), inbox, resource, types, !own_listen,
                                                  declared_.count("ssespec-ready-state") > 0, c.config.restart_after);
  if (ld_listen) {
    for (const std::string& t : c.listen) {
      Object listen;
      listen.set("command", "listen");
      Object type;
      type.set("type", t);
      listen.set("listen", type);
      call("POST", resource, stringify(listen), [&](const Poco::Exception& e) { impl_->note_failure(e); });
    }
  }
  return session;
}

}  // namespace ssespec
