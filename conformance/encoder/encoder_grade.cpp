#include "encoder/encoder_grade.hpp"

#include <Poco/Base64Decoder.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <sstream>

#include "server_check/stream_checks.hpp"
#include "server_check/stream_inspector.hpp"
#include "ssespec/encoder.hpp"
#include "ssespec/parser.hpp"
#include "ssespec/printable.hpp"

namespace ssespec {
namespace {

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }
bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

std::string shown(std::string_view s) { return "\"" + printable(s, 80) + "\""; }

// What one message's bytes did to a parser that had read everything before them.
struct Reading : EventSink {
  struct Ev {
    std::string type, data, id;
  };
  std::vector<Ev> events;
  std::vector<std::uint64_t> retries;
  struct Field {
    std::string name, value, wire;  // wire: the line as sent (wire_line() needs the parser's views)
  };
  std::vector<Field> fields;  // field lines, comments left out
  void on_event(const Event& e) override { events.push_back({std::string(e.type), std::string(e.data), std::string(e.last_event_id)}); }
  void on_retry(std::uint64_t ms) override { retries.push_back(ms); }
  void on_field(std::string_view name, std::string_view value) override {
    fields.push_back({std::string(name), std::string(value), wire_line(name, value)});
  }
};

// Problems found in a case, each with its severity; the worst decides the verdict.
class Findings {
 public:
  void add(Verdict v, const std::string& text) { items_.push_back({v, text}); }
  Verdict verdict() const {
    for (Verdict v : {Verdict::fail, Verdict::warn, Verdict::info, Verdict::skip}) {
      if (std::any_of(items_.begin(), items_.end(), [&](const auto& i) { return i.first == v; })) return v;
    }
    return Verdict::pass;
  }
  // The worst findings first, then the rest ("lossy" notes of a PASS).
  std::string message() const {
    std::string out;
    const Verdict worst = verdict();
    for (int pass = 0; pass < 2; ++pass) {
      for (const auto& [v, text] : items_) {
        if ((pass == 0) != (v == worst)) continue;
        if (!out.empty()) out += "; ";
        out += text;
      }
    }
    return out;
  }

 private:
  std::vector<std::pair<Verdict, std::string>> items_;
};

// A blank line after a field line and before another line: the message was cut into two
// events. (A blank line after comments alone ends no event of the message: harmless.)
bool boundary_inside(std::string_view bytes) {
  bool seen_field = false, blank_after_field = false, cut = false;
  std::vector<std::string_view> lines;
  for_each_line(bytes, [&](std::string_view line) { lines.push_back(line); });
  if (!lines.empty()) lines.pop_back();  // what follows the last line break (empty for whole lines)
  for (std::string_view line : lines) {
    if (line.empty()) {
      blank_after_field = seen_field;
    } else {
      cut = cut || blank_after_field;
      seen_field = seen_field || line.front() != ':';
    }
  }
  return cut;
}

std::string expected_data(const std::string& data, DataMode mode) {
  const std::string utf8 = replace_lone_surrogates(data);
  return mode == DataMode::json ? utf8 : with_lf_line_breaks(utf8);
}

std::size_t count_named(const Reading& r, std::string_view name) {
  return static_cast<std::size_t>(std::count_if(r.fields.begin(), r.fields.end(), [&](const auto& f) { return f.name == name; }));
}

// The field lines of one message against the fields it was given.
void check_field_lines(const EncoderMessage& m, const Reading& r, Findings& f) {
  for (const Reading::Field& field : r.fields) {
    if (field.name == "event" || field.name == "data" || field.name == "id" || field.name == "retry") continue;
    f.add(Verdict::fail, "field line " + shown(field.wire) +
                             " is no field of the message: a raw line break reached the wire");
  }
  const std::size_t events = count_named(r, "event"), ids = count_named(r, "id"), retries = count_named(r, "retry");
  if (events > 1) f.add(Verdict::fail, std::to_string(events) + " event lines: a spoofed type");
  if (ids > 1) f.add(Verdict::fail, std::to_string(ids) + " id lines: a spoofed id");
  if (retries > 1) f.add(Verdict::fail, std::to_string(retries) + " retry lines: a spoofed retry");
  if (!m.retry && retries > 0) f.add(Verdict::fail, "a retry line for a message without retry: a spoofed retry");
}

void check_type(const EncoderMessage& m, const Reading::Ev& e, Findings& f) {
  const std::string want = m.event && !m.event->empty() ? replace_lone_surrogates(*m.event) : "message";
  if (e.type == want) return;
  if (m.event && has_line_break(*m.event)) {
    f.add(Verdict::pass, "lossy: the type came back as " + shown(e.type));
    return;
  }
  f.add(Verdict::fail, "the type came back as " + shown(e.type) + ", not " + shown(want));
}

// The last event ID after the message against its id (or the one before it).
void check_id(const EncoderMessage& m, const Reading& r, const std::string& before, const std::string& after, Findings& f) {
  const std::size_t id_lines = count_named(r, "id");
  if (!m.id) {
    if (after == before) return;
    if (id_lines == 1) {
      f.add(Verdict::info, "the library adds an id by itself: " + shown(after));
      return;
    }
    f.add(Verdict::fail, "the last event ID became " + shown(after) + " for a message without id (a spoofed id)");
    return;
  }
  const std::string want = replace_lone_surrogates(*m.id);
  if (has_line_break(*m.id)) {
    if (after != want) f.add(Verdict::pass, "lossy: the id came back as " + shown(after));
    return;
  }
  if (has_nul(*m.id)) {
    const bool raw = std::any_of(r.fields.begin(), r.fields.end(), [](const Reading::Field& fl) { return fl.name == "id" && has_nul(fl.value); });
    if (raw) {
      f.add(Verdict::warn, "the id with NUL was written raw: clients ignore the line and keep " + shown(before));
    } else if (after != want) {
      f.add(Verdict::pass, "lossy: the id came back as " + shown(after));
    }
    return;
  }
  if (after == want) return;
  if (want.empty() && after == before && id_lines == 0) {
    f.add(Verdict::warn, "id \"\" omitted: the last event ID stays " + shown(before) + " instead of being reset");
    return;
  }
  f.add(Verdict::fail, "the last event ID came back as " + shown(after) + ", not " + shown(want));
}

void check_retry(const EncoderMessage& m, const Reading& r, Findings& f) {
  if (!m.retry) return;  // a spoofed retry line is a field-line finding
  const RetryValue& rv = *m.retry;
  if (rv.integer) {
    if (r.retries.size() == 1 && r.retries[0] == *rv.integer) return;
    if (r.retries.empty() && *rv.integer == 0) {
      f.add(Verdict::warn, "retry 0 omitted");
      return;
    }
    if (r.retries.empty()) {
      f.add(Verdict::fail, "retry " + rv.json + " lost: no reconnection time a client accepts");
      return;
    }
    f.add(Verdict::fail, "retry came back as " + std::to_string(r.retries[0]) + ", not " + rv.json);
    return;
  }
  if (!r.retries.empty()) f.add(Verdict::pass, "lossy: retry " + printable(rv.json, 40) + " written as " + std::to_string(r.retries[0]));
}

void check_events(const EncoderMessage& m, const Reading& r, DataMode mode, Findings& f) {
  if (!m.data) {
    if (r.events.empty()) return;
    if (r.events.size() == 1 && r.events[0].data.empty()) {
      f.add(Verdict::warn, "an event dispatched for a message without data");
      check_type(m, r.events[0], f);
      return;
    }
    f.add(Verdict::fail, std::to_string(r.events.size()) + " event(s) for a message without data, the first with data " +
                             shown(r.events[0].data));
    return;
  }
  if (r.events.empty()) {
    f.add(Verdict::fail, "the data was dropped: no event dispatched");
    return;
  }
  if (r.events.size() > 1) {
    f.add(Verdict::fail, std::to_string(r.events.size()) + " events for one message: the second has data " + shown(r.events[1].data));
    return;
  }
  const Reading::Ev& e = r.events[0];
  const std::string want = expected_data(*m.data, mode);
  if (mode == DataMode::json) {
    const auto value = parse_json_string(e.data);
    if (!value) {
      f.add(Verdict::fail, "the data " + shown(e.data) + " is not one JSON string");
    } else if (*value != want) {
      f.add(Verdict::fail, "the data's JSON value is " + shown(*value) + ", not " + shown(want));
    }
  } else if (e.data != want) {
    f.add(Verdict::fail, "the data came back as " + shown(e.data) + ", not " + shown(want));
  }
  check_type(m, e, f);
}

// The reference encoder's bytes for the message, as the expected side of the report.
std::string reference_bytes(const EncoderMessage& m) {
  // As a UTF-8 writer sends it: lone surrogates as U+FFFD.
  const auto utf8 = [](const std::optional<std::string>& v) {
    return v ? std::optional<std::string>(replace_lone_surrogates(*v)) : std::nullopt;
  };
  Message ref;
  ref.event = utf8(m.event);
  ref.data = utf8(m.data);
  ref.id = utf8(m.id);
  ref.comment = utf8(m.comment);
  if (m.retry && m.retry->integer) ref.retry = m.retry->integer;
  const Encoded e = encode(ref);
  if (e.error != EncodeError::none) return std::string("refused: ") + to_string(e.error);
  if (m.retry && !m.retry->integer) return "refused: retry is not a non-negative integer";
  return printable(e.bytes, 400);
}

bool refusable(const EncoderMessage& m) {
  // A library whose send() needs data may refuse a message without it.
  return !m.data || (m.event && has_line_break(*m.event)) || (m.id && (has_line_break(*m.id) || has_nul(*m.id))) ||
         (m.retry && !m.retry->integer) || (m.comment && has_line_break(*m.comment));
}

}  // namespace

EncoderAnswer parse_answer(const std::string& line, std::size_t max_bytes) {
  EncoderAnswer a;
  const auto broken = [&](const std::string& why) {
    a = {};
    a.kind = EncoderAnswer::Kind::broken;
    a.text = why + ": " + printable(line, 80);
    return a;
  };
  if (line.size() > max_bytes / 3 * 4 + 64) return broken("an answer over the " + std::to_string(max_bytes) + "-byte limit");
  Poco::JSON::Object::Ptr o;
  try {
    Poco::JSON::Parser parser;
    o = parser.parse(line).extract<Poco::JSON::Object::Ptr>();
  } catch (...) {
    return broken("not a JSON object");
  }
  if (!o || o->size() != 1) return broken("not one of {\"bytes_b64\"}, {\"error\"}, {\"unsupported\"}");
  try {
    if (o->has("bytes_b64")) {
      std::istringstream in(o->getValue<std::string>("bytes_b64"));
      Poco::Base64Decoder decoder(in);
      a.bytes.assign(std::istreambuf_iterator<char>(decoder), std::istreambuf_iterator<char>());
      if (a.bytes.size() > max_bytes) return broken("more than " + std::to_string(max_bytes) + " bytes");
      a.kind = EncoderAnswer::Kind::bytes;
      return a;
    }
    if (o->has("error")) {
      a.kind = EncoderAnswer::Kind::error;
      a.text = o->get("error").toString();
      return a;
    }
    if (o->has("unsupported")) {
      const auto list = o->getArray("unsupported");
      if (!list) return broken("\"unsupported\" is not an array");
      for (std::size_t i = 0; i < list->size(); ++i) a.unsupported.push_back(list->getElement<std::string>(i));
      a.kind = EncoderAnswer::Kind::unsupported;
      return a;
    }
  } catch (const std::exception&) {
    return broken("a malformed value");
  }
  return broken("not one of {\"bytes_b64\"}, {\"error\"}, {\"unsupported\"}");
}

CaseResult grade_encoder_case(const EncoderCase& c, const std::vector<EncoderAnswer>& answers, DataMode mode) {
  CaseResult result;
  result.id = c.full_id();
  result.group = c.group;
  result.description = c.description;
  result.spec = c.spec;
  Findings f;
  Parser parser;
  Reading prime;
  parser.feed(kPrime, prime);
  std::string stream = kPrime, expected, observed;
  for (std::size_t i = 0; i < c.messages.size(); ++i) {
    const EncoderMessage& m = c.messages[i];
    const std::string label = c.messages.size() > 1 ? "message " + std::to_string(i + 1) + ": " : "";
    if (!expected.empty()) expected += "\n";
    expected += label + reference_bytes(m);
    if (!observed.empty()) observed += "\n";
    if (i >= answers.size() || answers[i].kind == EncoderAnswer::Kind::broken) {
      const std::string why = i < answers.size() ? printable(answers[i].text, 300) : "no answer";
      f.add(Verdict::fail, label + "the adapter broke the protocol: " + why);
      observed += label + why;
      break;
    }
    const EncoderAnswer& a = answers[i];
    if (a.kind == EncoderAnswer::Kind::unsupported) {
      const auto fields = m.fields();
      std::string missing;
      for (const std::string& name : a.unsupported) {
        if (std::find(fields.begin(), fields.end(), name) != fields.end()) missing += (missing.empty() ? "" : ", ") + name;
      }
      observed += label + "unsupported: " + missing;
      if (!missing.empty()) {
        f.add(Verdict::skip, label + "the library cannot send " + missing);
        continue;
      }
      f.add(Verdict::fail, label + "answered unsupported for fields the message does not have");
      continue;
    }
    if (a.kind == EncoderAnswer::Kind::error) {
      observed += label + "error: " + printable(a.text, 200);
      if (refusable(m)) {
        f.add(Verdict::pass, label + "refused (" + printable(a.text, 60) + ")");
      } else {
        f.add(Verdict::fail, label + "a valid message refused: " + printable(a.text, 80));
      }
      continue;
    }
    observed += label + printable(a.bytes, 400);
    stream += a.bytes;
    const std::string before = parser.last_event_id();
    Reading r;
    parser.feed(a.bytes, r);
    Findings mf;
    if (parser.mid_event()) mf.add(Verdict::fail, "does not end on an event boundary (no blank line after it)");
    if (boundary_inside(a.bytes)) mf.add(Verdict::fail, "a blank line inside the message cuts it into two events");
    check_field_lines(m, r, mf);
    check_events(m, r, mode, mf);
    if (!parser.mid_event()) check_id(m, r, before, parser.last_event_id(), mf);
    check_retry(m, r, mf);
    if (mf.verdict() != Verdict::pass || !mf.message().empty()) f.add(mf.verdict(), label + mf.message());
  }
  // The sentinel comes back only if nothing of the case was left open.
  Reading sentinel;
  stream += kSentinel;
  parser.feed(kSentinel, sentinel);
  if (sentinel.events.size() != 1 || sentinel.events[0].type != "ssespec-sentinel" || sentinel.events[0].data != "ssespec-sentinel") {
    f.add(Verdict::fail, "the sentinel event after the case did not come back as sent: state leaked into the next event");
  }
  // The lint rules, on the whole stream (one implementation: stream_checks).
  StreamInspector inspector;
  inspector.feed(stream, 0);
  inspector.end_of_stream(0);
  StreamContext context;
  context.peer_ended = true;
  context.what = "the bytes";
  // A type or id that starts with a space needs a second one on the wire: lint's warning of a
  // second space is then the correct encoding, not a finding.
  const bool leading_space = std::any_of(c.messages.begin(), c.messages.end(), [](const EncoderMessage& m) {
    return (m.event && !m.event->empty() && m.event->front() == ' ') || (m.id && !m.id->empty() && m.id->front() == ' ');
  });
  for (const CaseResult& check : stream_checks(inspector, context)) {
    if (check.verdict != Verdict::fail && check.verdict != Verdict::warn) continue;
    if (leading_space && check.id == "stream/fields/extra-space") continue;
    f.add(check.verdict, "lint " + check.id + ": " + check.message);
  }
  result.verdict = f.verdict();
  result.message = f.message();
  result.expected = expected;
  result.observed = observed;
  return result;
}

}  // namespace ssespec
