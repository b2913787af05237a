#include "server_check/server_checks.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <sstream>

#include "server_check/check_result.hpp"
#include "server_check/spec_refs.hpp"
#include "server_check/stream_checks.hpp"

namespace ssespec {
namespace {

// The server's lines may be long, but one line above this is judged a flood.
constexpr std::size_t kMaxLineBytes = 1u << 20;
// An unknown Last-Event-ID: what a client sends after the server restarted or forgot.
constexpr const char* kBogusLastEventId = "ssespec-unknown-id-7f3a9c";
// How long the abrupt clients stay connected before they vanish.
constexpr double kAbruptHoldSeconds = 0.2;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

std::string seconds(double s) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(s < 10 ? 3 : 1);
  out << s << " s";
  return out.str();
}

std::string header(const Poco::Net::HTTPResponse& response, const std::string& name) {
  return response.has(name) ? response.get(name) : std::string();
}

bool is_digits(const std::string& text) {
  return !text.empty() && text.size() < 19 && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// ---- One bounded probe with its inspector -------------------------------------------------

struct Observed {
  ProbeResult probe;
  StreamInspector stream;
  double watched_s() const { return probe.got_response() ? probe.ended_at - probe.response_at : 0; }
};

ProbeRequest base_request(const ServerCheckOptions& options, const Poco::URI& uri) {
  ProbeRequest request;
  request.uri = uri;
  request.headers = options.headers;
  request.timeout_s = options.timeout_s;
  request.max_bytes = options.max_bytes;
  request.cacert = options.cacert;
  request.insecure = options.insecure;
  return request;
}

Limits server_limits(const ServerCheckOptions& options) {
  Limits limits;
  limits.max_line_bytes = std::min<std::size_t>(kMaxLineBytes, options.max_bytes);
  limits.max_event_bytes = options.max_bytes;
  return limits;
}

// ---- HTTP checks ------------------------------------------------------------------------

CaseResult check_response(const ProbeResult& p, double timeout_s) {
  const char* id = "server/http/response";
  const char* what = "the server answers with a response head";
  if (p.got_response()) {
    return check_result(id, what, Verdict::pass, "response head after " + seconds(p.response_at), {spec::status_and_type()});
  }
  return check_result(id, what, Verdict::fail, p.detail.empty() ? "no response within --timeout " + seconds(timeout_s) : p.detail,
                      {spec::status_and_type()});
}

// How the response travels: HTTP/1.1 framing (a FAIL when broken: clients get a network error),
// the Content-Encoding decoded, and over TLS whether HTTP/2 is offered.
CaseResult check_transport(const ProbeResult& p) {
  const char* id = "server/http/transport";
  const char* what = "the response is framed as HTTP/1.1 requires";
  const SpecRef framing{"https://www.rfc-editor.org/rfc/rfc9112#section-6.3",
                        "If a message is received without Transfer-Encoding and with an invalid Content-Length header "
                        "field, then the message framing is invalid and the recipient MUST treat it as an unrecoverable error"};
  if (!p.framing_error.empty()) return check_result(id, what, Verdict::fail, p.framing_error, {framing});
  std::string how = "body " + p.framing + (p.decoded_coding.empty() ? "" : ", Content-Encoding: " + p.decoded_coding + " decoded");
  if (!p.redirects.empty()) how += ", after " + std::to_string(p.redirects.size()) + " redirect(s) to " + p.redirects.back();
  if (!p.tls) return check_result(id, what, Verdict::info, how, {framing});
  const SpecRef h2 = spec::ref("authoring-notes",
                               "Clients that support HTTP's per-server connection limitation might run into trouble when "
                               "opening multiple pages from a site if each page has an EventSource to the same domain.");
  if (p.alpn == "h2") return check_result(id, what, Verdict::info, how + "; TLS offers HTTP/2 (ALPN h2): browsers multiplex streams", {h2});
  return check_result(id, what, Verdict::warn,
                      how + "; TLS offers only HTTP/1.1 (ALPN: " + (p.alpn.empty() ? "none" : p.alpn) +
                          "): browsers allow about 6 HTTP/1.1 connections per origin, so a 7th tab's stream waits",
                      {h2});
}

CaseResult check_status(const ProbeResult& p) {
  const char* id = "server/http/status";
  const char* what = "the status is 200";
  const int status = static_cast<int>(p.response.getStatus());
  const std::string got = std::to_string(status) + " " + p.response.getReason();
  if (status == 200) return check_result(id, what, Verdict::pass, "", {spec::status_and_type()});
  if (status == 204) {
    return check_result(id, what, Verdict::fail, "204 tells every client to stop reconnecting; no stream is served",
                        {spec::status_and_type(), spec::stop_with_204()});
  }
  if (status >= 300 && status < 400) {
    return check_result(id, what, Verdict::warn,
                        got + " to \"" + header(p.response, "Location") +
                            "\": clients follow redirects, ssespec does not; test the target URL",
                        {spec::status_and_type()});
  }
  return check_result(id, what, Verdict::fail, got + ": clients fail the connection and never reconnect",
                      {spec::status_and_type(), spec::fail_is_final()});
}

CaseResult check_content_type(const ProbeResult& p) {
  const char* id = "server/headers/content-type";
  const char* what = "Content-Type is text/event-stream (UTF-8)";
  if (!p.response.has("Content-Type")) {
    return check_result(id, what, Verdict::fail, "no Content-Type: clients fail the connection",
                        {spec::status_and_type(), spec::fail_is_final()});
  }
  const std::string value = p.response.get("Content-Type");
  const MediaTypeParts type = parse_content_type(value);
  if (type.essence != "text/event-stream") {
    return check_result(id, what, Verdict::fail, "Content-Type \"" + value + "\": clients fail the connection",
                        {spec::status_and_type(), spec::fail_is_final()});
  }
  if (!type.charset.empty() && type.charset != "utf-8") {
    return check_result(id, what, Verdict::warn,
                        "charset=" + type.charset + " is ignored: clients always decode the stream as UTF-8",
                        {spec::always_utf8_intro(), spec::utf8_only()});
  }
  return check_result(id, what, Verdict::pass, "", {spec::status_and_type()});
}

CaseResult check_content_length(const ProbeResult& p) {
  const char* id = "server/headers/content-length";
  const char* what = "no Content-Length frames the stream";
  if (!p.response.has("Content-Length")) return check_result(id, what, Verdict::pass, "", {spec::end_of_body_reconnects()});
  return check_result(id, what, Verdict::warn,
                      "Content-Length: " + p.response.get("Content-Length") +
                          " makes the stream a fixed-size body: it ends, clients reconnect after every response and "
                          "proxies may buffer it whole",
                      {spec::end_of_body_reconnects(), spec::chunking_layer()});
}

CaseResult check_cache_control(const ProbeResult& p) {
  const char* id = "server/headers/cache-control";
  const char* what = "caching is disabled (Cache-Control: no-store or no-cache)";
  const std::string value = lower(header(p.response, "Cache-Control"));
  if (value.find("no-store") != std::string::npos || value.find("no-cache") != std::string::npos) {
    return check_result(id, what, Verdict::pass, "", {spec::no_store()});
  }
  return check_result(id, what, Verdict::warn,
                      value.empty() ? "no Cache-Control: a proxy or cache may store and replay the stream"
                                    : "Cache-Control: " + value + " allows caches to store the stream",
                      {spec::no_store()});
}

// Compression middleware buffers output until a block fills, unless flushed per event.
CaseResult check_content_encoding(const ProbeResult& main, const ProbeResult* browser_like) {
  const char* id = "server/headers/content-encoding";
  const char* what = "the stream is not compressed (compression buffers events)";
  std::vector<SpecRef> refs{spec::buffering(), spec::chunking_layer()};
  std::string coding = header(main.response, "Content-Encoding");
  std::string when = "";
  if ((coding.empty() || lower(coding) == "identity") && browser_like && browser_like->got_response()) {
    coding = header(browser_like->response, "Content-Encoding");
    when = " when asked with a browser's Accept-Encoding";
  }
  if (coding.empty() || lower(coding) == "identity") return check_result(id, what, Verdict::pass, "", refs);
  return check_result(id, what, Verdict::warn,
                      "Content-Encoding: " + coding + when +
                          ": compression holds events back until its buffer fills unless the server flushes each one",
                      refs);
}

// ---- Stream timing checks ---------------------------------------------------------------

CaseResult check_first_event(const Observed& o) {
  const char* id = "server/stream/first-event";
  const char* what = "an event is dispatched";
  if (o.stream.events() > 0) {
    return check_result(id, what, Verdict::pass, "first event after " + seconds(o.stream.first_event_at()), {spec::dispatch()});
  }
  const std::string message = o.probe.peer_ended()
                                  ? "the server ended the response without a complete event"
                                  : "no complete event in " + seconds(o.watched_s()) +
                                        (o.probe.end == ProbeEnd::deadline ? " (raise --timeout for a slow stream)"
                                                                           : std::string(" (stopped: ") + to_string(o.probe.end) + ")");
  return check_result(id, what, Verdict::warn, message, {spec::dispatch(), spec::grammar_event()});
}

CaseResult check_flushed(const Observed& o) {
  const char* id = "server/stream/flushed";
  const char* what = "events are flushed as they are produced";
  std::vector<SpecRef> refs{spec::buffering(), spec::chunking_layer()};
  const StreamInspector& s = o.stream;
  if (s.events() == 0) {
    const std::string coding = header(o.probe.response, "Content-Encoding");
    if (!coding.empty() && !o.probe.peer_ended()) {
      return check_result(id, what, Verdict::warn,
                          "no event in " + seconds(o.watched_s()) + " from a " + coding + " body (" +
                              std::to_string(s.bytes()) + " bytes): compression is buffering",
                          refs);
    }
    return check_result(id, what, Verdict::skip, "no event to time", refs);
  }
  const double tail = o.probe.ended_at - s.first_event_at();
  if (o.probe.peer_ended() && tail < 0.1) {
    if (s.events() >= 2 && s.first_event_at() >= 0.5) {
      return check_result(id, what, Verdict::fail,
                          "all " + std::to_string(s.events()) + " events arrived together " + seconds(s.first_event_at()) +
                              " after the request, as the response ended: the server buffered the stream",
                          refs);
    }
    return check_result(id, what, Verdict::info,
                        "the response ended as its first event arrived (" + seconds(s.first_event_at()) +
                            "); flushing cannot be told apart",
                        refs);
  }
  return check_result(id, what, Verdict::pass,
                      "first event after " + seconds(s.first_event_at()) + ", connection still open " + seconds(tail) + " later",
                      refs);
}

CaseResult check_keep_alive(const ServerCheckOptions& options, const Observed* idle) {
  const char* id = "server/stream/keep-alive";
  const char* what = "a comment or event arrives at least every --idle seconds";
  std::vector<SpecRef> refs{spec::keep_alive()};
  if (idle == nullptr) return check_result(id, what, Verdict::skip, "not checked: use --idle 20 (15-30 s)", refs);
  const StreamInspector& s = idle->stream;
  const ProbeResult& p = idle->probe;
  if (!p.got_response()) return check_result(id, what, Verdict::skip, "no response: " + p.detail, refs);
  // The longest silence: before the first byte, between arrivals, after the last (if still open).
  double gap = s.first_byte_at() < 0 ? p.ended_at - p.response_at : s.first_byte_at() - p.response_at;
  gap = std::max(gap, s.max_byte_gap());
  if (s.last_byte_at() >= 0 && !p.peer_ended()) gap = std::max(gap, p.ended_at - s.last_byte_at());
  if (p.peer_ended() && p.ended_at - p.response_at < options.idle_s) {
    return check_result(id, what, Verdict::info, "the response ended after " + seconds(p.ended_at - p.response_at) +
                                                     ", before --idle " + seconds(options.idle_s),
                        refs);
  }
  if (gap > options.idle_s) {
    return check_result(id, what, Verdict::warn,
                        "silent for " + seconds(gap) + " (over --idle " + seconds(options.idle_s) +
                            "): proxies drop idle connections; send a comment line periodically",
                        refs);
  }
  return check_result(id, what, Verdict::pass,
                      "longest silence " + seconds(gap) + " in " + seconds(idle->watched_s()), refs);
}

CaseResult check_byte_cap(const Observed& o, const ServerCheckOptions& options) {
  const char* id = "server/limits/max-bytes";
  const char* what = "the probe stays within --max-bytes";
  if (o.probe.end != ProbeEnd::byte_cap) return check_result(id, what, Verdict::pass, "", {spec::buffering()});
  return check_result(id, what, Verdict::info,
                      "stopped reading after --max-bytes " + std::to_string(options.max_bytes) + " with " +
                          std::to_string(o.stream.events()) + " events",
                      {spec::buffering()});
}

// ---- Reconnection ----------------------------------------------------------------------


CaseResult check_reconnect(const std::string& sent_id, const Observed* again) {
  const char* id = "server/reconnect/last-event-id";
  const char* what = "a reconnect with Last-Event-ID gets a stream";
  std::vector<SpecRef> refs{spec::reconnect_sends_id(), spec::last_event_id_header()};
  if (again == nullptr) return check_result(id, what, Verdict::skip, "the server sent no event id", refs);
  const ProbeResult& p = again->probe;
  const std::string sent = "Last-Event-ID: " + printable(sent_id);
  if (!p.got_response()) return check_result(id, what, Verdict::fail, sent + " got no response: " + p.detail, refs);
  const int status = static_cast<int>(p.response.getStatus());
  if (status >= 500) {
    return check_result(id, what, Verdict::fail,
                        sent + " got " + std::to_string(status) + ": every client that reconnects fails for good", refs);
  }
  if (status != 200) {
    return check_result(id, what, Verdict::warn, sent + " got " + std::to_string(status) + ": clients stop reconnecting",
                        refs);
  }
  return check_result(id, what, Verdict::pass, sent + " got 200", refs);
}

CaseResult check_resume(const ServerCheckOptions& options, const std::string& sent_id,
                        const std::vector<InspectedEvent>& before, const Observed* again) {
  const char* id = "server/reconnect/resume";
  const char* what = "after Last-Event-ID the stream resumes, not replays";
  std::vector<SpecRef> refs{spec::last_event_id_header()};
  const Verdict bad = options.resume ? Verdict::fail : Verdict::info;
  if (again == nullptr || !again->probe.got_response() || again->probe.response.getStatus() != 200) {
    return check_result(id, what, Verdict::skip, "no reconnected stream to judge", refs);
  }
  if (again->stream.kept_events().empty()) {
    return check_result(id, what, options.resume ? Verdict::warn : Verdict::info,
                        "no event within --timeout after reconnecting", refs);
  }
  const std::string next = again->stream.kept_events().front().last_event_id;
  if (next.empty()) return check_result(id, what, bad, "the first event after reconnecting has no id", refs);
  const bool seen = std::any_of(before.begin(), before.end(), [&](const InspectedEvent& e) { return e.last_event_id == next; });
  const bool not_later = is_digits(next) && is_digits(sent_id) && std::stoull(next) <= std::stoull(sent_id);
  if (seen || not_later) {
    return check_result(id, what, bad,
                        "sent Last-Event-ID \"" + printable(sent_id) + "\", first event has id \"" + printable(next) +
                            "\": events are replayed" + (options.resume ? "" : " (use --resume if the server claims to resume)"),
                        refs);
  }
  return check_result(id, what, Verdict::pass,
                      "sent \"" + printable(sent_id) + "\", stream continued at id \"" + printable(next) + "\"", refs);
}

CaseResult check_bogus_id(const ProbeResult& p) {
  const char* id = "server/robustness/bogus-last-event-id";
  const char* what = "an unknown Last-Event-ID does not get a 5xx";
  std::vector<SpecRef> refs{spec::last_event_id_header(), spec::fail_is_final()};
  const std::string sent = std::string("Last-Event-ID: ") + kBogusLastEventId;
  if (!p.got_response()) return check_result(id, what, Verdict::fail, sent + " got no response: " + p.detail, refs);
  const int status = static_cast<int>(p.response.getStatus());
  if (status >= 500) {
    return check_result(id, what, Verdict::fail,
                        sent + " got " + std::to_string(status) + ": a client whose id the server forgot fails for good", refs);
  }
  if (status != 200) {
    return check_result(id, what, Verdict::warn, sent + " got " + std::to_string(status) + ": clients stop reconnecting", refs);
  }
  return check_result(id, what, Verdict::pass, sent + " got 200", refs);
}

CaseResult check_abrupt_clients(int wanted, int connected, bool expect_event, const Observed& fresh) {
  const char* id = "server/robustness/abrupt-clients";
  const char* what = "after clients vanish, a new client still gets a stream";
  std::vector<SpecRef> refs{spec::end_of_body_reconnects()};
  const std::string before = std::to_string(connected) + "/" + std::to_string(wanted) + " clients connected and reset; ";
  const ProbeResult& p = fresh.probe;
  if (!p.got_response()) return check_result(id, what, Verdict::fail, before + "a new client got no response: " + p.detail, refs);
  if (p.response.getStatus() != 200) {
    return check_result(id, what, Verdict::fail,
                        before + "a new client got " + std::to_string(static_cast<int>(p.response.getStatus())), refs);
  }
  if (expect_event && fresh.stream.events() == 0) {
    return check_result(id, what, Verdict::fail, before + "a new client got 200 but no event in " + seconds(fresh.watched_s()),
                        refs);
  }
  return check_result(id, what, connected < wanted ? Verdict::warn : Verdict::pass,
                      before + "a new client got 200" + (expect_event ? " and an event" : ""), refs);
}

}  // namespace

MediaTypeParts parse_content_type(const std::string& value) {
  MediaTypeParts parts;
  std::istringstream in(value);
  std::string piece;
  bool first = true;
  while (std::getline(in, piece, ';')) {
    if (first) {
      parts.essence = lower(trim(piece));
      first = false;
      continue;
    }
    const auto eq = piece.find('=');
    if (eq == std::string::npos) continue;
    if (lower(trim(piece.substr(0, eq))) != "charset") continue;
    std::string charset = trim(piece.substr(eq + 1));
    if (charset.size() >= 2 && charset.front() == '"' && charset.back() == '"') charset = charset.substr(1, charset.size() - 2);
    parts.charset = lower(charset);
  }
  return parts;
}

std::vector<CaseResult> run_server_checks(const ServerCheckOptions& options,
                                          const std::function<void(const CaseResult&)>& on_result) {
  const Poco::URI uri = parse_target(options.url);  // throws CouldNotRun
  std::vector<CaseResult> results;
  const auto emit = [&](CaseResult result, double duration_ms = 0) {
    result.duration_ms = duration_ms;
    if (on_result) on_result(result);
    results.push_back(std::move(result));
  };
  const auto ms = [](const ProbeResult& p) { return p.ended_at * 1000; };
  // After the first probe, a server that stops accepting connections is a verdict, not an
  // aborted run: the probe reports no response, with the reason.
  const auto later_probe = [](const ProbeRequest& request, StreamInspector* stream) {
    try {
      return probe(request, stream);
    } catch (const CouldNotRun& e) {
      ProbeResult refused;
      refused.detail = e.what();
      return refused;
    }
  };

  // 1. The main probe: head, then up to --events events.
  Observed main{{}, StreamInspector(server_limits(options))};
  ProbeRequest request = base_request(options, uri);
  request.max_events = options.events;
  request.ask_alpn = true;
  main.probe = probe(request, &main.stream);  // throws CouldNotRun: nothing judged
  emit(check_response(main.probe, options.timeout_s), ms(main.probe));
  if (!main.probe.got_response()) return results;  // a server that never answers: one verdict, bounded
  emit(check_transport(main.probe));
  emit(check_status(main.probe));
  const bool ok = main.probe.response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK;
  if (ok) {
    emit(check_content_type(main.probe));
    emit(check_content_length(main.probe));
    emit(check_cache_control(main.probe));
  } else {
    // Clients fail the connection on the status alone; the error page's headers do not matter.
    for (const char* id : {"server/headers/content-type", "server/headers/content-length", "server/headers/cache-control"}) {
      emit(check_result(id, "response header", Verdict::skip, "not judged: the status is not 200", {spec::status_and_type()}));
    }
  }

  std::unique_ptr<ProbeResult> browser_like;
  if (ok) {
    ProbeRequest head = base_request(options, uri);
    head.read_body = false;
    head.headers.insert(head.headers.begin(), {"Accept-Encoding", "gzip, deflate, br"});
    browser_like = std::make_unique<ProbeResult>(later_probe(head, nullptr));
  }
  if (!ok) return results;  // clients fail the connection: the body is never interpreted
  emit(check_content_encoding(main.probe, browser_like.get()), ms(*browser_like));  // clients fail the connection: the body is never interpreted

  StreamContext context;
  context.peer_ended = main.probe.peer_ended();
  context.watched_s = main.watched_s();
  context.what = "the response body";
  for (auto& result : stream_checks(main.stream, context)) emit(std::move(result));
  emit(check_first_event(main));
  emit(check_flushed(main));
  emit(check_byte_cap(main, options));

  // 2. Keep-alive: watch 1.5 x --idle for the longest silence.
  std::unique_ptr<Observed> idle;
  if (options.idle_s > 0) {
    idle = std::make_unique<Observed>(Observed{{}, StreamInspector(server_limits(options), 0)});
    ProbeRequest watch = base_request(options, uri);
    watch.timeout_s = options.idle_s * 1.5 + 0.5;
    idle->probe = later_probe(watch, &idle->stream);
  }
  emit(check_keep_alive(options, idle.get()), idle ? ms(idle->probe) : 0);

  // 3. Reconnection with the last event ID the client holds.
  const std::string sent_id = main.stream.last_event_id();
  std::unique_ptr<Observed> again;
  if (!sent_id.empty()) {
    again = std::make_unique<Observed>(Observed{{}, StreamInspector(server_limits(options))});
    ProbeRequest reconnect = base_request(options, uri);
    reconnect.headers.insert(reconnect.headers.begin(), {"Last-Event-ID", sent_id});
    reconnect.max_events = 1;
    again->probe = later_probe(reconnect, &again->stream);
  }
  emit(check_reconnect(sent_id, again.get()), again ? ms(again->probe) : 0);
  emit(check_resume(options, sent_id, main.stream.kept_events(), again.get()));

  // 4. Robustness: an id the server never issued; clients that vanish mid-stream.
  ProbeRequest bogus = base_request(options, uri);
  bogus.read_body = false;
  bogus.headers.insert(bogus.headers.begin(), {"Last-Event-ID", kBogusLastEventId});
  const ProbeResult bogus_result = later_probe(bogus, nullptr);
  emit(check_bogus_id(bogus_result), ms(bogus_result));

  const auto abrupt_start = std::chrono::steady_clock::now();
  const int connected = open_and_abandon(base_request(options, uri), options.clients, kAbruptHoldSeconds);
  Observed fresh{{}, StreamInspector(server_limits(options))};
  const bool expect_event = main.stream.events() > 0;
  ProbeRequest after = base_request(options, uri);
  after.max_events = 1;
  after.read_body = expect_event;
  fresh.probe = later_probe(after, expect_event ? &fresh.stream : nullptr);
  emit(check_abrupt_clients(options.clients, connected, expect_event, fresh),
       std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - abrupt_start).count());
  return results;
}

}  // namespace ssespec
