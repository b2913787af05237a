#include "ssespec/parser.hpp"

#include <algorithm>
#include <cstring>
#include <functional>

#include "line_scan.hpp"
#include "utf8.hpp"


// Spec: https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
// Comments quoted "like this" are the spec's words for the step the code next to them implements.

namespace ssespec {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// Field names are short and the colon comes early: a plain loop beats a memchr call here.
std::size_t find_colon(std::string_view line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == ':') return i;
  }
  return std::string_view::npos;
}

// For the short values set on every event (type, ID): appending to a cleared string skips
// assign()'s aliasing checks, which cost more than the copy. `value` never points into `s`.
void set_to(std::string& s, std::string_view value) {
  s.clear();
  s.append(value.data(), value.size());
}

}  // namespace

const char* to_string(Status status) {
  switch (status) {
    case Status::ok: return "ok";
    case Status::paused: return "paused";
    case Status::line_too_long: return "line_too_long";
    case Status::event_too_large: return "event_too_large";
  }
  return "unknown";
}

Parser::Parser(Limits limits) : limits_(limits) {}

Status Parser::feed(std::string_view bytes, EventSink& sink) {
  if (status_ != Status::ok) return status_;
  input_ = bytes;
  const Status status = feed_lines(bytes.data(), bytes.data() + bytes.size(), sink);
  // The slice belongs to the caller: a borrowed data value must be copied before returning.
  if (data_borrowed_) own_borrowed_data();
  input_ = {};
  return status;
}

// Flattened: the per-line calls (process_line, process_field, ...) inlined into the loop.
__attribute__((flatten)) Status Parser::feed_lines(const char* p, const char* const end, EventSink& sink) {
  // "a single U+000D CARRIAGE RETURN (CR) character not followed by a U+000A LINE FEED (LF)":
  // the previous slice ended in CR, so an LF opening this one belongs to that CRLF.
  if (skip_next_lf_ && p != end) {
    skip_next_lf_ = false;
    if (*p == '\n') ++p;
  }
  line_scan::LineScanner scanner(p, end);
  while (p != end) {
    bool non_ascii = false;
    const char* eol = scanner.find_line_end(p, non_ascii);
    line_has_non_ascii_ = line_has_non_ascii_ || non_ascii;
    if (eol == end) {
      buffer_partial_line(std::string_view(p, static_cast<std::size_t>(end - p)));
      break;
    }
    std::string_view line(p, static_cast<std::size_t>(eol - p));
    if (line_.size() + line.size() > limits_.max_line_bytes) {
      status_ = Status::line_too_long;
      return status_;
    }
    const bool was_split = !line_.empty();
    if (was_split) {
      line_.append(line);
      line = line_;
    }
    // "CRLF character pair ... a single LF ... a single CR ... being the ways a line can end."
    if (*eol == '\r') {
      if (eol + 1 == end) {
        skip_next_lf_ = true;
      } else if (eol[1] == '\n') {
        ++eol;
      }
    }
    p = eol + 1;
    process_line(line, sink);
    if (was_split) line_.clear();
    line_has_non_ascii_ = false;
    if (status_ != Status::ok) return status_;
  }
  return status_;
}

bool Parser::in_input(std::string_view bytes) const {
  const std::less_equal<const char*> le;
  return !input_.empty() && le(input_.data(), bytes.data()) &&
         le(bytes.data() + bytes.size(), input_.data() + input_.size());
}

void Parser::own_borrowed_data() {
  data_.assign(borrowed_data_);
  data_.push_back('\n');
  data_borrowed_ = false;
  borrowed_data_ = {};
}

void Parser::buffer_partial_line(std::string_view bytes) {
  if (line_.size() + bytes.size() > limits_.max_line_bytes) {
    status_ = Status::line_too_long;
    long_line_unfinished_ = true;
    return;
  }
  line_.append(bytes);
}

void Parser::process_line(std::string_view raw, EventSink& sink) {
  // "The UTF-8 decode algorithm strips one leading UTF-8 Byte Order Mark (BOM), if any."
  if (at_stream_start_) {
    at_stream_start_ = false;
    if (raw.substr(0, kBom.size()) == kBom) raw.remove_prefix(kBom.size());
  }
  // "Streams must be decoded using the UTF-8 decode algorithm": invalid bytes become U+FFFD.
  // CR and LF never occur inside a UTF-8 sequence, so decoding line by line is exact.
  std::string_view line = raw;
  if (line_has_non_ascii_ && !utf8::is_valid(raw)) {
    utf8::decode_with_replacement(raw, decoded_);
    line = decoded_;
    sink.on_decode_error();
    if (status_ != Status::ok) return;  // paused from the callback
  }
  // "If the line is empty (a blank line): Dispatch the event."
  if (line.empty()) {
    fields_since_dispatch_ = false;
    dispatch(sink);
    return;
  }
  // "If the line starts with a U+003A COLON character (:): Ignore the line."
  if (line.front() == ':') {
    sink.on_comment(line.substr(1));
    return;
  }
  // "If the line contains a U+003A COLON character (:)": field before the first colon, value
  // after it, less one leading U+0020 SPACE. "Otherwise": the whole line names the field and
  // the value is empty.
  fields_since_dispatch_ = true;
  const std::size_t colon = find_colon(line);
  std::string_view name = line;
  std::string_view value;
  if (colon != std::string_view::npos) {
    name = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  sink.on_field(name, value);
  if (status_ != Status::ok) return;  // paused from the callback
  process_field(name, value, sink);
}

void Parser::process_field(std::string_view name, std::string_view value, EventSink& sink) {
  // "Field names must be compared literally, with no case folding performed." The switch on
  // the length only saves comparisons; each name is still compared in full.
  switch (name.size()) {
    case 4:
      if (std::memcmp(name.data(), "data", 4) == 0) append_data(value);
      return;
    case 5:
      if (std::memcmp(name.data(), "event", 5) == 0) {
        // "Set the event type buffer to the field value."
        set_to(event_type_, value);
      } else if (std::memcmp(name.data(), "retry", 5) == 0) {
        process_retry(value, sink);
      }
      return;
    case 2:
      // "If the field value does not contain U+0000 NULL, then set the last event ID buffer to
      // the field value. Otherwise, ignore the field."
      // (IDs are short: std::find's unrolled loop beats a memchr call.)
      if (name[0] == 'i' && name[1] == 'd' && std::find(value.begin(), value.end(), '\0') == value.end()) {
        set_to(id_buffer_, value);
        id_buffer_changed_ = true;
      }
      return;
    default:
      return;  // "Otherwise: The field is ignored."
  }
}

void Parser::append_data(std::string_view value) {
  // "Append the field value to the data buffer, then append a single U+000A LINE FEED (LF)."
  if (data_size() + value.size() + 1 > limits_.max_event_bytes) {
    status_ = Status::event_too_large;
    return;
  }
  if (data_borrowed_) own_borrowed_data();  // a second data line: the buffer needs its own copy
  if (data_size() == 0 && in_input(value)) {
    borrowed_data_ = value;
    data_borrowed_ = true;
    return;
  }
  const bool value_ends_line_buffer = !line_.empty() && value.data() + value.size() == line_.data() + line_.size();
  if (data_size() == 0 && value_ends_line_buffer) {
    // A long line arrived in pieces and sits in line_: adopt that buffer as the data buffer
    // instead of copying it (the buffers trade places, so both keep their capacity).
    data_offset_ = static_cast<std::size_t>(value.data() - line_.data());  // before the swap: SSO moves bytes
    data_.swap(line_);
  } else if (value.size() <= 16) {
    for (const char c : value) data_.push_back(c);  // short values: cheaper than a library call
  } else {
    data_.append(value);
  }
  data_.push_back('\n');
}

void Parser::process_retry(std::string_view value, EventSink& sink) {
  // "If the field value consists of only ASCII digits, then interpret the field value as an
  // integer in base ten ... Otherwise, ignore the field." An empty value has no digits to
  // interpret and is ignored, as browsers do; a value beyond 64 bits is ignored too.
  if (value.empty()) return;
  std::uint64_t ms = 0;
  for (const char c : value) {
    if (c < '0' || c > '9') return;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (ms > (UINT64_MAX - digit) / 10) return;
    ms = ms * 10 + digit;
  }
  sink.on_retry(ms);
}

void Parser::dispatch(EventSink& sink) {
  // Step 1: "Set the last event ID string of the event source to the value of the last event
  // ID buffer. The buffer does not get reset."
  if (id_buffer_changed_) set_to(last_event_id_, id_buffer_);
  id_buffer_changed_ = false;
  // Step 2: "If the data buffer is an empty string, set the data buffer and the event type
  // buffer to the empty string and return."
  if (data_size() == 0) {
    event_type_.clear();
    return;
  }
  // Step 3: "If the data buffer's last character is a U+000A LINE FEED (LF) character, then
  // remove the last character from the data buffer." (It always is: data lines append one.)
  const std::string_view data =
      data_borrowed_ ? borrowed_data_ : std::string_view(data_.data() + data_offset_, data_size() - 1);
  // Steps 5-6: type "message" unless "the event type buffer has a value other than the empty
  // string"; lastEventId is the last event ID string.
  const std::string_view type = event_type_.empty() ? std::string_view("message") : event_type_;
  sink.on_event(Event{type, data, last_event_id_});
  // Step 7: "Set the data buffer and the event type buffer to the empty string."
  clear_data();
  event_type_.clear();
}

void Parser::finish() {
  // "Once the end of the file is reached, any pending data must be discarded."
  reset();
}

void Parser::reset() {
  status_ = Status::ok;
  long_line_unfinished_ = false;
  at_stream_start_ = true;
  skip_next_lf_ = false;
  line_has_non_ascii_ = false;
  fields_since_dispatch_ = false;
  line_.clear();
  clear_data();
  event_type_.clear();
  // A new stream's buffer starts from the event source's last event ID string, so a resumed
  // stream's first event without `id` keeps the ID (the spec's note on step 1; browsers).
  id_buffer_ = last_event_id_;
  id_buffer_changed_ = false;
}

bool Observation::operator==(const Observation& other) const {
  return kind == other.kind && type == other.type && data == other.data &&
         last_event_id == other.last_event_id && retry == other.retry;
}

std::vector<Observation> collect(std::string_view stream, Limits limits) {
  struct Collector final : EventSink {
    std::vector<Observation> out;
    void on_event(const Event& e) override {
      out.push_back({Observation::Kind::event, std::string(e.type), std::string(e.data),
                     std::string(e.last_event_id), 0});
    }
    void on_retry(std::uint64_t ms) override {
      out.push_back({Observation::Kind::retry, {}, {}, {}, ms});
    }
  } collector;
  Parser parser(limits);
  parser.feed(stream, collector);
  parser.finish();
  return std::move(collector.out);
}

}  // namespace ssespec
