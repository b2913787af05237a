#include "server_check/stream_checks.hpp"

#include <sstream>

#include "report/seconds_text.hpp"
#include "server_check/check_result.hpp"
#include "server_check/spec_refs.hpp"

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
CheckOutcome check_utf8(const StreamInspector& s, const StreamContext&) {
  if (s.decode_errors().count == 0) return outcome(Verdict::pass, "");
  return outcome(Verdict::fail, "invalid UTF-8, which clients replace with U+FFFD: " + first_of(s.decode_errors()),
                 {spec::utf8_only(), spec::always_utf8_intro()});
}

// MUST (grammar): every event ends with a blank line; a client discards an unterminated one.
CheckOutcome check_terminated(const StreamInspector& s, const StreamContext& c) {
  if (s.status() != Status::ok && s.status() != Status::paused) {
    return outcome(Verdict::skip, "not judged: parsing stopped at a limit (stream/limits/*)");
  }
  if (c.peer_ended && s.ended_mid_event()) {
    std::string message = c.what + " ended inside an event (no blank line after its last field): no client dispatches it";
    if (s.events() == 0 && s.field_lines() == 0 && s.comments() == 0) {
      message += "; not one line break in " + std::to_string(s.bytes()) + " bytes: no client ever dispatches an event";
    } else if (s.events() == 0) {
      message += "; no event at all was dispatched from " + std::to_string(s.field_lines()) + " field lines";
    }
    return outcome(Verdict::fail, message);
  }
  // Still open, and one line has kept growing over several arrivals for a second or more: a
  // large event arrives within milliseconds, a line that never ends keeps clients waiting.
  if (!c.peer_ended && s.growing_line_arrivals() >= 2 && s.last_byte_at() - s.growing_line_since() >= kGrowingLineSeconds &&
      (s.field_lines() > 0 || s.comments() > 0)) {
    return outcome(Verdict::fail, "one line kept growing over " + std::to_string(s.growing_line_arrivals()) +
                                      " arrivals for " + seconds_text(s.last_byte_at() - s.growing_line_since()) +
                                      " and never ended: clients dispatch nothing from it" +
                                      (s.events() == 0 ? "; no client ever dispatches an event" : std::string()) +
                                      R"(: end each field line with \n and each event with a blank line)");
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
      return outcome(Verdict::fail,
                     over +
                         " and not one line break: clients hold it all as one unfinished line, so no client "
                         "ever dispatches an event" +
                         fix);
    }
    if (s.data_lines() >= 2 && kept_arriving) {
      return outcome(Verdict::fail,
                     over + ", " + std::to_string(s.data_lines()) +
                         " data lines and no blank line: each data line joins one event that never ends, so no "
                         "client ever dispatches an event" +
                         fix);
    }
    if (s.field_lines() > 0 || s.bytes() > 0) {
      return outcome(Verdict::warn,
                     over + " and no blank line yet: a client has dispatched no event (more bytes may finish it)");
    }
  }
  return outcome(Verdict::pass, "");
}

// Pitfall: a BOM is stripped only once, at the start; later it corrupts the next field name.
CheckOutcome check_bom(const StreamInspector& s, const StreamContext&) {
  if (s.bom_after_start().count == 0) return outcome(Verdict::pass, "");
  return outcome(Verdict::warn, "U+FEFF after the start becomes part of the field name, so clients ignore the line: " +
                                    first_of(s.bom_after_start()));
}

CheckOutcome check_unknown_names(const StreamInspector& s, const StreamContext&) {
  if (s.unknown_names().count == 0) return outcome(Verdict::pass, "");
  return outcome(Verdict::warn, "clients ignore unknown fields (a typo, or a missing \"data:\" prefix?): " +
                                    first_of(s.unknown_names()));
}

// Pretty-printed JSON (`data: {` then `  "key": 1,` ... `}`): only the first line is data, the
// rest are ignored fields, so every event's data is "{" and JSON.parse fails in every client.
CheckOutcome check_data_continuation(const StreamInspector& s, const StreamContext&) {
  if (s.data_continuation().count == 0) return outcome(Verdict::pass, "");
  return outcome(Verdict::fail,
                 "lines that continue a data value without \"data:\" are ignored fields, so clients get only "
                 "the first line (pretty-printed JSON? send it on one line, or prefix every line with \"data: \"): " +
                     first_of(s.data_continuation()));
}

CheckOutcome check_id_null(const StreamInspector& s, const StreamContext&) {
  if (s.id_with_null().count == 0) return outcome(Verdict::pass, "");
  return outcome(Verdict::warn,
                 "clients ignore an id containing U+0000 and keep the previous one: " + first_of(s.id_with_null()));
}

CheckOutcome check_retry(const StreamInspector& s, const StreamContext&) {
  if (s.retry_not_digits().count == 0) return outcome(Verdict::pass, "");
  return outcome(Verdict::warn,
                 "clients ignore a retry value that is not all digits: " + first_of(s.retry_not_digits()));
}

CheckOutcome check_extra_space(const StreamInspector& s, const StreamContext&) {
  if (s.extra_space().count > 0) {
    return outcome(Verdict::warn,
                   "only one space is removed, so the value keeps a leading space (event type, id or "
                   "retry no longer match): " +
                       first_of(s.extra_space()));
  }
  if (s.extra_space_data().count > 0) {
    return outcome(Verdict::info,
                   "data values keep a leading space (fine if intended): " + first_of(s.extra_space_data()));
  }
  return outcome(Verdict::pass, "");
}

// Not in the spec (it sets no limit); clients buffer a whole line, so a huge one costs memory.
CheckOutcome check_line_limit(const StreamInspector& s, const StreamContext&) {
  if (s.status() == Status::line_too_long) {
    return outcome(Verdict::warn, "a line exceeded " + std::to_string(s.limits().max_line_bytes) +
                                      " bytes; parsing stopped there (clients hold the whole line in memory)");
  }
  if (s.status() == Status::event_too_large) {
    return outcome(Verdict::warn, "an event's data exceeded " + std::to_string(s.limits().max_event_bytes) +
                                      " bytes; reading stopped");
  }
  return outcome(Verdict::pass, "");
}

// The grammar ends every line with a line break, and only a blank line dispatches. A line too
// long to parse is still read (unparsed, nothing kept) for its end, by `server` until --timeout
// and by `lint` to the end of the input: one that never ends holds back every later event.
CheckOutcome check_line_ends(const StreamInspector& s, const StreamContext& c) {
  if (s.status() != Status::line_too_long) return outcome(Verdict::pass, "");
  const std::string longer = "a line longer than " + std::to_string(s.limits().max_line_bytes) + " bytes";
  const std::string after = std::to_string(s.unparsed_bytes()) + " bytes";
  if (!s.awaiting_long_line_end()) return outcome(Verdict::pass, longer + " ended; the " + after + " after the limit were read, not parsed");
  if (c.peer_ended) {
    return outcome(Verdict::fail, longer + " never ends: the last " + after + " of " + c.what +
                                      " hold no line break, so clients buffer it all and dispatch nothing after it");
  }
  return outcome(Verdict::fail, longer + " had not ended when reading stopped after " + seconds_text(c.watched_s) +
                                    " (" + after + " more, no line break): clients buffer it all and dispatch nothing after it");
}

CheckOutcome summary(const StreamInspector& s, const StreamContext&) {
  std::ostringstream out;
  out << s.bytes() << " bytes, " << s.events() << " events, " << s.comments() << " comments, " << s.field_lines()
      << " field lines, " << s.ids_sent() << " id fields";
  if (s.retry()) out << ", retry " << *s.retry() << " ms";
  if (!s.last_event_id().empty()) out << ", last event id \"" << printable(s.last_event_id()) << "\"";
  return outcome(Verdict::info, out.str());
}

}  // namespace

const std::vector<StreamCheck>& stream_check_table() {
  static const std::vector<StreamCheck> table{
      {"stream/encoding/utf-8", "the stream is valid UTF-8", {spec::utf8_only()}, check_utf8},
      {"stream/grammar/event-terminated",
       "every event ends with a blank line",
       {spec::grammar_event(), spec::blank_line_dispatches(), spec::incomplete_discarded(),
        spec::last_needs_blank_line()},
       check_terminated},
      {"stream/grammar/bom-position",
       "a byte order mark appears only at the start",
       {spec::grammar_bom(), spec::bom_stripped_once()},
       check_bom},
      {"stream/fields/unknown-name",
       "field names are data, event, id or retry",
       {spec::unknown_field(), spec::literal_names()},
       check_unknown_names},
      {"stream/fields/data-continuation",
       "every line of a multi-line value starts with data:",
       {spec::data_appends_line(), spec::unknown_field()},
       check_data_continuation},
      {"stream/fields/id-null", "id values contain no U+0000", {spec::id_null()}, check_id_null},
      {"stream/fields/retry-digits", "retry values are ASCII digits only", {spec::retry_digits()}, check_retry},
      {"stream/fields/extra-space",
       "one space at most after the colon",
       {spec::one_space_removed()},
       check_extra_space},
      {"stream/limits/line-length",
       "lines and events stay within ssespec's limits",
       {spec::buffering()},
       check_line_limit},
      {"stream/limits/line-ends",
       "every line ends, however long",
       {spec::grammar_event(), spec::dispatch()},
       check_line_ends},
      {"stream/events/summary", "what a client would see", {spec::dispatch()}, summary},
  };
  return table;
}

std::vector<CaseResult> stream_checks(const StreamInspector& stream, const StreamContext& context) {
  std::vector<CaseResult> results;
  for (const StreamCheck& check : stream_check_table()) {
    results.push_back(check_result(check.id, check.title, check.spec, check.judge(stream, context)));
  }
  return results;
}

}  // namespace ssespec
