#include "server_check/stream_checks.hpp"

#include <sstream>

#include "server_check/check_result.hpp"
#include "server_check/spec_refs.hpp"
#include "report/seconds_text.hpp"

namespace ssespec {
namespace {

// A line that keeps growing this long over several arrivals is one that never ends.
constexpr double kGrowingLineSeconds = 1.0;

std::string first_of(const Finding& finding) {
  std::ostringstream out;
  out << finding.count << " line" << (finding.count == 1 ? "" : "s") << ", first (field line " << finding.first_field_line
      << "): \"" << finding.first << "\"";
  return out.str();
}

// MUST: "Event streams in this format must always be encoded as UTF-8."
CaseResult check_utf8(const StreamInspector& s) {
  const char* id = "stream/encoding/utf-8";
  const char* what = "the stream is valid UTF-8";
  if (s.decode_errors().count == 0) return check_result(id, what, Verdict::pass, "", {spec::utf8_only()});
  return check_result(id, what, Verdict::fail,
                      "invalid UTF-8, which clients replace with U+FFFD: " + first_of(s.decode_errors()),
                      {spec::utf8_only(), spec::always_utf8_intro()});
}

// MUST (grammar): every event ends with a blank line; a client discards an unterminated one.
CaseResult check_terminated(const StreamInspector& s, const StreamContext& c) {
  const char* id = "stream/grammar/event-terminated";
  const char* what = "every event ends with a blank line";
  std::vector<SpecRef> refs{spec::grammar_event(), spec::blank_line_dispatches(), spec::incomplete_discarded(),
                            spec::last_needs_blank_line()};
  if (s.status() != Status::ok && s.status() != Status::paused) {
    return check_result(id, what, Verdict::skip, "not judged: reading stopped at a limit", refs);
  }
  if (c.peer_ended && s.ended_mid_event()) {
    std::string message = c.what + " ended inside an event (no blank line after its last field): no client dispatches it";
    if (s.events() == 0 && s.field_lines() == 0 && s.comments() == 0) {
      message += "; not one line break in " + std::to_string(s.bytes()) + " bytes: no client ever dispatches an event";
    } else if (s.events() == 0) {
      message += "; no event at all was dispatched from " + std::to_string(s.field_lines()) + " field lines";
    }
    return check_result(id, what, Verdict::fail, message, refs);
  }
  // Still open, and one line has kept growing over several arrivals for a second or more: a
  // large event arrives within milliseconds, a line that never ends keeps clients waiting.
  if (!c.peer_ended && s.growing_line_arrivals() >= 2 && s.last_byte_at() - s.growing_line_since() >= kGrowingLineSeconds &&
      (s.field_lines() > 0 || s.comments() > 0)) {
    return check_result(id, what, Verdict::fail,
                        "one line kept growing over " + std::to_string(s.growing_line_arrivals()) + " arrivals for " +
                            seconds_text(s.last_byte_at() - s.growing_line_since()) +
                            " and never ended: clients dispatch nothing from it" +
                            (s.events() == 0 ? "; no client ever dispatches an event" : std::string()) +
                            R"(: end each field line with \n and each event with a blank line)",
                        refs);
  }
  if (!c.peer_ended && s.events() == 0 && s.mid_event()) {
    // Still open and nothing dispatched. Bytes that keep arriving without a line break, or
    // data lines without a blank line, are the tutorial bug: every write joins one event (or
    // one line) that never ends, so no client ever dispatches an event.
    const bool kept_arriving = s.arrivals() >= 2 && s.last_byte_at() > s.first_byte_at();
    const std::string over = std::to_string(s.bytes()) + " bytes in " + std::to_string(s.arrivals()) + " pieces over " +
                             seconds_text(c.watched_s);
    const std::string fix = R"(: end each field line with \n and each event with a blank line (write "data: ...\n\n"))";
    if (s.field_lines() == 0 && s.comments() == 0 && kept_arriving) {
      return check_result(id, what, Verdict::fail,
                          over + " and not one line break: clients hold it all as one unfinished line, so no client "
                                 "ever dispatches an event" + fix,
                          refs);
    }
    if (s.data_lines() >= 2 && kept_arriving) {
      return check_result(id, what, Verdict::fail,
                          over + ", " + std::to_string(s.data_lines()) +
                              " data lines and no blank line: each data line joins one event that never ends, so no "
                              "client ever dispatches an event" + fix,
                          refs);
    }
    if (s.field_lines() > 0 || s.bytes() > 0) {
      return check_result(id, what, Verdict::warn,
                          over + " and no blank line yet: a client has dispatched no event (more bytes may finish it)", refs);
    }
  }
  return check_result(id, what, Verdict::pass, "", refs);
}

// Pitfall: a BOM is stripped only once, at the start; later it corrupts the next field name.
CaseResult check_bom(const StreamInspector& s) {
  const char* id = "stream/grammar/bom-position";
  const char* what = "a byte order mark appears only at the start";
  std::vector<SpecRef> refs{spec::grammar_bom(), spec::bom_stripped_once()};
  if (s.bom_after_start().count == 0) return check_result(id, what, Verdict::pass, "", refs);
  return check_result(id, what, Verdict::warn,
                      "U+FEFF after the start becomes part of the field name, so clients ignore the line: " +
                          first_of(s.bom_after_start()),
                      refs);
}

CaseResult check_unknown_names(const StreamInspector& s) {
  const char* id = "stream/fields/unknown-name";
  const char* what = "field names are data, event, id or retry";
  std::vector<SpecRef> refs{spec::unknown_field(), spec::literal_names()};
  if (s.unknown_names().count == 0) return check_result(id, what, Verdict::pass, "", refs);
  return check_result(id, what, Verdict::warn,
                      "clients ignore unknown fields (a typo, or a missing \"data:\" prefix?): " +
                          first_of(s.unknown_names()),
                      refs);
}

// Pretty-printed JSON (`data: {` then `  "key": 1,` ... `}`): only the first line is data, the
// rest are ignored fields, so every event's data is "{" and JSON.parse fails in every client.
CaseResult check_data_continuation(const StreamInspector& s) {
  const char* id = "stream/fields/data-continuation";
  const char* what = "every line of a multi-line value starts with data:";
  std::vector<SpecRef> refs{spec::data_appends_line(), spec::unknown_field()};
  if (s.data_continuation().count == 0) return check_result(id, what, Verdict::pass, "", refs);
  return check_result(id, what, Verdict::fail,
                      "lines that continue a data value without \"data:\" are ignored fields, so clients get only "
                      "the first line (pretty-printed JSON? send it on one line, or prefix every line with \"data: \"): " +
                          first_of(s.data_continuation()),
                      refs);
}

CaseResult check_id_null(const StreamInspector& s) {
  const char* id = "stream/fields/id-null";
  const char* what = "id values contain no U+0000";
  if (s.id_with_null().count == 0) return check_result(id, what, Verdict::pass, "", {spec::id_null()});
  return check_result(id, what, Verdict::warn,
                      "clients ignore an id containing U+0000 and keep the previous one: " + first_of(s.id_with_null()),
                      {spec::id_null()});
}

CaseResult check_retry(const StreamInspector& s) {
  const char* id = "stream/fields/retry-digits";
  const char* what = "retry values are ASCII digits only";
  if (s.retry_not_digits().count == 0) return check_result(id, what, Verdict::pass, "", {spec::retry_digits()});
  return check_result(id, what, Verdict::warn,
                      "clients ignore a retry value that is not all digits: " + first_of(s.retry_not_digits()),
                      {spec::retry_digits()});
}

CaseResult check_extra_space(const StreamInspector& s) {
  const char* id = "stream/fields/extra-space";
  const char* what = "one space at most after the colon";
  std::vector<SpecRef> refs{spec::one_space_removed()};
  if (s.extra_space().count > 0) {
    return check_result(id, what, Verdict::warn,
                        "only one space is removed, so the value keeps a leading space (event type, id or "
                        "retry no longer match): " + first_of(s.extra_space()),
                        refs);
  }
  if (s.extra_space_data().count > 0) {
    return check_result(id, what, Verdict::info,
                        "data values keep a leading space (fine if intended): " + first_of(s.extra_space_data()), refs);
  }
  return check_result(id, what, Verdict::pass, "", refs);
}

// Not in the spec (it sets no limit); clients buffer a whole line, so a huge one costs memory.
CaseResult check_line_limit(const StreamInspector& s) {
  const char* id = "stream/limits/line-length";
  const char* what = "lines and events stay within ssespec's limits";
  std::vector<SpecRef> refs{spec::buffering()};
  if (s.status() == Status::line_too_long) {
    return check_result(id, what, Verdict::warn,
                        "a line exceeded " + std::to_string(s.limits().max_line_bytes) +
                            " bytes; reading stopped (clients hold the whole line in memory)",
                        refs);
  }
  if (s.status() == Status::event_too_large) {
    return check_result(id, what, Verdict::warn,
                        "an event's data exceeded " + std::to_string(s.limits().max_event_bytes) + " bytes; reading stopped",
                        refs);
  }
  return check_result(id, what, Verdict::pass, "", refs);
}

CaseResult summary(const StreamInspector& s) {
  std::ostringstream out;
  out << s.bytes() << " bytes, " << s.events() << " events, " << s.comments() << " comments, " << s.field_lines()
      << " field lines, " << s.ids_sent() << " id fields";
  if (s.retry()) out << ", retry " << *s.retry() << " ms";
  if (!s.last_event_id().empty()) out << ", last event id \"" << printable(s.last_event_id()) << "\"";
  return check_result("stream/events/summary", "what a client would see", Verdict::info, out.str(), {spec::dispatch()});
}

}  // namespace

std::vector<CaseResult> stream_checks(const StreamInspector& stream, const StreamContext& context) {
  return {check_utf8(stream),         check_terminated(stream, context), check_bom(stream),
          check_unknown_names(stream), check_data_continuation(stream), check_id_null(stream),            check_retry(stream),
          check_extra_space(stream),   check_line_limit(stream),         summary(stream)};
}

}  // namespace ssespec
