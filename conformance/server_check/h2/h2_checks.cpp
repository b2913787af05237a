#include "server_check/h2/h2_checks.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <string_view>

#include <Poco/Exception.h>

#include "report/seconds_text.hpp"
#include "server_check/spec_refs.hpp"

namespace ssespec {
namespace h2 {

std::vector<std::string> connection_specific_fields(const Fields& head) {
  static const std::set<std::string> kNames{"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"};
  std::vector<std::string> found;
  for (const auto& [name, value] : head) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (kNames.count(lower) != 0) found.push_back(name + ": " + printable(value));
  }
  return found;
}

std::vector<std::string> invalid_field_names(const Fields& head) {
  std::vector<std::string> found;
  for (const auto& [name, value] : head) {
    const bool pseudo = !name.empty() && name[0] == ':';
    const bool bad = name.empty() || std::any_of(name.begin() + (pseudo ? 1 : 0), name.end(), [](char ch) {
                       const auto c = static_cast<unsigned char>(ch);
                       return c <= 0x20 || (c >= 0x41 && c <= 0x5a) || c >= 0x7f || c == ':';
                     });
    if (bad) found.push_back("\"" + printable(name) + "\"");
  }
  return found;
}

std::vector<std::string> invalid_field_values(const Fields& head) {
  std::vector<std::string> found;
  for (const auto& [name, value] : head) {
    const bool controls = value.find_first_of(std::string("\0\r\n", 3)) != std::string::npos;
    const bool edges = !value.empty() && (value.front() == ' ' || value.front() == '\t' || value.back() == ' ' || value.back() == '\t');
    if (controls || edges) found.push_back(printable(name) + ": \"" + printable(value) + "\"");
  }
  return found;
}

std::string pseudo_header_problem(const Fields& head, const Fields& trailers) {
  int statuses = 0;
  bool regular_seen = false;
  for (const auto& [name, value] : head) {
    if (name.empty() || name[0] != ':') {
      regular_seen = true;
      continue;
    }
    if (regular_seen) return name + " comes after a regular field";
    if (name == ":status") {
      ++statuses;
    } else {
      return name + " is not a response pseudo-header field (only :status is)";
    }
  }
  if (statuses == 0) return "no :status";
  if (statuses > 1) return ":status appears " + std::to_string(statuses) + " times";
  for (const auto& [name, value] : trailers)
    if (!name.empty() && name[0] == ':') return name + " in the trailers";
  return "";
}

}  // namespace h2

namespace {

using O = const ServerObservations&;
using h2::StreamEnd;
using h2::StreamRecord;

// A stream that ends at the same age on two connections, this close, is ended by a timer.
constexpr double kSameAgeSeconds = 0.3;
constexpr double kSameAgeShare = 0.1;
// HEADERS that arrive with the first DATA this late were held back until the first event.
constexpr double kHeldHeadSeconds = 0.5;
// SETTINGS_MAX_CONCURRENT_STREAMS below this limits a page's streams (RFC 9113 6.5.2).
constexpr std::uint32_t kRecommendedStreams = 100;
// After a WINDOW_UPDATE, what a server queued meanwhile arrives within this.
constexpr double kBacklogSeconds = 0.3;

const StreamRecord* record_of(const ProbeResult& probe) { return probe.h2.get(); }

CheckOutcome not_h2() { return outcome(Verdict::skip, "not judged: no HTTP/2 stream was recorded"); }

std::string age_of(const StreamRecord& s) { return seconds_text(s.ended_at - s.opened_at); }

std::string ending_text(const StreamRecord& s) {
  switch (s.end) {
    case StreamEnd::open: return "still open";
    case StreamEnd::end_stream: return "END_STREAM after " + age_of(s);
    case StreamEnd::reset: return "RST_STREAM(" + h2::error_name(s.code) + ") after " + age_of(s);
    case StreamEnd::goaway: return "GOAWAY(" + h2::error_name(s.code) + ") after " + age_of(s);
    case StreamEnd::closed: return "the connection closed after " + age_of(s);
    case StreamEnd::session_error: return "an HTTP/2 framing error after " + age_of(s) + " (" + s.text + ")";
  }
  return "";
}

CheckOutcome check_negotiation(O o) {
  const StreamRecord* s = record_of(o.main.probe);
  if (s == nullptr) return not_h2();
  if (o.options.protocol == Protocol::h2c) {
    return outcome(Verdict::info,
                   "h2c: HTTP/2 over cleartext TCP with prior knowledge; no browser speaks h2c, so browsers reach "
                   "this URL over HTTP/1.1 only",
                   {spec::h2_prior_knowledge()});
  }
  const std::string& version = s->connection.tls_version;
  if (version == "TLSv1" || version == "TLSv1.1") {
    return outcome(Verdict::fail, "ALPN h2 over " + version + ": browsers refuse HTTP/2 below TLS 1.2",
                   {spec::h2_tls_version()});
  }
  return outcome(Verdict::pass, "ALPN h2 over " + version);
}

CheckOutcome check_connection_fields(O o) {
  const StreamRecord* s = record_of(o.main.probe);
  if (s == nullptr) return not_h2();
  const std::vector<std::string> found = h2::connection_specific_fields(s->head);
  if (found.empty()) return outcome(Verdict::pass, "");
  std::string list;
  for (const auto& f : found) list += (list.empty() ? "" : ", ") + f;
  return outcome(Verdict::fail,
                 "connection-specific field(s) in the response HEADERS: " + list +
                     ": the response is malformed; Chromium fails the request (ERR_HTTP2_PROTOCOL_ERROR) and "
                     "strict clients (curl, nghttp2, Safari) reset the stream, so EventSource never opens; a proxy "
                     "that speaks HTTP/2 must drop these fields from its HTTP/1.1 upstream");
}

CheckOutcome check_te(O o) {
  const StreamRecord* s = record_of(o.main.probe);
  if (s == nullptr) return not_h2();
  for (const auto& [name, value] : s->head) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "te" && value != "trailers") {
      return outcome(Verdict::warn, "te: " + printable(value) +
                                        " in a response: HTTP/2 allows te only in a request, and only as "
                                        "\"trailers\"; strict clients treat the response as malformed");
    }
  }
  return outcome(Verdict::pass, "");
}

CheckOutcome check_field_names(O o) {
  const StreamRecord* s = record_of(o.main.probe);
  if (s == nullptr) return not_h2();
  const std::vector<std::string> names = h2::invalid_field_names(s->head);
  const std::vector<std::string> values = h2::invalid_field_values(s->head);
  if (names.empty() && values.empty()) return outcome(Verdict::pass, "");
  std::string text;
  for (const auto& n : names) text += (text.empty() ? "field name " : ", ") + n;
  for (const auto& v : values) text += (text.empty() ? "field value " : ", value ") + v;
  return outcome(Verdict::fail, text +
                                    ": the response is malformed (HTTP/2 field names are lowercase); Chromium fails "
                                    "the request and Firefox fails the EventSource for good");
}

CheckOutcome check_pseudo_headers(O o) {
  const StreamRecord* s = record_of(o.main.probe);
  if (s == nullptr) return not_h2();
  const std::string problem = h2::pseudo_header_problem(s->head, s->trailers);
  if (problem.empty()) return outcome(Verdict::pass, "");
  return outcome(Verdict::fail, problem + ": the response is malformed and clients must not accept it");
}

CheckOutcome check_content_length(O o) {
  const StreamRecord* s = record_of(o.main.probe);
  if (s == nullptr) return not_h2();
  const std::string value = s->field("content-length");
  if (value.empty()) return outcome(Verdict::pass, "");
  const bool digits = value.size() < 19 && std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
  const std::string got = "content-length: " + printable(value);
  if (!digits) return outcome(Verdict::fail, got + " is not a length: the response is malformed");
  const std::uint64_t length = std::stoull(value);
  if (s->data_bytes > length) {
    return outcome(Verdict::fail, got + " but " + std::to_string(s->data_bytes) +
                                      " bytes of DATA arrived: the response is malformed");
  }
  if (s->end == StreamEnd::end_stream && s->data_bytes == length) {
    return outcome(Verdict::pass, got + " and the stream ended with exactly that many bytes");
  }
  if (s->end == StreamEnd::open) {
    return outcome(Verdict::fail, got + " on a stream still open after " + seconds_text(o.main.watched_s()) + " with " +
                                      std::to_string(s->data_bytes) +
                                      " bytes: an endless stream cannot have a length; Firefox delivers no event");
  }
  return outcome(Verdict::fail, got + " but the stream ended (" + ending_text(*s) + ") after " +
                                    std::to_string(s->data_bytes) + " bytes: the response is malformed");
}

CheckOutcome check_headers_held(O o) {
  const StreamRecord* s = record_of(o.main.probe);
  if (s == nullptr || !s->got_head()) return not_h2();
  const double at = s->head_at - s->opened_at;
  if (s->head_with_data && at >= kHeldHeadSeconds) {
    return outcome(Verdict::warn, "the response HEADERS came only with the first DATA, " + seconds_text(at) +
                                      " after the request: the open event is that late (a proxy holding the head "
                                      "until the upstream's first bytes, as nginx does)");
  }
  return outcome(Verdict::pass, "HEADERS after " + seconds_text(at) +
                                    (s->first_data_at < 0 ? ", no DATA yet" : s->head_with_data ? ", with the first DATA" : ", before any DATA"));
}

// A reset at the same age on a second connection is a timer, not an accident.
bool same_age(const StreamRecord& a, const StreamRecord& b) {
  const double x = a.ended_at - a.opened_at, y = b.ended_at - b.opened_at;
  return std::fabs(x - y) <= std::max(kSameAgeSeconds, kSameAgeShare * std::max(x, y));
}

CheckOutcome check_stream_end(O o) {
  const StreamRecord* s = record_of(o.main.probe);
  if (s == nullptr || !s->got_head()) return not_h2();
  const StreamRecord* again = o.h2_second ? record_of(*o.h2_second) : nullptr;
  const std::string twice = again != nullptr && again->end == s->end && same_age(*s, *again)
                                ? "; a second connection's stream ended the same way after " + age_of(*again)
                                : "";
  switch (s->end) {
    case StreamEnd::open:
      return outcome(Verdict::pass, "still open after " + seconds_text(o.main.watched_s()));
    case StreamEnd::end_stream:
      return outcome(Verdict::info, ending_text(*s) + twice + ": clients reconnect after the retry delay",
                     {spec::h2_end_stream(), spec::end_of_body_reconnects()});
    case StreamEnd::reset:
      if (!twice.empty()) {
        return outcome(Verdict::fail, ending_text(*s) + twice +
                                          ": a server timeout (Go's WriteTimeout, nginx's proxy_read_timeout) ends "
                                          "every stream at that age; clients see an error each time, and Chromium "
                                          "drops an event that came in the same write as the reset",
                       {spec::h2_rst_stream(), spec::end_of_body_reconnects()});
      }
      if (s->code == 0) {
        return outcome(Verdict::warn, ending_text(*s) + " without END_STREAM: the response never completed, so "
                                                        "clients see an error instead of a normal end",
                       {spec::h2_rst_no_error(), spec::h2_end_stream()});
      }
      return outcome(Verdict::warn, ending_text(*s) +
                                        ": Chromium reports ERR_HTTP2_PROTOCOL_ERROR and drops an event that arrived "
                                        "in the same write as the reset; end the stream with END_STREAM instead",
                     {spec::h2_rst_stream(), spec::h2_end_stream()});
    case StreamEnd::goaway:
    case StreamEnd::closed:
    case StreamEnd::session_error:
      return outcome(s->end == StreamEnd::session_error ? Verdict::fail : Verdict::warn,
                     ending_text(*s) + twice + ": the stream never ended with END_STREAM",
                     {spec::h2_end_stream()});
  }
  return not_h2();
}

CheckOutcome check_goaway(O o) {
  const StreamRecord* s = record_of(o.main.probe);
  if (s == nullptr) return not_h2();
  if (!s->connection.goaway) return outcome(Verdict::pass, "no GOAWAY while watching");
  const std::string got = "GOAWAY(" + h2::error_name(s->connection.goaway_code) + ") after " +
                          seconds_text(s->connection.goaway_at);
  if (!o.h2_second) return outcome(Verdict::skip, got + "; no second connection was tried");
  const ProbeResult& again = *o.h2_second;
  if (!again.got_response()) {
    return outcome(Verdict::fail, got + ", then a new connection got no response: " + again.detail);
  }
  return outcome(Verdict::pass, got + ", then a new connection got " + std::to_string(static_cast<int>(again.response.getStatus())));
}

CheckOutcome check_concurrency(O o) {
  if (!o.h2_streams) return not_h2();
  const h2::StreamsObservation& x = *o.h2_streams;
  if (x.streams.size() < 2) return outcome(Verdict::skip, "not judged: " + x.detail);
  std::string answered, waiting;
  for (std::size_t i = 0; i < x.streams.size(); ++i) {
    const StreamRecord& s = x.streams[i];
    std::string& list = s.got_head() ? answered : waiting;
    list += (list.empty() ? "" : ", ") + std::to_string(i + 1) +
            (s.end == StreamEnd::reset ? " (" + ending_text(s) + ")" : "");
  }
  const std::string shown = "of " + std::to_string(x.streams.size()) + " streams on one connection, " +
                            (answered.empty() ? "none" : answered) + " got HEADERS" +
                            (waiting.empty() ? "" : "; " + waiting + " waited");
  if (x.announced < kRecommendedStreams) {
    return outcome(Verdict::warn, "SETTINGS_MAX_CONCURRENT_STREAMS " + std::to_string(x.announced) + ": " + shown +
                                      ": a page's EventSource beyond the limit stays CONNECTING with no error");
  }
  if (!waiting.empty()) return outcome(Verdict::warn, shown + ", with no limit announced");
  return outcome(Verdict::pass, (x.announced == 0xffffffffu ? std::string("no limit announced")
                                                             : "SETTINGS_MAX_CONCURRENT_STREAMS " + std::to_string(x.announced)) +
                                    "; " + shown);
}

CheckOutcome check_cancel(O o) {
  if (!o.h2_streams) return not_h2();
  const h2::StreamsObservation& x = *o.h2_streams;
  if (!x.cancelled) return outcome(Verdict::skip, "not judged: " + x.detail);
  if (x.after_cancel.got_head()) {
    return outcome(Verdict::pass, "after RST_STREAM(CANCEL) of stream 1, stream " + std::to_string(x.after_cancel.id) +
                                      " got HEADERS");
  }
  return outcome(Verdict::fail, "after RST_STREAM(CANCEL) of stream 1, the next stream got no HEADERS (" +
                                    ending_text(x.after_cancel) +
                                    "): a closed EventSource keeps its slot, and the page's next one waits");
}

CheckOutcome check_flow_control(O o) {
  if (!o.h2_flow) return not_h2();
  const h2::FlowObservation& f = *o.h2_flow;
  const std::string window = "a stream window of " + std::to_string(f.window) + " bytes";
  if (f.stream.end == StreamEnd::session_error) {
    return outcome(Verdict::fail, "with " + window + " withheld, the server sent past it (" + f.stream.text +
                                      "): clients reset the stream (or end the whole connection) and the EventSource errors");
  }
  if (f.filled_at < 0) {
    return outcome(Verdict::skip, "not judged: " + std::to_string(f.stream.data_bytes) + " bytes came (" +
                                      ending_text(f.stream) + ") before " + window + " filled");
  }
  if (f.granted_at < 0) return outcome(Verdict::skip, "not judged: the stream ended before the grant (" + ending_text(f.stream) + ")");
  // DATA queued while the window was shut arrives at once after the grant; a server that then
  // goes on sends more later. The main stream shows whether events came in that time at all.
  const double backlog_until = f.granted_at + kBacklogSeconds;
  const bool went_on = f.stream.last_data_at > backlog_until;
  const auto& kept = o.main.stream.kept_events();
  const bool main_went_on = std::any_of(kept.begin(), kept.end(), [&](const InspectedEvent& e) {
    return e.at > backlog_until && e.at <= f.watched_until;
  });
  const std::string filled = window + " filled after " + seconds_text(f.filled_at) + "; nothing more while withheld; ";
  if (went_on) {
    return outcome(Verdict::pass, filled + "after the WINDOW_UPDATE DATA went on until " + seconds_text(f.stream.last_data_at));
  }
  if (!main_went_on) {
    return outcome(Verdict::skip, "not judged: " + filled + "no DATA after the WINDOW_UPDATE's backlog, but the main "
                                  "stream had no event between " + seconds_text(backlog_until) + " and " +
                                  seconds_text(f.watched_until) + " either");
  }
  return outcome(Verdict::fail, filled + "after the WINDOW_UPDATE at " + seconds_text(f.granted_at) +
                                    (f.resumed_at >= 0 ? " only what was queued came" : " no DATA came") +
                                    ", and nothing until " + seconds_text(f.watched_until) +
                                    ", while the main stream's events went on: the server stops for good once a slow "
                                    "client's window fills");
}

std::vector<ServerCheck> make_table() {
  using J = JudgedAfter;
  using P = ProbeKind;
  return {
      {"server/h2/negotiation", "HTTP/2 is negotiated as browsers do (ALPN h2, TLS 1.2 or later)",
       {spec::h2_alpn(), spec::h2_tls_version()}, J::head, P::main, std::nullopt, check_negotiation},
      {"server/h2/fields/connection-specific", "no connection-specific fields (connection, keep-alive, ...)",
       {spec::h2_connection_specific(), spec::h2_malformed_rejected()}, J::head, P::main, std::nullopt,
       check_connection_fields},
      {"server/h2/fields/te", "no te field other than trailers", {spec::h2_te()}, J::head, P::main, std::nullopt, check_te},
      {"server/h2/fields/names", "field names are lowercase and valid, values valid",
       {spec::h2_lowercase(), spec::h2_field_validity(), spec::h2_malformed_rejected()}, J::head, P::main, std::nullopt,
       check_field_names},
      {"server/h2/fields/pseudo-headers", "one :status, first; no other pseudo-header field",
       {spec::h2_status_required(), spec::h2_pseudo_first(), spec::h2_malformed_rejected()}, J::head, P::main,
       std::nullopt, check_pseudo_headers},
      {"server/h2/fields/content-length", "no content-length on an endless stream",
       {spec::h2_content_length(), spec::h2_malformed_rejected()}, J::head, P::main, std::nullopt, check_content_length},
      {"server/h2/response/headers-held", "the response HEADERS are not held back until the first event",
       {spec::buffering()}, J::head, P::main, std::nullopt, check_headers_held},
      {"server/h2/stream/ending", "the stream ends with END_STREAM, not a reset or a timer",
       {spec::h2_end_stream(), spec::h2_rst_stream()}, J::event_stream, P::main, P::h2_second, check_stream_end},
      {"server/h2/connection/goaway", "after GOAWAY a new connection gets a stream", {spec::h2_goaway()}, J::head,
       P::main, P::h2_second, check_goaway},
      {"server/h2/connection/max-concurrent-streams", "several streams run at once on one connection",
       {spec::h2_max_concurrent()}, J::event_stream, P::h2_streams, std::nullopt, check_concurrency},
      {"server/h2/connection/cancel-frees-stream", "a client's RST_STREAM(CANCEL) frees its stream",
       {spec::h2_rst_stream()}, J::event_stream, P::h2_streams, std::nullopt, check_cancel},
      {"server/h2/flow-control", "DATA respects the window and resumes after a WINDOW_UPDATE",
       {spec::h2_flow_control()}, J::event_stream, P::h2_flow, std::nullopt, check_flow_control},
  };
}

// Checks of the shared table that only HTTP/1.1 has: the abrupt clients reset TCP connections;
// over HTTP/2, server/h2/connection/cancel-frees-stream resets a stream.
bool http1_only(const ServerCheck& check) { return std::string(check.id) == "server/robustness/abrupt-clients"; }

}  // namespace

const std::vector<ServerCheck>& h2_check_table() {
  static const std::vector<ServerCheck> table = make_table();
  return table;
}

std::vector<const ServerCheck*> checks_over(Protocol protocol) {
  std::vector<const ServerCheck*> checks;
  for (const ServerCheck& check : server_check_table())
    if (protocol == Protocol::http1_1 || !http1_only(check)) checks.push_back(&check);
  if (protocol != Protocol::http1_1)
    for (const ServerCheck& check : h2_check_table()) checks.push_back(&check);
  return checks;
}

std::string reported_id(const std::string& id, Protocol protocol) {
  if (protocol == Protocol::http1_1 || id.rfind("server/h2/", 0) == 0) return id;
  if (id.rfind("server/", 0) == 0) return "server/h2/" + id.substr(7);
  return "server/h2/" + id;  // the stream/* checks of the shared table
}

std::string clients_of(Protocol protocol) {
  switch (protocol) {
    case Protocol::http1_1: return "HTTP/1.1 clients";
    case Protocol::h2: return "browsers over h2";
    case Protocol::h2c: return "h2c clients (no browser speaks h2c)";
  }
  return "";
}

}  // namespace ssespec

namespace ssespec {
namespace {

// The protocol a TLS handshake offering only `alpn` ends with: "" none, nullopt when the
// server refused the handshake.
std::optional<std::string> chosen_protocol(const ServerCheckOptions& options, const Poco::URI& uri, std::string_view alpn) {
  ProbeRequest request;
  request.uri = uri;
  request.cacert = options.cacert;
  request.insecure = options.insecure;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(static_cast<long long>(options.timeout_s * 1e6));
  try {
    Poco::Net::StreamSocket socket = open_connection(uri, request, deadline, alpn);
    std::string chosen = negotiated_protocol(socket);
    try {
      socket.close();
    } catch (const Poco::Exception&) {
    }
    return chosen;
  } catch (const CouldNotRun&) {
    return std::nullopt;
  }
}

void tag(CaseResult& result, Protocol protocol) {
  if (result.verdict == Verdict::fail) result.message += " [breaks " + clients_of(protocol) + "]";
  if (result.verdict == Verdict::warn) result.message += " [a risk for " + clients_of(protocol) + "]";
}

}  // namespace

std::vector<CaseResult> run_server_checks_over(const ServerCheckOptions& options, const ProtocolChoice& choice,
                                               const std::function<void(const CaseResult&)>& on_result,
                                               std::vector<std::string>& notes) {
  const Poco::URI uri = parse_target(options.url);  // throws CouldNotRun
  std::vector<Protocol> protocols;
  if (choice.h2c) {
    if (uri.getScheme() != "http") throw CouldNotRun("--h2c needs an http:// URL (h2c is HTTP/2 without TLS)");
    protocols.push_back(Protocol::h2c);
  } else if (uri.getScheme() == "http") {
    if (choice.h2_only) {
      throw CouldNotRun("--http2 needs an https:// URL: browsers speak HTTP/2 only over TLS (--h2c probes cleartext "
                        "HTTP/2 with prior knowledge)");
    }
    protocols.push_back(Protocol::http1_1);
  } else if (choice.http1_only) {
    protocols.push_back(Protocol::http1_1);
  } else {
    // Offered h2 and http/1.1 as browsers offer them: does the server pick h2?
    const std::optional<std::string> picked = chosen_protocol(options, uri, std::string_view("\x02h2\x08http/1.1", 12));
    const bool h2 = picked && *picked == "h2";
    if (!choice.h2_only) {
      // A server that picks h2 may still serve HTTP/1.1 to clients that offer only that.
      const std::optional<std::string> http1 = h2 ? chosen_protocol(options, uri, std::string_view("\x08http/1.1", 9)) : picked;
      if (!h2 || (http1 && (http1->empty() || *http1 == "http/1.1"))) {
        protocols.push_back(Protocol::http1_1);
      } else {
        notes.push_back("HTTP/1.1 not probed: offered only ALPN http/1.1, the server " +
                        (http1 ? "chose " + (http1->empty() ? std::string("none") : *http1) : std::string("refused the handshake")) +
                        " (clients without HTTP/2 cannot connect)");
      }
    }
    if (h2) {
      protocols.push_back(Protocol::h2);
    } else if (choice.h2_only) {
      throw CouldNotRun("the server does not accept HTTP/2: offered ALPN h2 and http/1.1, it " +
                        (picked ? "chose " + (picked->empty() ? std::string("none") : *picked) : std::string("refused the handshake")));
    } else {
      notes.push_back("HTTP/2 not probed: offered ALPN h2 and http/1.1, the server chose " +
                      (picked && !picked->empty() ? *picked : std::string("none")));
    }
  }
  const bool tagged = protocols.size() > 1 || protocols.front() != Protocol::http1_1;
  std::vector<CaseResult> all;
  for (const Protocol protocol : protocols) {
    ServerCheckOptions over = options;
    over.protocol = protocol;
    std::vector<CaseResult> results = run_server_checks(over, [&](const CaseResult& r) {
      if (!on_result) return;
      CaseResult shown = r;
      if (tagged) tag(shown, protocol);
      on_result(shown);
    });
    for (CaseResult& r : results) {
      if (tagged) tag(r, protocol);
      all.push_back(std::move(r));
    }
  }
  return all;
}

}  // namespace ssespec
