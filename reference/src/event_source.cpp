#include "ssespec/event_source.hpp"

#include <algorithm>

#include "ssespec/mime.hpp"

namespace ssespec {

const char* to_string(ReadyState state) {
  switch (state) {
    case ReadyState::connecting: return "CONNECTING";
    case ReadyState::open: return "OPEN";
    case ReadyState::closed: return "CLOSED";
  }
  return "?";
}

bool SteadyTimer::wait(std::chrono::milliseconds delay) {
  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait_for(lock, delay, [this] { return interrupted_; });
  return !interrupted_;
}

void SteadyTimer::interrupt() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    interrupted_ = true;
  }
  wake_.notify_all();
}

class EventSource::Sink final : public EventSink {
 public:
  explicit Sink(EventSource& source) : source_(source) {}

  void on_event(const Event& event) override {
    std::lock_guard<std::recursive_mutex> lock(source_.mutex_);
    // "Queue a task which, if the readyState attribute is set to a value other than CLOSED,
    // dispatches the newly created event."
    if (source_.state_ == ReadyState::closed) {
      source_.parser_.pause();
      return;
    }
    MessageEvent message{std::string(event.type), std::string(event.data), std::string(event.last_event_id),
                         source_.origin_};
    if (source_.handlers_.on_message) source_.handlers_.on_message(message);
    if (source_.state_ == ReadyState::closed) source_.parser_.pause();  // close() in the handler
  }

  void on_comment(std::string_view text) override {
    std::lock_guard<std::recursive_mutex> lock(source_.mutex_);
    if (source_.state_ == ReadyState::closed || !source_.handlers_.on_comment) return;
    source_.handlers_.on_comment(std::string(text));
  }

  void on_retry(std::uint64_t ms) override {
    std::lock_guard<std::recursive_mutex> lock(source_.mutex_);
    // "Set the event stream's reconnection time to that integer."
    source_.reconnection_time_ = std::chrono::milliseconds(
        static_cast<std::chrono::milliseconds::rep>(std::min<std::uint64_t>(ms, 1ull << 40)));
  }

 private:
  EventSource& source_;
};

EventSource::EventSource(std::string url, Transport& transport, Timer& timer, EventSourceHandlers handlers,
                         EventSourceOptions options)
    : url_(std::move(url)),
      transport_(transport),
      timer_(timer),
      handlers_(std::move(handlers)),
      reconnection_time_(options.reconnection_time),
      parser_(options.limits),
      options_(std::move(options)) {}

ReadyState EventSource::ready_state() const {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  return state_;
}

std::chrono::milliseconds EventSource::reconnection_time() const {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  return reconnection_time_;
}

std::string EventSource::last_event_id() const {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  return parser_.last_event_id();
}

void EventSource::close() {
  {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    // "The close() method must abort any instances of the fetch algorithm started for this
    // EventSource object, and must set the readyState attribute to CLOSED."
    state_ = ReadyState::closed;
  }
  transport_.abort();
  timer_.interrupt();
}

HttpRequest EventSource::make_request() const {
  HttpRequest request{url_, {}, options_.method, options_.body, options_.read_timeout};
  // "User agents may set (`Accept`, `text/event-stream`)"; cache mode "no-store" makes fetch
  // append `Cache-Control: no-cache` (and `Pragma: no-cache`).
  request.headers.emplace_back("Accept", "text/event-stream");
  request.headers.emplace_back("Cache-Control", "no-cache");
  request.headers.emplace_back("Pragma", "no-cache");
  // "If the EventSource object's last event ID string is not the empty string, set
  // (`Last-Event-ID`, lastEventIDValue)" (already UTF-8).
  const std::string& id = parser_.last_event_id().empty() ? options_.initial_last_event_id : parser_.last_event_id();
  if (!id.empty()) request.headers.emplace_back("Last-Event-ID", id);
  request.headers.insert(request.headers.end(), options_.headers.begin(), options_.headers.end());
  return request;
}

void EventSource::fail_connection() {
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  // "If the readyState attribute is set to a value other than CLOSED, sets the readyState
  // attribute to CLOSED and fires an event named error."
  if (state_ == ReadyState::closed) return;
  state_ = ReadyState::closed;
  if (handlers_.on_error) handlers_.on_error(ReadyState::closed);
}

bool EventSource::reestablish() {
  std::chrono::milliseconds delay{};
  {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    // 1. "If the readyState attribute is set to CLOSED, abort the task. Set the readyState
    // attribute to CONNECTING. Fire an event named error."
    if (state_ == ReadyState::closed) return false;
    state_ = ReadyState::connecting;
    if (handlers_.on_error) handlers_.on_error(ReadyState::connecting);
    delay = reconnection_time_;
  }
  // 2. "Wait a delay equal to the reconnection time of the event source."
  if (!timer_.wait(delay)) return false;
  // 5.1 "If the EventSource object's readyState attribute is not set to CONNECTING, then return."
  return ready_state() == ReadyState::connecting;
}

EventSource::Outcome EventSource::connect_once() {
  HttpRequest request;
  {
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    if (state_ == ReadyState::closed) return Outcome::closed;
    request = make_request();
  }
  std::string error;
  std::unique_ptr<HttpResponse> response = transport_.fetch(request, error);
  if (ready_state() == ReadyState::closed) return Outcome::closed;  // aborted: nothing fires
  // "Otherwise, if res is a network error, then reestablish the connection."
  if (!response) {
    diagnose("network error: " + error);
    return Outcome::ended;
  }
  // "Otherwise, if res's status is not 200, or if res's `Content-Type` is not
  // `text/event-stream`, then fail the connection."
  // fetch's "extract a MIME type" gives res's MIME type: every Content-Type value counts, and
  // the last one that parses decides.
  const std::vector<std::string> types = response->content_type_values();
  const std::optional<MimeType> mime_type = extract_mime_type(types);
  if (response->status() != 200 || !mime_type || mime_type->essence() != "text/event-stream") {
    std::string joined;  // as fetch's "get" combines them
    for (std::size_t i = 0; i < types.size(); ++i) joined += (i == 0 ? "" : ", ") + types[i];
    diagnose("failed: status " + std::to_string(response->status()) + ", Content-Type " +
             (types.empty() ? std::string("absent") : "\"" + joined + "\""));
    fail_connection();
    return Outcome::failed;
  }
  {
    // "Announce the connection": if readyState is not CLOSED, set OPEN and fire open.
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    if (state_ == ReadyState::closed) return Outcome::closed;
    state_ = ReadyState::open;
    const std::string final_url = response->final_url();
    const auto scheme_end = final_url.find("://");
    const auto host_end = scheme_end == std::string::npos ? std::string::npos : final_url.find('/', scheme_end + 3);
    origin_ = final_url.substr(0, host_end);
    parser_.reset();  // a new stream; the last event ID string is kept
    if (handlers_.on_open) handlers_.on_open();
  }
  Sink sink(*this);
  std::string bytes;
  for (;;) {
    bytes.clear();
    const HttpResponse::Read read = response->read(bytes);
    if (read != HttpResponse::Read::data) {  // end of body or network error: reestablish
      diagnose(read == HttpResponse::Read::end ? "end of body" : "network error while reading the body");
      break;
    }
    std::lock_guard<std::recursive_mutex> lock(mutex_);
    if (state_ == ReadyState::closed) return Outcome::closed;
    const Status status = parser_.feed(bytes, sink);
    if (state_ == ReadyState::closed) return Outcome::closed;
    // A stream over the parser's limits cannot be followed; treat it as a network error.
    if (status != Status::ok) {
      diagnose(std::string("stream over the parser's limits: ") + to_string(status));
      break;
    }
  }
  std::lock_guard<std::recursive_mutex> lock(mutex_);
  // "Once the end of the file is reached, any pending data must be discarded."
  parser_.finish();
  return state_ == ReadyState::closed ? Outcome::closed : Outcome::ended;
}

void EventSource::diagnose(const std::string& text) {
  if (handlers_.on_diagnostic) handlers_.on_diagnostic(text);
}

void EventSource::run() {
  for (;;) {
    const Outcome outcome = connect_once();
    if (outcome != Outcome::ended) return;
    if (!reestablish()) return;
  }
}

}  // namespace ssespec
