#include "server_check/h2/h2_probe.hpp"

#include <algorithm>
#include <cctype>

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Timespan.h>

#include "server_check/content_decoder.hpp"

namespace ssespec::h2 {
namespace {

constexpr std::size_t kReadBytes = 16 * 1024;
// After the last wanted event, how long to watch for the server ending the stream (as http_probe).
constexpr std::chrono::milliseconds kEndGrace{50};

Poco::Timespan span(double seconds) {
  return Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(std::max(seconds, 0.001) * 1e6));
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// The request's fields: ssespec's Accept, then the user's (names lowercased, as HTTP/2 requires;
// same-named ones replaced; Host becomes :authority), then `extra`.
Fields request_fields(const ProbeRequest& request, const HeaderList& extra) {
  Fields fields{{"accept", "text/event-stream"}};
  auto put = [&](const std::string& name, const std::string& value) {
    const std::string key = lower(name);
    if (key == "host") return;
    const auto same = std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return f.first == key; });
    if (same != fields.end()) same->second = value;
    else fields.emplace_back(key, value);
  };
  for (const auto& [name, value] : request.headers) put(name, value);
  for (const auto& [name, value] : extra) put(name, value);
  return fields;
}

}  // namespace

const char* to_string(StreamEnd end) {
  switch (end) {
    case StreamEnd::open: return "open";
    case StreamEnd::end_stream: return "END_STREAM";
    case StreamEnd::reset: return "RST_STREAM";
    case StreamEnd::goaway: return "GOAWAY";
    case StreamEnd::closed: return "connection closed";
    case StreamEnd::session_error: return "HTTP/2 framing error";
  }
  return "unknown";
}

std::string StreamRecord::field(const std::string& lowercase_name) const {
  for (const auto& [name, value] : head)
    if (name == lowercase_name) return value;
  return "";
}

Connection::Connection(const ProbeRequest& request, Clock::time_point deadline, const SessionOptions& options)
    : request_(request), start_(Clock::now()), deadline_(deadline), session_(options) {
  const Poco::URI& uri = request.uri;
  if (request.protocol == Protocol::h2c) {
    if (uri.getScheme() != "http") throw CouldNotRun("--h2c needs an http:// URL (h2c is HTTP/2 without TLS)");
    socket_ = open_connection(uri, request, deadline);
    record_.alpn = "h2c";
    return;
  }
  if (uri.getScheme() != "https") throw CouldNotRun("HTTP/2 needs an https:// URL (or --h2c for cleartext)");
  socket_ = open_connection(uri, request, deadline, std::string_view("\x02h2", 3));
  record_.alpn = negotiated_protocol(socket_);
  record_.tls_version = tls_version(socket_);
  if (record_.alpn != "h2") {
    throw CouldNotRun("the server did not accept HTTP/2: offered only ALPN h2, it chose " +
                      (record_.alpn.empty() ? std::string("none") : record_.alpn));
  }
}

Connection::~Connection() {
  try {
    socket_.close();
  } catch (const Poco::Exception&) {
  }
}

double Connection::elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

std::int32_t Connection::open(const HeaderList& extra) {
  const Poco::URI& uri = request_.uri;
  const std::string authority = uri.getAuthority().substr(uri.getAuthority().find('@') + 1);
  const std::string path = uri.getPathEtc().empty() ? "/" : uri.getPathEtc();
  const std::int32_t id = session_.get(request_.protocol == Protocol::h2c ? "http" : "https", authority, path,
                                       request_fields(request_, extra));
  StreamRecord& record = streams_[id];
  record.id = id;
  record.opened_at = elapsed();
  return id;
}

void Connection::cancel(std::int32_t stream) { session_.cancel(stream); }
void Connection::grant(std::int32_t stream, std::uint32_t bytes) { session_.grant(stream, bytes); }

void Connection::flush() {
  const std::string out = session_.take_output();
  if (out.empty() || !alive_) return;
  try {
    for (std::size_t sent = 0; sent < out.size();) {
      const int n = socket_.sendBytes(out.data() + sent, static_cast<int>(out.size() - sent));
      if (n <= 0) throw Poco::Net::ConnectionResetException("send");
      sent += static_cast<std::size_t>(n);
    }
  } catch (const Poco::Exception& e) {
    end_all(StreamEnd::closed, elapsed(), 0, "sending failed: " + e.displayText());
  }
}

void Connection::end_all(StreamEnd end, double at, std::uint32_t code, const std::string& text) {
  alive_ = false;
  for (auto& [id, s] : streams_) {
    if (s.end != StreamEnd::open) continue;
    s.end = end;
    s.ended_at = at;
    s.code = code;
    s.text = text;
  }
}

void Connection::apply(Event& event, double at, bool& data_seen,
                       const std::function<void(std::int32_t, std::string_view, double)>& on_data) {
  auto found = streams_.find(event.stream);
  StreamRecord* s = found == streams_.end() ? nullptr : &found->second;
  switch (event.kind) {
    case EventKind::headers:
      if (s == nullptr) break;
      if (!s->got_head()) {
        s->head = std::move(event.fields);
        s->head_at = at;
      } else {
        s->trailers = std::move(event.fields);
      }
      break;
    case EventKind::data:
      if (s == nullptr) break;
      s->last_data_at = at;
      if (s->first_data_at < 0) {
        s->first_data_at = at;
        s->head_with_data = s->head_at == at && !data_seen;
      }
      data_seen = true;
      s->data_bytes += event.data.size();
      if (on_data) on_data(event.stream, event.data, at);
      break;
    case EventKind::end_stream:
      if (s != nullptr && s->end == StreamEnd::open) {
        s->end = StreamEnd::end_stream;
        s->ended_at = at;
      }
      break;
    case EventKind::reset:
      if (s != nullptr && s->end == StreamEnd::open) {
        s->end = StreamEnd::reset;
        s->code = event.code;
        s->ended_at = at;
      }
      break;
    case EventKind::goaway:
      record_.goaway = true;
      record_.goaway_code = event.code;
      record_.goaway_last_stream = event.last_stream;
      record_.goaway_at = at;
      for (auto& [id, other] : streams_) {
        if (id > event.last_stream && other.end == StreamEnd::open) {
          other.end = StreamEnd::goaway;
          other.code = event.code;
          other.ended_at = at;
        }
      }
      break;
    case EventKind::settings:
      record_.settings_seen = true;
      record_.max_concurrent_streams = session_.max_concurrent_streams();
      break;
    case EventKind::session_error:
      end_all(StreamEnd::session_error, at, event.code, event.text);
      break;
    case EventKind::stream_error:
      if (s != nullptr && s->end == StreamEnd::open) {
        s->end = StreamEnd::session_error;
        s->code = event.code;
        s->text = "ssespec reset the stream, " + error_name(event.code) +
                  (event.text == error_name(event.code) ? "" : ": " + event.text);
        s->ended_at = at;
      }
      break;
  }
}

bool Connection::run(Clock::time_point until, const std::function<bool()>& done,
                     const std::function<void(std::int32_t, std::string_view, double)>& on_data) {
  until = std::min(until, deadline_);
  char buffer[kReadBytes];
  while (alive_) {
    flush();
    if (!alive_) break;
    const double left = std::chrono::duration<double>(until - Clock::now()).count();
    if (left <= 0) return true;
    int n = 0;
    try {
      socket_.setReceiveTimeout(span(left));
      n = socket_.receiveBytes(buffer, sizeof buffer);
    } catch (const Poco::TimeoutException&) {
      continue;  // `until` is checked above
    } catch (const Poco::Exception& e) {
      end_all(StreamEnd::closed, elapsed(), 0, e.displayText());
      break;
    }
    const double at = elapsed();
    if (n <= 0) {
      end_all(StreamEnd::closed, at, 0, "the server closed the connection");
      break;
    }
    bool data_seen = false;
    for (Event& event : session_.feed(std::string_view(buffer, static_cast<std::size_t>(n))))
      apply(event, at, data_seen, on_data);
    flush();  // SETTINGS ACK, WINDOW_UPDATE, PING replies, a GOAWAY for an error
    if (done && done()) return alive_;
  }
  return false;
}

ProbeResult probe(const ProbeRequest& request, StreamInspector* stream) {
  const Clock::time_point start = Clock::now();
  Clock::time_point deadline = start + std::chrono::microseconds(static_cast<long long>(request.timeout_s * 1e6));
  ProbeResult result;
  result.tls = request.protocol == Protocol::h2;
  Connection c(request, deadline);  // throws CouldNotRun: nothing to judge
  result.alpn = c.connection().alpn;
  const std::int32_t id = c.open();
  const auto finish = [&] {
    auto record = std::make_shared<StreamRecord>(c.stream(id));
    record->connection = c.connection();
    result.h2 = std::move(record);
    result.ended_at = c.elapsed();
    return result;
  };
  c.run(deadline, [&] { return c.stream(id).got_head() || c.stream(id).end != StreamEnd::open; });
  const StreamRecord& s = c.stream(id);
  if (!s.got_head()) {
    result.detail = s.end == StreamEnd::open
                        ? "no response HEADERS within --timeout (" + std::to_string(static_cast<int>(request.timeout_s * 1000)) + " ms)"
                        : std::string("the stream ended before its HEADERS (") + to_string(s.end) +
                              (s.end == StreamEnd::reset || s.end == StreamEnd::goaway ? " " + error_name(s.code) : "") +
                              (s.text.empty() ? "" : ": " + s.text) + ")";
    return finish();
  }
  result.response_at = s.head_at;
  const std::string status = s.field(":status");
  if (status.size() == 3 && std::all_of(status.begin(), status.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    result.response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(std::stoi(status)));
    result.response.setReason("");
  } else {
    result.framing_error = "the response has no valid :status (\"" + printable(status) + "\")";
  }
  for (const auto& [name, value] : s.head)
    if (!name.empty() && name[0] != ':') result.response.add(name, value);
  result.framing = "HTTP/2 DATA frames";
  bool unsupported = false;
  const std::string coding = result.response.has("Content-Encoding") ? lower(trim(result.response.get("Content-Encoding"))) : "";
  std::unique_ptr<ContentDecoder> decoder = make_content_decoder(coding, unsupported);
  if (decoder) result.decoded_coding = coding;
  if (unsupported) result.framing_error = "Content-Encoding: " + coding + ", which clients cannot decode";
  if (!request.read_body || stream == nullptr || !result.framing_error.empty()) {
    result.end = result.framing_error.empty() ? ProbeEnd::head_only : ProbeEnd::bad_framing;
    return finish();
  }
  bool stop = false, grace = false;
  result.end = ProbeEnd::deadline;
  std::string decoded;
  const auto on_data = [&](std::int32_t on, std::string_view bytes, double at) {
    if (on != id || stop) return;
    std::string_view body = bytes;
    if (decoder) {
      decoded.clear();
      if (!decoder->feed(bytes, decoded, request.max_bytes)) {
        result.framing_error = "Content-Encoding: " + coding + ": " + decoder->error();
        result.end = ProbeEnd::bad_framing;
        stop = true;
        return;
      }
      body = decoded;
    }
    if (const std::optional<ProbeEnd> end = feed_body(*stream, body, at, request.max_bytes)) {
      result.end = *end;
      stop = true;
    } else if (request.max_events > 0 && stream->events() >= request.max_events && !grace) {
      grace = true;  // as http_probe: watch briefly for the server ending the stream right here
      deadline = std::min(deadline, Clock::now() + kEndGrace);
      result.end = ProbeEnd::enough_events;
    }
  };
  c.run(deadline, [&] { return stop || c.stream(id).end != StreamEnd::open || Clock::now() >= deadline; }, on_data);
  if (!stop) {
    switch (c.stream(id).end) {
      case StreamEnd::open: break;
      case StreamEnd::end_stream: result.end = ProbeEnd::peer_closed; break;
      default:
        result.end = ProbeEnd::peer_reset;
        result.detail = std::string("the stream ended by ") + to_string(c.stream(id).end) +
                        (c.stream(id).end == StreamEnd::reset || c.stream(id).end == StreamEnd::goaway
                             ? " " + error_name(c.stream(id).code)
                             : "") +
                        (c.stream(id).text.empty() ? "" : ": " + c.stream(id).text);
    }
  }
  finish();
  if (result.peer_ended()) stream->end_of_stream(result.ended_at);
  return result;
}

StreamsObservation probe_streams(const ProbeRequest& request, int wanted) {
  const Clock::time_point deadline = Clock::now() + std::chrono::microseconds(static_cast<long long>(request.timeout_s * 1e6));
  StreamsObservation o;
  Connection c(request, deadline);  // throws CouldNotRun
  std::vector<std::int32_t> ids{c.open()};
  const auto answered = [&](std::int32_t id) { return c.stream(id).got_head() || c.stream(id).end != StreamEnd::open; };
  c.run(deadline, [&] { return answered(ids[0]); });
  o.announced = c.connection().max_concurrent_streams;
  if (c.stream(ids[0]).got_head()) {
    for (int i = 1; i < wanted; ++i) ids.push_back(c.open());
    // As long as a browser's page would wait for its next stream before judging it stuck: a
    // second, or a quarter of what is left.
    const double watch = std::min(1.0, request.timeout_s / 4);
    c.run(Clock::now() + std::chrono::milliseconds(static_cast<int>(watch * 1000)),
          [&] { return std::all_of(ids.begin(), ids.end(), answered); });
    const auto waiting = std::find_if(ids.begin(), ids.end(), [&](std::int32_t id) { return !answered(id); });
    c.cancel(ids[0]);
    o.cancelled = true;
    const std::int32_t next = waiting != ids.end() ? *waiting : c.open();
    for (std::int32_t id : ids) o.streams.push_back(c.stream(id));
    c.run(Clock::now() + std::chrono::milliseconds(static_cast<int>(watch * 1000)), [&] { return answered(next); });
    o.after_cancel = c.stream(next);
  } else {
    o.streams.push_back(c.stream(ids[0]));
    o.detail = "the first stream got no HEADERS";
  }
  return o;
}

FlowObservation probe_flow(const ProbeRequest& request, std::uint32_t window, double withhold_s, double watch_s) {
  const Clock::time_point deadline = Clock::now() + std::chrono::microseconds(static_cast<long long>(request.timeout_s * 1e6));
  FlowObservation o;
  o.window = window;
  SessionOptions options;
  options.initial_window = window;
  options.manual_window = true;
  Connection c(request, deadline, options);  // throws CouldNotRun
  const std::int32_t id = c.open();
  const auto ended = [&] { return c.stream(id).end != StreamEnd::open; };
  c.run(deadline, [&] { return ended() || c.stream(id).data_bytes >= window; });
  if (c.stream(id).data_bytes >= window) {
    o.filled_at = c.elapsed();
    // Withheld: a server that keeps sending now overruns the window.
    c.run(Clock::now() + std::chrono::milliseconds(static_cast<int>(withhold_s * 1000)), ended);
  }
  if (!ended() && o.filled_at >= 0) {
    o.bytes_at_grant = c.stream(id).data_bytes;
    c.grant(id, 1u << 20);
    o.granted_at = c.elapsed();
    c.run(deadline, [&] { return ended() || c.stream(id).data_bytes > o.bytes_at_grant; });
    if (c.stream(id).data_bytes > o.bytes_at_grant) o.resumed_at = c.elapsed();
    // What was queued while the window was shut comes at once; watch whether DATA goes on after.
    c.run(Clock::now() + std::chrono::milliseconds(static_cast<int>(watch_s * 1000)), ended);
    o.watched_until = c.elapsed();
  }
  o.stream = c.stream(id);
  return o;
}

}  // namespace ssespec::h2
