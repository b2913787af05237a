#include "server_check/server_checks.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <optional>
#include <sstream>

#include "server_check/check_result.hpp"
#include "server_check/spec_refs.hpp"
#include "server_check/stream_checks.hpp"
#include "report/seconds_text.hpp"

namespace ssespec {
namespace {

// The server's lines may be long, but one line above this is judged a flood.
constexpr std::size_t kMaxLineBytes = 1u << 20;
// An unknown Last-Event-ID: what a client sends after the server restarted or forgot.
constexpr const char* kBogusLastEventId = "ssespec-unknown-id-7f3a9c";
// How long the abrupt clients stay connected before they vanish.
constexpr double kAbruptHoldSeconds = 0.2;
// The whole run ends within this many --timeout (plus the --idle watch): see CHECKS.md.
constexpr double kRunBudgetTimeouts = 3;
// An event that waits this long, half arrived, for its end was cut apart by a buffer; so were
// several events that each waited kCutWaitSeconds (one write of a server arrives whole: the
// pieces TCP makes of it arrive within milliseconds).
constexpr double kSplitWaitSeconds = 1.0;
constexpr double kCutWaitSeconds = 0.1;
constexpr std::size_t kCutEvents = 2;
// Events arriving together this far apart, and only together, arrive in bursts.
constexpr double kBurstGapSeconds = 1.0;
// A compressed body that delivered no more than this had not even flushed a compressed block.
constexpr std::uint64_t kCompressionHeaderBytes = 32;
// The usual causes of a stream held back on its way, named in every buffering verdict.
constexpr const char* kBufferCauses =
    "the usual causes: compression without a flush per event, a proxy buffering the response (nginx: proxy_buffering "
    "off, or send X-Accel-Buffering: no)";

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
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
    return check_result(id, what, Verdict::pass, "response head after " + seconds_text(p.response_at), {spec::status_and_type()});
  }
  // A server that flushes its head at once is seen at once; a head that never comes is often
  // held by a proxy that buffers the whole response until its buffer fills.
  return check_result(id, what, Verdict::fail,
                      (p.detail.empty() ? "no response within --timeout " + seconds_text(timeout_s) : p.detail) +
                          ": clients see nothing, not even the open event; if the server does answer directly, " +
                          kBufferCauses,
                      {spec::status_and_type()});
}

// How the response travels: HTTP/1.1 framing (a FAIL when broken: clients get a network error),
// the Content-Encoding decoded, and over TLS whether HTTP/2 is offered.
CaseResult check_transport(const ProbeResult& p) {
  const char* id = "server/http/transport";
  const char* what = "the response is framed as HTTP/1.1 requires";
  const SpecRef framing = spec::invalid_content_length();
  if (!p.framing_error.empty()) return check_result(id, what, Verdict::fail, p.framing_error, {framing});
  std::string how = "body " + p.framing + (p.decoded_coding.empty() ? "" : ", Content-Encoding: " + p.decoded_coding + " decoded");
  if (!p.redirects.empty()) how += ", after " + std::to_string(p.redirects.size()) + " redirect(s) to " + p.redirects.back();
  if (!p.tls) return check_result(id, what, Verdict::info, how, {framing});
  const SpecRef h2 = spec::connection_limit();
  if (p.alpn == "h2") return check_result(id, what, Verdict::info, how + "; TLS offers HTTP/2 (ALPN h2): browsers multiplex streams", {h2});
  return check_result(id, what, Verdict::warn,
                      how + "; TLS offers only HTTP/1.1 (ALPN: " + (p.alpn.empty() ? "none" : p.alpn) +
                          "): a client that limits its connections per server can run out of them when several pages open this stream",
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
    // ssespec follows redirects as fetch does, so a 3xx seen here had no usable Location.
    return check_result(id, what, Verdict::fail,
                        got + " without a Location to follow: clients take it as the response and fail the connection",
                        {spec::status_and_type(), spec::fail_is_final()});
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
  const std::string value = p.response.get("Content-Length");
  if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos) {
    return check_result(id, what, Verdict::skip, "not judged: Content-Length: " + printable(value) +
                        " is not a length (server/http/transport judges the framing)", {spec::end_of_body_reconnects()});
  }
  return check_result(id, what, Verdict::warn,
                      "Content-Length: " + value +
                          " makes the stream a fixed-size body: it ends, clients reconnect after every response and "
                          "proxies may buffer it whole",
                      {spec::end_of_body_reconnects(), spec::chunking_layer()});
}

CaseResult check_cache_control(const ProbeResult& p) {
  const char* id = "server/headers/cache-control";
  const char* what = "caching is disabled (Cache-Control: no-store or no-cache)";
  const std::string value = lower(header(p.response, "Cache-Control"));
  if (value.find("no-store") != std::string::npos || value.find("no-cache") != std::string::npos) {
    return check_result(id, what, Verdict::pass, "", {spec::heuristic_freshness()});
  }
  return check_result(id, what, Verdict::warn,
                      value.empty() ? "no Cache-Control: a shared cache may store the stream and replay it to others"
                                    : "Cache-Control: " + value + " allows caches to store the stream",
                      {spec::heuristic_freshness()});
}

// Compression middleware buffers output until a block fills, unless flushed per event.
CaseResult check_content_encoding(const ProbeResult& main, const ProbeResult* browser_like) {
  const char* id = "server/headers/content-encoding";
  const char* what = "the stream is not compressed (compression buffers events)";
  std::vector<SpecRef> refs{spec::buffering(), spec::chunking_layer()};
  if (browser_like && !browser_like->got_response() && header(main.response, "Content-Encoding").empty()) {
    return check_result(id, what, Verdict::skip,
                        "not judged: a request with a browser's Accept-Encoding got no response (" + browser_like->detail + ")",
                        refs);
  }
  std::string coding = header(main.response, "Content-Encoding");
  std::string when = "";
  if ((coding.empty() || lower(coding) == "identity") && browser_like && browser_like->got_response()) {
    coding = header(browser_like->response, "Content-Encoding");
    when = " when asked with a browser's Accept-Encoding";
  }
  if (coding.empty() || lower(coding) == "identity") return check_result(id, what, Verdict::pass, "", refs);
  return check_result(id, what, Verdict::info,
                      "Content-Encoding: " + coding + when +
                          ": fine if the server flushes each event; server/stream/buffering judges whether events arrive",
                      refs);
}

// ---- Stream timing checks ---------------------------------------------------------------

CaseResult check_first_event(const Observed& o) {
  const char* id = "server/stream/first-event";
  const char* what = "an event is dispatched";
  std::vector<SpecRef> refs{spec::blank_line_dispatches(), spec::grammar_event()};
  if (o.stream.events() > 0) {
    return check_result(id, what, Verdict::pass, "first event after " + seconds_text(o.stream.first_event_at()), refs);
  }
  if (o.probe.peer_ended()) return check_result(id, what, Verdict::warn, "the server ended the response without a complete event", refs);
  if (o.stream.bytes() == 0) {
    // Nothing at all: a slow honest stream and a held-back one look alike here.
    return check_result(id, what, Verdict::warn,
                        "not one byte of body in " + seconds_text(o.watched_s()) +
                            ": either the server had nothing to send yet (raise --timeout) or the stream is held back; " +
                            kBufferCauses,
                        refs);
  }
  if (!o.stream.mid_event() && o.stream.comments() > 0) {
    // Comments arrive and nothing is left half sent: a live, slow stream, not a broken one.
    return check_result(id, what, Verdict::info,
                        "no event yet in " + seconds_text(o.watched_s()) + ", but " + std::to_string(o.stream.comments()) +
                            " comments arrived as sent: a slow stream (raise --timeout to see an event)",
                        refs);
  }
  return check_result(id, what, Verdict::warn,
                      "no complete event in " + seconds_text(o.watched_s()) + " from " + std::to_string(o.stream.bytes()) +
                          " bytes (see stream/grammar/event-terminated; raise --timeout for a slow stream)",
                      refs);
}

CaseResult check_flushed(const Observed& o) {
  const char* id = "server/stream/flushed";
  const char* what = "events are flushed as they are produced";
  std::vector<SpecRef> refs{spec::buffering(), spec::chunking_layer()};
  const StreamInspector& s = o.stream;
  if (s.events() == 0) return check_result(id, what, Verdict::skip, "no event to time", refs);
  const double tail = o.probe.ended_at - s.first_event_at();
  if (o.probe.peer_ended() && tail < 0.1) {
    if (s.events() >= 2 && s.first_event_at() >= 0.5) {
      // The buffering SHOULD is addressed to user agents; a server may compute a finite result
      // and send it at once. Only a stream meant to be live is hurt, so a WARN, said neutrally.
      return check_result(id, what, Verdict::warn,
                          "all " + std::to_string(s.events()) + " events arrived together " + seconds_text(s.first_event_at()) +
                              " after the request, as the response ended: clients dispatch none before then (fine for a "
                              "finite result; a live stream is being held back)",
                          refs);
    }
    return check_result(id, what, Verdict::info,
                        "the response ended as its first event arrived (" + seconds_text(s.first_event_at()) +
                            "); flushing cannot be told apart",
                        refs);
  }
  return check_result(id, what, Verdict::pass,
                      "first event after " + seconds_text(s.first_event_at()) + ", connection still open " + seconds_text(tail) + " later",
                      refs);
}

// Events that arrive together and only together, far apart: `groups` of dispatch times.
struct Bursts {
  std::size_t groups = 0, events = 0;
  double min_gap = 0;
};
Bursts bursts_of(const std::vector<InspectedEvent>& events) {
  Bursts b;
  std::vector<std::size_t> sizes;
  std::vector<double> starts;
  for (const auto& e : events) {
    if (starts.empty() || e.at != starts.back()) {
      starts.push_back(e.at);
      sizes.push_back(0);
    }
    ++sizes.back();
  }
  // Every group after the first (a greeting or a replayed backlog may come as one) holds several.
  if (sizes.size() < 3 || std::any_of(sizes.begin() + 1, sizes.end(), [](std::size_t n) { return n < 2; })) return b;
  b.groups = sizes.size();
  b.events = events.size();
  b.min_gap = starts[1] - starts[0];
  for (std::size_t i = 1; i < starts.size(); ++i) b.min_gap = std::min(b.min_gap, starts[i] - starts[i - 1]);
  return b;
}

// What arrives and when, as a client would see it. Rests on evidence a slow honest stream never
// shows: an event cut apart and left waiting for its end (a buffer releases fixed-size blocks;
// servers write whole events), a browser-like request that gets nothing where a plain one gets
// events, events arriving only in bursts.
CaseResult check_buffering(const Observed& main, const Observed* browser_like) {
  const char* id = "server/stream/buffering";
  const char* what = "events reach the client as they are sent";
  std::vector<SpecRef> refs{spec::chunking_layer(), spec::buffering()};
  const StreamInspector& s = main.stream;
  const double held_at_end =
      s.incomplete_since() >= 0 && s.events() > 0 && !main.probe.peer_ended() && s.growing_line_arrivals() < 2
          ? main.probe.ended_at - s.incomplete_since()
          : 0;  // a line still growing is judged by stream/grammar/event-terminated
  const double split_wait = std::max(s.max_split_wait(), held_at_end);
  const auto cut = static_cast<std::size_t>(std::count_if(s.kept_events().begin(), s.kept_events().end(),
                                                          [](const InspectedEvent& e) { return e.waited >= kCutWaitSeconds; }));
  if (split_wait >= kSplitWaitSeconds || cut >= kCutEvents) {
    return check_result(id, what, Verdict::fail,
                        std::to_string(cut) + " of " + std::to_string(s.events()) +
                            " events arrived cut apart, one waiting " + seconds_text(split_wait) +
                            " for its end: a buffer on the path releases fixed-size blocks, so clients get events late "
                            "and in bursts; " + kBufferCauses,
                        refs);
  }
  if (browser_like != nullptr && browser_like->probe.got_response()) {
    const StreamInspector& b = browser_like->stream;
    const std::string coding = header(browser_like->probe.response, "Content-Encoding");
    const bool compressed = !coding.empty() && lower(coding) != "identity";
    if (compressed && b.events() == 0 && b.bytes() <= kCompressionHeaderBytes && !browser_like->probe.peer_ended() &&
        s.events() > 0 && s.first_event_at() < browser_like->watched_s()) {
      return check_result(id, what, Verdict::fail,
                          "asked as browsers ask (Accept-Encoding: gzip, deflate, br), the response is Content-Encoding: " +
                              coding + " and delivered no event in " + seconds_text(browser_like->watched_s()) + " (" +
                              std::to_string(b.bytes()) + " bytes), while without compression the first event came after " +
                              seconds_text(s.first_event_at()) +
                              ": the compression holds events back; flush it after each event (compression()'s "
                              "res.flush()) or leave text/event-stream uncompressed",
                          refs);
    }
  }
  const std::string coding = header(main.probe.response, "Content-Encoding");
  if (!coding.empty() && lower(coding) != "identity" && s.events() == 0 && s.bytes() <= kCompressionHeaderBytes &&
      !main.probe.peer_ended()) {
    // Compressed at ssespec's own request (--header Accept-Encoding) or always: nothing to
    // compare with, so a WARN that names both readings.
    return check_result(id, what, Verdict::warn,
                        "Content-Encoding: " + coding + " and " + std::to_string(s.bytes()) + " bytes in " +
                            seconds_text(main.watched_s()) +
                            ": compression without a flush per event holds everything back (or the stream is slow: "
                            "raise --timeout)",
                        refs);
  }
  const Bursts bursts = bursts_of(s.kept_events());
  if (bursts.groups > 0 && bursts.min_gap >= kBurstGapSeconds) {
    return check_result(id, what, Verdict::warn,
                        std::to_string(bursts.events) + " events arrived in " + std::to_string(bursts.groups) +
                            " bursts at least " + seconds_text(bursts.min_gap) +
                            " apart: fine if the server sends them so; otherwise a buffer holds them back, " + kBufferCauses,
                        refs);
  }
  if (s.events() == 0) return check_result(id, what, Verdict::skip, "no event to time (see server/stream/first-event)", refs);
  return check_result(id, what, Verdict::pass,
                      std::to_string(s.events()) + " events in " + std::to_string(s.arrivals()) +
                          " arrivals; no event waited for its end",
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
    return check_result(id, what, Verdict::info, "the response ended after " + seconds_text(p.ended_at - p.response_at) +
                                                     ", before --idle " + seconds_text(options.idle_s),
                        refs);
  }
  if (gap > options.idle_s) {
    return check_result(id, what, Verdict::warn,
                        "silent for " + seconds_text(gap) + " (over --idle " + seconds_text(options.idle_s) +
                            "): proxies drop idle connections; send a comment line periodically",
                        refs);
  }
  return check_result(id, what, Verdict::pass,
                      "longest silence " + seconds_text(gap) + " in " + seconds_text(idle->watched_s()), refs);
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
  // A greeting without an id may come first: judge the first event that carries one.
  const auto& events = again->stream.kept_events();
  const auto with_id = std::find_if(events.begin(), events.end(), [](const InspectedEvent& e) { return !e.last_event_id.empty(); });
  if (with_id == events.end()) {
    return check_result(id, what, bad,
                        "none of the " + std::to_string(events.size()) + " events after reconnecting carries an id", refs);
  }
  const std::string next = with_id->last_event_id;
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
    return check_result(id, what, Verdict::fail, before + "a new client got 200 but no event in " + seconds_text(fresh.watched_s()),
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

  // The whole run has a deadline, so a server that stalls every connection costs a bounded
  // time: each later probe gets what is left, at most --timeout.
  const auto run_start = std::chrono::steady_clock::now();
  const double budget_s = kRunBudgetTimeouts * options.timeout_s + (options.idle_s > 0 ? options.idle_s * 1.5 + 0.5 : 0);
  const auto left = [&] {
    return budget_s - std::chrono::duration<double>(std::chrono::steady_clock::now() - run_start).count();
  };

  // After the first probe, a server that stops accepting connections gets one verdict, on the
  // first check that needed a new connection; the later ones are not judged.
  std::string stopped;     // why connecting failed, once it did
  std::string stopped_in;  // the check that said so
  // A probe the run's deadline cut to less than half its time that then saw nothing is
  // ssespec's limit, not the server's fault: it is not judged either.
  const auto later_probe = [&](ProbeRequest request, StreamInspector* stream) -> std::optional<ProbeResult> {
    const bool cut = left() < request.timeout_s / 2;
    request.timeout_s = std::min(request.timeout_s, left());
    if (!stopped.empty()) return std::nullopt;
    if (request.timeout_s < 0.05) return std::nullopt;  // the run's deadline passed
    try {
      ProbeResult result = probe(request, stream);
      const bool awaited_event_missing = request.read_body && request.max_events > 0 && stream != nullptr &&
                                         result.end == ProbeEnd::deadline && stream->events() == 0;
      if (cut && (!result.got_response() || awaited_event_missing)) return std::nullopt;
      return result;
    } catch (const CouldNotRun& e) {
      stopped = e.what();
      return std::nullopt;
    }
  };
  // The result of a check whose probe could not run.
  const auto not_reached = [&](const char* id, const char* what, std::vector<SpecRef> refs) {
    if (stopped.empty()) {
      return check_result(id, what, Verdict::skip,
                          "not judged: the run's deadline (" + seconds_text(budget_s) + ", see CHECKS.md) had passed",
                          std::move(refs));
    }
    if (stopped_in.empty()) {
      stopped_in = id;
      return check_result(id, what, Verdict::fail,
                          "the server stopped accepting connections after its first response (" + stopped +
                              "): every client that reconnects fails",
                          std::move(refs));
    }
    return check_result(id, what, Verdict::skip,
                        "not judged: the server stopped accepting connections (see " + stopped_in + ")", std::move(refs));
  };

  // 1. The main probe: the head, then the body until the response ends or --timeout passes,
  //    so an unterminated last event and the timing of arrivals are always seen.
  Observed main{{}, StreamInspector(server_limits(options))};
  ProbeRequest request = base_request(options, uri);
  request.ask_alpn = true;
  main.probe = probe(request, &main.stream);  // throws CouldNotRun: nothing judged
  emit(check_response(main.probe, options.timeout_s), ms(main.probe));
  if (!main.probe.got_response()) return results;  // a server that never answers: one verdict, bounded
  emit(check_transport(main.probe));
  emit(check_status(main.probe));
  const bool ok = main.probe.response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK;
  if (!ok) {
    // Clients fail the connection on the status alone; the error page's headers do not matter.
    for (const char* id : {"server/headers/content-type", "server/headers/content-length", "server/headers/cache-control"}) {
      emit(check_result(id, "response header", Verdict::skip, "not judged: the status is not 200", {spec::status_and_type()}));
    }
    return results;  // clients fail the connection: the body is never interpreted
  }
  const CaseResult content_type = check_content_type(main.probe);
  emit(content_type);
  emit(check_content_length(main.probe));
  emit(check_cache_control(main.probe));
  // Clients fail the connection on any other type too: the body is never interpreted.
  if (content_type.verdict == Verdict::fail) return results;

  // 2. As a browser asks (browsers always send Accept-Encoding): until the first event.
  std::unique_ptr<Observed> browser_like = std::make_unique<Observed>(Observed{{}, StreamInspector(server_limits(options))});
  ProbeRequest as_browser = base_request(options, uri);
  as_browser.headers.insert(as_browser.headers.begin(), {"Accept-Encoding", "gzip, deflate, br"});
  as_browser.max_events = 1;
  if (auto p = later_probe(as_browser, &browser_like->stream)) {
    browser_like->probe = std::move(*p);
    emit(check_content_encoding(main.probe, &browser_like->probe), ms(browser_like->probe));
  } else {
    browser_like.reset();
    emit(not_reached("server/headers/content-encoding", "the stream is not compressed (compression buffers events)",
                     {spec::buffering(), spec::chunking_layer()}));
  }

  StreamContext context;
  context.peer_ended = main.probe.peer_ended();
  context.watched_s = main.watched_s();
  context.what = "the response body";
  for (auto& result : stream_checks(main.stream, context)) emit(std::move(result));
  emit(check_first_event(main));
  emit(check_flushed(main));
  emit(check_buffering(main, browser_like.get()));
  emit(check_byte_cap(main, options));

  // 3. Keep-alive: watch 1.5 x --idle for the longest silence.
  std::unique_ptr<Observed> idle;
  if (options.idle_s > 0) {
    idle = std::make_unique<Observed>(Observed{{}, StreamInspector(server_limits(options), 0)});
    ProbeRequest watch = base_request(options, uri);
    watch.timeout_s = options.idle_s * 1.5 + 0.5;
    if (auto p = later_probe(watch, &idle->stream)) {
      idle->probe = std::move(*p);
      emit(check_keep_alive(options, idle.get()), ms(idle->probe));
    } else {
      emit(not_reached("server/stream/keep-alive", "a comment or event arrives at least every --idle seconds", {spec::keep_alive()}));
    }
  } else {
    emit(check_keep_alive(options, nullptr));
  }

  // 4. Reconnection with the last event ID the client holds; a greeting without an id may
  //    come first, so read up to --events events for one that carries an id.
  const std::string sent_id = main.stream.last_event_id();
  std::unique_ptr<Observed> again;
  bool reconnect_judged = true;
  if (!sent_id.empty()) {
    again = std::make_unique<Observed>(Observed{{}, StreamInspector(server_limits(options))});
    ProbeRequest reconnect = base_request(options, uri);
    reconnect.headers.insert(reconnect.headers.begin(), {"Last-Event-ID", sent_id});
    reconnect.max_events = std::max<std::uint64_t>(options.events, 2);
    if (auto p = later_probe(reconnect, &again->stream)) {
      again->probe = std::move(*p);
    } else {
      again.reset();
      reconnect_judged = false;
      emit(not_reached("server/reconnect/last-event-id", "a reconnect with Last-Event-ID gets a stream",
                       {spec::reconnect_sends_id(), spec::last_event_id_header()}));
    }
  }
  if (reconnect_judged) emit(check_reconnect(sent_id, again.get()), again ? ms(again->probe) : 0);
  emit(check_resume(options, sent_id, main.stream.kept_events(), again.get()));

  // 5. Robustness: an id the server never issued; clients that vanish mid-stream.
  ProbeRequest bogus = base_request(options, uri);
  bogus.read_body = false;
  bogus.headers.insert(bogus.headers.begin(), {"Last-Event-ID", kBogusLastEventId});
  if (auto p = later_probe(bogus, nullptr)) {
    emit(check_bogus_id(*p), ms(*p));
  } else {
    emit(not_reached("server/robustness/bogus-last-event-id", "an unknown Last-Event-ID does not get a 5xx",
                     {spec::last_event_id_header(), spec::fail_is_final()}));
  }

  const char* abrupt_id = "server/robustness/abrupt-clients";
  const char* abrupt_what = "after clients vanish, a new client still gets a stream";
  if (!stopped.empty() || left() < 0.1) {
    emit(not_reached(abrupt_id, abrupt_what, {spec::end_of_body_reconnects()}));
    return results;
  }
  const auto abrupt_start = std::chrono::steady_clock::now();
  // Each connect gets its share of what is left, so a server that stops accepting (a full
  // backlog: connects hang) cannot stretch the run by --clients x --timeout.
  ProbeRequest vanish = base_request(options, uri);
  vanish.timeout_s = std::max(0.05, std::min(options.timeout_s, left() / 2 / std::max(options.clients, 1)));
  const int connected = open_and_abandon(vanish, options.clients, kAbruptHoldSeconds);
  Observed fresh{{}, StreamInspector(server_limits(options))};
  const bool expect_event = main.stream.events() > 0;
  ProbeRequest after = base_request(options, uri);
  after.max_events = 1;
  after.read_body = expect_event;
  if (auto p = later_probe(after, expect_event ? &fresh.stream : nullptr)) {
    fresh.probe = std::move(*p);
    emit(check_abrupt_clients(options.clients, connected, expect_event, fresh),
         std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - abrupt_start).count());
  } else {
    emit(not_reached(abrupt_id, abrupt_what, {spec::end_of_body_reconnects()}));
  }
  return results;
}

}  // namespace ssespec
