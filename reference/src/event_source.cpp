#include "ssespec/event_source.hpp"

#include <algorithm>
#include <cctype>

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

namespace {

// https://mimesniff.spec.whatwg.org/#http-whitespace
bool is_http_whitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// https://mimesniff.spec.whatwg.org/#http-token-code-point
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
    return std::string_view("\"(),/:;<=>?@[\\]{}").find(c) == std::string_view::npos;
  });
}

std::string_view trim_http_whitespace(std::string_view s) {
  while (!s.empty() && is_http_whitespace(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_http_whitespace(s.back())) s.remove_suffix(1);
  return s;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// https://mimesniff.spec.whatwg.org/#parse-a-mime-type, up to the essence (parameters never
// change whether a type is text/event-stream).
std::optional<std::string> parse_essence(std::string_view input) {
  input = trim_http_whitespace(input);
  const auto slash = input.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view type = input.substr(0, slash);
  std::string_view subtype = input.substr(slash + 1);
  subtype = subtype.substr(0, subtype.find(';'));
  while (!subtype.empty() && is_http_whitespace(subtype.back())) subtype.remove_suffix(1);
  if (!is_token(type) || !is_token(subtype)) return std::nullopt;
  return ascii_lower(type) + "/" + ascii_lower(subtype);
}

// https://fetch.spec.whatwg.org/#header-value-get-decode-and-split: commas outside quotes.
std::vector<std::string_view> split_values(std::string_view list) {
  std::vector<std::string_view> values;
  std::size_t start = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const char c = list[i];
    if (quoted && c == '\\') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      values.push_back(list.substr(start, i - start));
      start = i + 1;
    }
  }
  values.push_back(list.substr(start));
  return values;
}

}  // namespace

std::optional<std::string> mime_essence(std::string_view content_type) {
  // https://fetch.spec.whatwg.org/#concept-header-extract-mime-type: the last value that
  // parses (and is not */*) wins.
  std::optional<std::string> essence;
  for (const std::string_view value : split_values(content_type)) {
    auto parsed = parse_essence(value);
    if (parsed && *parsed != "*/*") essence = std::move(parsed);
  }
  return essence;
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
  const auto type = response->content_type();
  const auto essence = type ? mime_essence(*type) : std::nullopt;
  if (response->status() != 200 || essence != "text/event-stream") {
    diagnose("failed: status " + std::to_string(response->status()) + ", Content-Type " +
             (type ? "\"" + *type + "\"" : std::string("absent")));
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
