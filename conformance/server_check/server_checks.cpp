#include "server_check/server_checks.hpp"

#include <algorithm>
#include <cctype>

#include <Poco/String.h>

#include "report/seconds_text.hpp"
#include "server_check/check_result.hpp"
#include "server_check/spec_refs.hpp"
#include "server_check/stream_checks.hpp"
#include "ssespec/mime.hpp"

namespace ssespec {

namespace {

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

std::string header(const Poco::Net::HTTPResponse& response, const std::string& name) {
  return response.has(name) ? response.get(name) : std::string();
}

bool is_digits(const std::string& text) {
  return !text.empty() && text.size() < 19 && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// ---- HTTP checks ------------------------------------------------------------------------

CheckOutcome check_response(const ProbeResult& p, double timeout_s) {
  if (p.got_response()) {
    return outcome(Verdict::pass, "response head after " + seconds_text(p.response_at));
  }
  // A server that flushes its head at once is seen at once; a head that never comes is often
  // held by a proxy that buffers the whole response until its buffer fills.
  return outcome(Verdict::fail,
                 (p.detail.empty() ? "no response within --timeout " + seconds_text(timeout_s) : p.detail) +
                     ": clients see nothing, not even the open event; if the server does answer directly, " +
                     kBufferCauses);
}

// How the response travels: HTTP/1.1 framing (a FAIL when broken: clients get a network error),
// the Content-Encoding decoded, and over TLS whether HTTP/2 is offered.
CheckOutcome check_transport(const ProbeResult& p) {
  if (!p.framing_error.empty()) return outcome(Verdict::fail, p.framing_error);
  std::string how = "body " + p.framing + (p.decoded_coding.empty() ? "" : ", Content-Encoding: " + p.decoded_coding + " decoded");
  if (!p.redirects.empty()) how += ", after " + std::to_string(p.redirects.size()) + " redirect(s) to " + p.redirects.back();
  if (!p.tls) return outcome(Verdict::info, how);
  const std::vector<SpecRef> h2{spec::connection_limit()};
  if (p.alpn == "h2")
    return outcome(Verdict::info, how + "; TLS offers HTTP/2 (ALPN h2): browsers multiplex streams", h2);
  return outcome(Verdict::warn,
                 how + "; TLS offers only HTTP/1.1 (ALPN: " + (p.alpn.empty() ? "none" : p.alpn) +
                     "): a client that limits its connections per server can run out of them when several pages open "
                     "this stream",
                 h2);
}

CheckOutcome check_status(const ProbeResult& p) {
  const int status = static_cast<int>(p.response.getStatus());
  const std::string got = std::to_string(status) + " " + p.response.getReason();
  if (status == 200) return outcome(Verdict::pass, "");
  if (status == 204) {
    return outcome(Verdict::fail, "204 tells every client to stop reconnecting; no stream is served",
                   {spec::status_and_type(), spec::stop_with_204()});
  }
  if (status >= 300 && status < 400) {
    // ssespec follows redirects as fetch does, so a 3xx seen here had no usable Location.
    return outcome(Verdict::fail,
                   got + " without a Location to follow: clients take it as the response and fail the connection",
                   {spec::status_and_type(), spec::fail_is_final()});
  }
  return outcome(Verdict::fail, got + ": clients fail the connection and never reconnect",
                 {spec::status_and_type(), spec::fail_is_final()});
}

// Every Content-Type value, in header order.
std::vector<std::string> content_type_values(const Poco::Net::HTTPResponse& response) {
  std::vector<std::string> values;
  for (const auto& [name, value] : response) {
    if (Poco::icompare(name, "Content-Type") == 0) values.push_back(value);
  }
  return values;
}

// The type is Fetch's "extract a MIME type" over every Content-Type value (the last that
// parses wins), as a browser decides it: `text/plain` then `text/event-stream` is a stream.
CheckOutcome check_content_type(const ProbeResult& p) {
  const std::vector<std::string> values = content_type_values(p.response);
  if (values.empty()) {
    return outcome(Verdict::fail, "no Content-Type: clients fail the connection",
                   {spec::status_and_type(), spec::fail_is_final()});
  }
  const std::optional<MimeType> type = extract_mime_type(values);
  if (!type || type->essence() != "text/event-stream") {
    std::string shown;
    for (const std::string& value : values) shown += (shown.empty() ? "" : ", ") + value;
    return outcome(Verdict::fail, "Content-Type \"" + shown + "\": clients fail the connection",
                   {spec::status_and_type(), spec::fail_is_final()});
  }
  const std::string* charset = type->parameter("charset");
  if (charset != nullptr && lower(*charset) != "utf-8") {
    return outcome(Verdict::warn, "charset=" + lower(*charset) + " is ignored: clients always decode the stream as UTF-8",
                   {spec::always_utf8_intro(), spec::utf8_only()});
  }
  return outcome(Verdict::pass, "");
}

CheckOutcome check_content_length(const ProbeResult& p) {
  if (!p.response.has("Content-Length")) return outcome(Verdict::pass, "");
  const std::string value = p.response.get("Content-Length");
  if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos) {
    return outcome(Verdict::skip, "not judged: Content-Length: " + printable(value) +
                                      " is not a length (server/http/transport judges the framing)");
  }
  return outcome(Verdict::warn,
                 "Content-Length: " + value +
                     " makes the stream a fixed-size body: it ends, clients reconnect after every response and "
                     "proxies may buffer it whole",
                 {spec::end_of_body_reconnects(), spec::chunking_layer()});
}

CheckOutcome check_cache_control(const ProbeResult& p) {
  const std::string value = lower(header(p.response, "Cache-Control"));
  if (value.find("no-store") != std::string::npos || value.find("no-cache") != std::string::npos) {
    return outcome(Verdict::pass, "");
  }
  return outcome(Verdict::warn, value.empty()
                                    ? "no Cache-Control: a shared cache may store the stream and replay it to others"
                                    : "Cache-Control: " + value + " allows caches to store the stream");
}

// Compression middleware buffers output until a block fills, unless flushed per event.
CheckOutcome check_content_encoding(const ProbeResult& main, const ProbeResult* browser_like) {
  if (browser_like && !browser_like->got_response() && header(main.response, "Content-Encoding").empty()) {
    return outcome(Verdict::skip, "not judged: a request with a browser's Accept-Encoding got no response (" +
                                      browser_like->detail + ")");
  }
  std::string coding = header(main.response, "Content-Encoding");
  std::string when = "";
  if ((coding.empty() || lower(coding) == "identity") && browser_like && browser_like->got_response()) {
    coding = header(browser_like->response, "Content-Encoding");
    when = " when asked with a browser's Accept-Encoding";
  }
  if (coding.empty() || lower(coding) == "identity") return outcome(Verdict::pass, "");
  return outcome(Verdict::info,
                 "Content-Encoding: " + coding + when +
                     ": fine if the server flushes each event; server/stream/buffering judges whether events arrive");
}

// ---- Stream timing checks ---------------------------------------------------------------

CheckOutcome check_first_event(const Observed& o) {
  if (o.stream.events() > 0) {
    return outcome(Verdict::pass, "first event after " + seconds_text(o.stream.first_event_at()));
  }
  if (o.probe.peer_ended()) return outcome(Verdict::warn, "the server ended the response without a complete event");
  if (o.stream.bytes() == 0) {
    // Nothing at all: a slow honest stream and a held-back one look alike here.
    return outcome(Verdict::warn,
                   "not one byte of body in " + seconds_text(o.watched_s()) +
                       ": either the server had nothing to send yet (raise --timeout) or the stream is held back; " +
                       kBufferCauses);
  }
  if (!o.stream.mid_event() && o.stream.comments() > 0) {
    // Comments arrive and nothing is left half sent: a live, slow stream, not a broken one.
    return outcome(Verdict::info, "no event yet in " + seconds_text(o.watched_s()) + ", but " +
                                      std::to_string(o.stream.comments()) +
                                      " comments arrived as sent: a slow stream (raise --timeout to see an event)");
  }
  return outcome(Verdict::warn, "no complete event in " + seconds_text(o.watched_s()) + " from " +
                                    std::to_string(o.stream.bytes()) +
                                    " bytes (see stream/grammar/event-terminated; raise --timeout for a slow stream)");
}

CheckOutcome check_flushed(const Observed& o) {
  const StreamInspector& s = o.stream;
  if (s.events() == 0) return outcome(Verdict::skip, "no event to time");
  const double tail = o.probe.ended_at - s.first_event_at();
  if (o.probe.peer_ended() && tail < 0.1) {
    if (s.events() >= 2 && s.first_event_at() >= 0.5) {
      // The buffering SHOULD is addressed to user agents; a server may compute a finite result
      // and send it at once. Only a stream meant to be live is hurt, so a WARN, said neutrally.
      return outcome(Verdict::warn,
                     "all " + std::to_string(s.events()) + " events arrived together " + seconds_text(s.first_event_at()) +
                         " after the request, as the response ended: clients dispatch none before then (fine for a "
                         "finite result; a live stream is being held back)");
    }
    return outcome(Verdict::info, "the response ended as its first event arrived (" + seconds_text(s.first_event_at()) +
                                      "); flushing cannot be told apart");
  }
  return outcome(Verdict::pass, "first event after " + seconds_text(s.first_event_at()) + ", connection still open " +
                                    seconds_text(tail) + " later");
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
CheckOutcome check_buffering(const Observed& main, const Observed* browser_like) {
  const StreamInspector& s = main.stream;
  const double held_at_end =
      s.incomplete_since() >= 0 && s.events() > 0 && !main.probe.peer_ended() && s.growing_line_arrivals() < 2
          ? main.probe.ended_at - s.incomplete_since()
          : 0;  // a line still growing is judged by stream/grammar/event-terminated
  const double split_wait = std::max(s.max_split_wait(), held_at_end);
  const auto cut = static_cast<std::size_t>(std::count_if(s.kept_events().begin(), s.kept_events().end(),
                                                          [](const InspectedEvent& e) { return e.waited >= kCutWaitSeconds; }));
  if (split_wait >= kSplitWaitSeconds || cut >= kCutEvents) {
    return outcome(Verdict::fail,
                   std::to_string(cut) + " of " + std::to_string(s.events()) +
                       " events arrived cut apart, one waiting " + seconds_text(split_wait) +
                       " for its end: a buffer on the path releases fixed-size blocks, so clients get events late "
                       "and in bursts; " +
                       kBufferCauses);
  }
  if (browser_like != nullptr && browser_like->probe.got_response()) {
    const StreamInspector& b = browser_like->stream;
    const std::string coding = header(browser_like->probe.response, "Content-Encoding");
    const bool compressed = !coding.empty() && lower(coding) != "identity";
    if (compressed && b.events() == 0 && b.bytes() <= kCompressionHeaderBytes && !browser_like->probe.peer_ended() &&
        s.events() > 0 && s.first_event_at() < browser_like->watched_s()) {
      return outcome(
          Verdict::fail,
          "asked as browsers ask (Accept-Encoding: gzip, deflate, br), the response is Content-Encoding: " + coding +
              " and delivered no event in " + seconds_text(browser_like->watched_s()) + " (" + std::to_string(b.bytes()) +
              " bytes), while without compression the first event came after " + seconds_text(s.first_event_at()) +
              ": the compression holds events back; flush it after each event (compression()'s "
              "res.flush()) or leave text/event-stream uncompressed");
    }
  }
  const std::string coding = header(main.probe.response, "Content-Encoding");
  if (!coding.empty() && lower(coding) != "identity" && s.events() == 0 && s.bytes() <= kCompressionHeaderBytes &&
      !main.probe.peer_ended()) {
    // Compressed at ssespec's own request (--header Accept-Encoding) or always: nothing to
    // compare with, so a WARN that names both readings.
    return outcome(Verdict::warn,
                   "Content-Encoding: " + coding + " and " + std::to_string(s.bytes()) + " bytes in " +
                       seconds_text(main.watched_s()) +
                       ": compression without a flush per event holds everything back (or the stream is slow: "
                       "raise --timeout)");
  }
  const Bursts bursts = bursts_of(s.kept_events());
  if (bursts.groups > 0 && bursts.min_gap >= kBurstGapSeconds) {
    return outcome(Verdict::warn, std::to_string(bursts.events) + " events arrived in " +
                                      std::to_string(bursts.groups) + " bursts at least " + seconds_text(bursts.min_gap) +
                                      " apart: fine if the server sends them so; otherwise a buffer holds them back, " +
                                      kBufferCauses);
  }
  if (s.events() == 0) return outcome(Verdict::skip, "no event to time (see server/stream/first-event)");
  return outcome(Verdict::pass, std::to_string(s.events()) + " events in " + std::to_string(s.arrivals()) +
                                    " arrivals; no event waited for its end");
}

CheckOutcome check_keep_alive(const ServerCheckOptions& options, const Observed* idle) {
  if (idle == nullptr) return outcome(Verdict::skip, "not checked: use --idle 20 (15-30 s)");
  const StreamInspector& s = idle->stream;
  const ProbeResult& p = idle->probe;
  if (!p.got_response()) return outcome(Verdict::skip, "no response: " + p.detail);
  // The longest silence: before the first byte, between arrivals, after the last (if still open).
  double gap = s.first_byte_at() < 0 ? p.ended_at - p.response_at : s.first_byte_at() - p.response_at;
  gap = std::max(gap, s.max_byte_gap());
  if (s.last_byte_at() >= 0 && !p.peer_ended()) gap = std::max(gap, p.ended_at - s.last_byte_at());
  if (p.peer_ended() && p.ended_at - p.response_at < options.idle_s) {
    return outcome(Verdict::info, "the response ended after " + seconds_text(p.ended_at - p.response_at) +
                                      ", before --idle " + seconds_text(options.idle_s));
  }
  if (gap > options.idle_s) {
    return outcome(Verdict::warn, "silent for " + seconds_text(gap) + " (over --idle " + seconds_text(options.idle_s) +
                                      "): proxies drop idle connections; send a comment line periodically");
  }
  return outcome(Verdict::pass, "longest silence " + seconds_text(gap) + " in " + seconds_text(idle->watched_s()));
}

CheckOutcome check_byte_cap(const Observed& o, const ServerCheckOptions& options) {
  if (o.probe.end != ProbeEnd::byte_cap) return outcome(Verdict::pass, "");
  return outcome(Verdict::info, "stopped reading after --max-bytes " + std::to_string(options.max_bytes) + " with " +
                                    std::to_string(o.stream.events()) + " events");
}

// ---- Reconnection ----------------------------------------------------------------------

CheckOutcome check_reconnect(const std::string& sent_id, const Observed* again) {
  if (again == nullptr) return outcome(Verdict::skip, "the server sent no event id");
  const ProbeResult& p = again->probe;
  const std::string sent = "Last-Event-ID: " + printable(sent_id);
  if (!p.got_response()) return outcome(Verdict::fail, sent + " got no response: " + p.detail);
  const int status = static_cast<int>(p.response.getStatus());
  if (status >= 500) {
    return outcome(Verdict::fail,
                   sent + " got " + std::to_string(status) + ": every client that reconnects fails for good");
  }
  if (status != 200) {
    return outcome(Verdict::warn, sent + " got " + std::to_string(status) + ": clients stop reconnecting");
  }
  return outcome(Verdict::pass, sent + " got 200");
}

CheckOutcome check_resume(const ServerCheckOptions& options, const std::string& sent_id,
                          const std::vector<InspectedEvent>& before, const Observed* again) {
  const Verdict bad = options.resume ? Verdict::fail : Verdict::info;
  if (again == nullptr || !again->probe.got_response() || again->probe.response.getStatus() != 200) {
    return outcome(Verdict::skip, "no reconnected stream to judge");
  }
  if (again->stream.kept_events().empty()) {
    return outcome(options.resume ? Verdict::warn : Verdict::info, "no event within --timeout after reconnecting");
  }
  // A greeting without an id may come first: judge the first event that carries one.
  const auto& events = again->stream.kept_events();
  const auto with_id = std::find_if(events.begin(), events.end(), [](const InspectedEvent& e) { return !e.last_event_id.empty(); });
  if (with_id == events.end()) {
    return outcome(bad, "none of the " + std::to_string(events.size()) + " events after reconnecting carries an id");
  }
  const std::string next = with_id->last_event_id;
  const bool seen = std::any_of(before.begin(), before.end(), [&](const InspectedEvent& e) { return e.last_event_id == next; });
  const bool not_later = is_digits(next) && is_digits(sent_id) && std::stoull(next) <= std::stoull(sent_id);
  if (seen || not_later) {
    return outcome(bad, "sent Last-Event-ID \"" + printable(sent_id) + "\", first event has id \"" + printable(next) +
                            "\": events are replayed" +
                            (options.resume ? "" : " (use --resume if the server claims to resume)"));
  }
  return outcome(Verdict::pass,
                 "sent \"" + printable(sent_id) + "\", stream continued at id \"" + printable(next) + "\"");
}

CheckOutcome check_bogus_id(const ProbeResult& p) {
  const std::string sent = std::string("Last-Event-ID: ") + kBogusLastEventId;
  if (!p.got_response()) return outcome(Verdict::fail, sent + " got no response: " + p.detail);
  const int status = static_cast<int>(p.response.getStatus());
  if (status >= 500) {
    return outcome(Verdict::fail,
                   sent + " got " + std::to_string(status) + ": a client whose id the server forgot fails for good");
  }
  if (status != 200) {
    return outcome(Verdict::warn, sent + " got " + std::to_string(status) + ": clients stop reconnecting");
  }
  return outcome(Verdict::pass, sent + " got 200");
}

CheckOutcome check_abrupt_clients(const AbruptObservation& a) {
  const std::string before =
      std::to_string(a.connected) + "/" + std::to_string(a.wanted) + " clients connected and reset; ";
  const Observed& fresh = a.fresh;
  const bool expect_event = a.expect_event;
  const ProbeResult& p = fresh.probe;
  if (!p.got_response()) return outcome(Verdict::fail, before + "a new client got no response: " + p.detail);
  if (p.response.getStatus() != 200) {
    return outcome(Verdict::fail,
                   before + "a new client got " + std::to_string(static_cast<int>(p.response.getStatus())));
  }
  if (expect_event && fresh.stream.events() == 0) {
    return outcome(Verdict::fail, before + "a new client got 200 but no event in " + seconds_text(fresh.watched_s()));
  }
  return outcome(a.connected < a.wanted ? Verdict::warn : Verdict::pass,
                 before + "a new client got 200" + (expect_event ? " and an event" : ""));
}

// A header check: clients fail the connection on a status other than 200 alone, so the error
// page's headers are not judged.
CheckOutcome header_check(const ServerObservations& o, CheckOutcome (*judge)(const ProbeResult&)) {
  if (!status_is_200(o.main.probe))
    return outcome(Verdict::skip, "not judged: the status is not 200", {spec::status_and_type()});
  return judge(o.main.probe);
}

StreamContext main_stream_context(const ServerObservations& o) {
  StreamContext context;
  context.peer_ended = o.main.probe.peer_ended();
  context.watched_s = o.main.watched_s();
  context.what = "the response body";
  return context;
}

const Observed* if_ran(const std::optional<Observed>& observed) { return observed ? &*observed : nullptr; }

// The table, in report order. Each entry: {id, title, the spec it cites, when it is judged at
// all, the probe it judges, a probe it also reads, its verdict function}.
std::vector<ServerCheck> make_table() {
  using J = JudgedAfter;
  using P = ProbeKind;
  using O = const ServerObservations&;
  std::vector<ServerCheck> table{
      {"server/http/response",
       "the server answers with a response head",
       {spec::status_and_type()},
       J::request,
       P::main,
       std::nullopt,
       [](O o) { return check_response(o.main.probe, o.options.timeout_s); }},
      {"server/http/transport",
       "the response is framed as HTTP/1.1 requires",
       {spec::invalid_content_length()},
       J::head,
       P::main,
       std::nullopt,
       [](O o) { return check_transport(o.main.probe); }},
      {"server/http/status",
       "the status is 200",
       {spec::status_and_type()},
       J::head,
       P::main,
       std::nullopt,
       [](O o) { return check_status(o.main.probe); }},
      {"server/headers/content-type",
       "Content-Type is text/event-stream (UTF-8)",
       {spec::status_and_type()},
       J::head,
       P::main,
       std::nullopt,
       [](O o) { return header_check(o, check_content_type); }},
      {"server/headers/content-length",
       "no Content-Length frames the stream",
       {spec::end_of_body_reconnects()},
       J::head,
       P::main,
       std::nullopt,
       [](O o) { return header_check(o, check_content_length); }},
      {"server/headers/cache-control",
       "caching is disabled (Cache-Control: no-store or no-cache)",
       {spec::heuristic_freshness()},
       J::head,
       P::main,
       std::nullopt,
       [](O o) { return header_check(o, check_cache_control); }},
      {"server/headers/content-encoding",
       "the stream is not compressed (compression buffers events)",
       {spec::buffering(), spec::chunking_layer()},
       J::event_stream,
       P::browser_like,
       std::nullopt,
       [](O o) { return check_content_encoding(o.main.probe, o.browser_like ? &o.browser_like->probe : nullptr); }},
  };
  // The stream checks judge the main probe's body, as `ssespec lint` judges a file.
  for (const StreamCheck& check : stream_check_table()) {
    const auto judge = check.judge;
    table.push_back({check.id, check.title, check.spec, J::event_stream, P::main, std::nullopt,
                     [judge](O o) { return judge(o.main.stream, main_stream_context(o)); }});
  }
  std::vector<ServerCheck> later{
      {"server/stream/first-event",
       "an event is dispatched",
       {spec::blank_line_dispatches(), spec::grammar_event()},
       J::event_stream,
       P::main,
       std::nullopt,
       [](O o) { return check_first_event(o.main); }},
      {"server/stream/flushed",
       "events are flushed as they are produced",
       {spec::buffering(), spec::chunking_layer()},
       J::event_stream,
       P::main,
       std::nullopt,
       [](O o) { return check_flushed(o.main); }},
      {"server/stream/buffering",
       "events reach the client as they are sent",
       {spec::chunking_layer(), spec::buffering()},
       J::event_stream,
       P::main,
       P::browser_like,
       [](O o) { return check_buffering(o.main, if_ran(o.browser_like)); }},
      {"server/limits/max-bytes",
       "the probe stays within --max-bytes",
       {spec::buffering()},
       J::event_stream,
       P::main,
       std::nullopt,
       [](O o) { return check_byte_cap(o.main, o.options); }},
      {"server/stream/keep-alive",
       "a comment or event arrives at least every --idle seconds",
       {spec::keep_alive()},
       J::event_stream,
       P::idle,
       std::nullopt,
       [](O o) { return check_keep_alive(o.options, if_ran(o.idle)); }},
      {"server/reconnect/last-event-id",
       "a reconnect with Last-Event-ID gets a stream",
       {spec::reconnect_sends_id(), spec::last_event_id_header()},
       J::event_stream,
       P::reconnect,
       std::nullopt,
       [](O o) { return check_reconnect(o.main.stream.last_event_id(), if_ran(o.reconnect)); }},
      {"server/reconnect/resume",
       "after Last-Event-ID the stream resumes, not replays",
       {spec::last_event_id_header()},
       J::event_stream,
       P::main,
       P::reconnect,
       [](O o) {
         return check_resume(o.options, o.main.stream.last_event_id(), o.main.stream.kept_events(),
                             if_ran(o.reconnect));
       }},
      {"server/robustness/bogus-last-event-id",
       "an unknown Last-Event-ID does not get a 5xx",
       {spec::last_event_id_header(), spec::fail_is_final()},
       J::event_stream,
       P::bogus,
       std::nullopt,
       [](O o) { return check_bogus_id(*o.bogus); }},
      {"server/robustness/abrupt-clients",
       "after clients vanish, a new client still gets a stream",
       {spec::end_of_body_reconnects()},
       J::event_stream,
       P::abrupt,
       std::nullopt,
       [](O o) { return check_abrupt_clients(*o.abrupt); }},
  };
  table.insert(table.end(), later.begin(), later.end());
  return table;
}

}  // namespace

const std::vector<ServerCheck>& server_check_table() {
  static const std::vector<ServerCheck> table = make_table();
  return table;
}

bool status_is_200(const ProbeResult& main) {
  return main.got_response() && main.response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK;
}

bool body_is_interpreted(const ServerObservations& o) {
  return status_is_200(o.main.probe) && check_content_type(o.main.probe).verdict != Verdict::fail;
}

}  // namespace ssespec
