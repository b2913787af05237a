// ssespec reference EventSource: the WHATWG processing model (readyState, open/message/error,
// reconnection time, Last-Event-ID, fail vs reestablish) over an injected transport and timer,
// built on ssespec::Parser. reference/client/http_transport.hpp is the POCO transport.
//
// Spec: https://html.spec.whatwg.org/multipage/server-sent-events.html#the-eventsource-interface
//       https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ssespec/parser.hpp"

namespace ssespec {

enum class ReadyState { connecting = 0, open = 1, closed = 2 };

const char* to_string(ReadyState state);  // "CONNECTING", "OPEN", "CLOSED"

struct MessageEvent {
  std::string type;           // "message" unless the stream named one
  std::string data;
  std::string last_event_id;
  std::string origin;         // of the response's final URL (after redirects)
};

struct HttpRequest {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string method = "GET";
  std::string body;  // sent when not empty
  std::chrono::milliseconds read_timeout{0};  // > 0: no bytes for this long is a network error
};

// One response, after redirects were followed.
class HttpResponse {
 public:
  enum class Read { data, end, network_error };
  virtual ~HttpResponse() = default;
  virtual int status() const = 0;
  // The value of every Content-Type header field, in the order received (empty: none), for
  // fetch's "extract a MIME type" (ssespec/mime.hpp).
  virtual std::vector<std::string> content_type_values() const = 0;
  virtual std::string final_url() const = 0;
  // Blocks for the next body bytes (any amount). `end`: the body ended normally.
  virtual Read read(std::string& bytes) = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Fetches `request`, following redirects. nullptr is a network error, explained in `error`.
  virtual std::unique_ptr<HttpResponse> fetch(const HttpRequest& request, std::string& error) = 0;
  // Thread-safe and permanent: a blocked or later fetch()/read() returns soon (close()).
  virtual void abort() = 0;
};

// Waits out the reconnection time; injected so tests run without sleeping.
class Timer {
 public:
  virtual ~Timer() = default;
  // Returns false if interrupt() was called (now or before).
  virtual bool wait(std::chrono::milliseconds delay) = 0;
  virtual void interrupt() = 0;  // thread-safe and permanent
};

// A real-time Timer.
class SteadyTimer final : public Timer {
 public:
  bool wait(std::chrono::milliseconds delay) override;
  void interrupt() override;

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool interrupted_ = false;
};

struct EventSourceHandlers {
  std::function<void()> on_open;
  std::function<void(const MessageEvent&)> on_message;  // every event type
  std::function<void(ReadyState)> on_error;             // readyState after the change
  // Not an event: why the connection failed or is being reestablished, for developer consoles
  // (the spec's implementation advice).
  std::function<void(const std::string&)> on_diagnostic;
  // Not in the spec (whose EventSource drops comments): a comment line's text, without the colon.
  std::function<void(const std::string&)> on_comment = nullptr;
};

struct EventSourceOptions {
  std::chrono::milliseconds reconnection_time{3000};  // "a few seconds"; `retry` changes it
  Limits limits;
  // Library features beyond the spec (what fetch-based and SDK clients offer):
  std::vector<std::pair<std::string, std::string>> headers;  // added to every request
  // Sent as Last-Event-ID while the last event ID string is empty (as SDKs that take a
  // starting event ID do); an ID from the stream replaces it.
  std::string initial_last_event_id;
  std::string method = "GET";  // e.g. POST for streaming APIs; resent on every reconnection
  std::string body;
  // > 0: a connection silent for this long is a network error, so the client reconnects (SDKs
  // use it to notice a dead connection that never closes).
  std::chrono::milliseconds read_timeout{0};
};

class EventSource {
 public:
  EventSource(std::string url, Transport& transport, Timer& timer, EventSourceHandlers handlers,
              EventSourceOptions options = {});

  // Runs the connection on the calling thread until readyState is CLOSED (close(), or the
  // connection failed). Handlers are called on this thread.
  void run();

  // Aborts the fetch and sets readyState to CLOSED. Thread-safe; may be called from a handler,
  // in which case nothing more is dispatched, not even events already received in the same
  // chunk. From another thread, it returns after any handler in progress has returned.
  void close();

  ReadyState ready_state() const;
  std::chrono::milliseconds reconnection_time() const;
  std::string last_event_id() const;  // the last event ID string
  const std::string& url() const { return url_; }

 private:
  class Sink;
  enum class Outcome { failed, ended, closed };
  Outcome connect_once();
  void fail_connection();
  void diagnose(const std::string& text);
  bool reestablish();  // false: CLOSED meanwhile
  HttpRequest make_request() const;

  std::string url_;
  Transport& transport_;
  Timer& timer_;
  EventSourceHandlers handlers_;
  mutable std::recursive_mutex mutex_;  // held while changing state and calling handlers
  ReadyState state_ = ReadyState::connecting;
  std::chrono::milliseconds reconnection_time_;
  Parser parser_;
  std::string origin_;
  EventSourceOptions options_;
};

}  // namespace ssespec
