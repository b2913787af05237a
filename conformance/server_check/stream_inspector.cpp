#include "server_check/stream_inspector.hpp"

#include <algorithm>
#include <cstdint>

namespace ssespec {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool is_known_field(std::string_view name) {
  return name == "data" || name == "event" || name == "id" || name == "retry";
}

}  // namespace

std::string wire_line(std::string_view name, std::string_view value) {
  // Both views point into the same line: the distance between them says what was between.
  const auto name_end = reinterpret_cast<std::uintptr_t>(name.data()) + name.size();
  const auto gap = reinterpret_cast<std::uintptr_t>(value.data()) - name_end;
  if (value.data() != nullptr && gap == 1) return std::string(name) + ":" + std::string(value);
  if (value.data() != nullptr && gap == 2 && name.data()[name.size() + 1] == ' ') {
    return std::string(name) + ": " + std::string(value);
  }
  if (value.empty()) return std::string(name);
  return std::string(name) + ": " + std::string(value);  // not from one line: the usual form
}

StreamInspector::StreamInspector(Limits limits, std::size_t keep_events)
    : limits_(limits), parser_(limits), keep_events_(keep_events) {}

Status StreamInspector::feed(std::string_view bytes, double at) {
  if (bytes.empty()) return parser_.status();
  if (last_byte_at_ >= 0) max_byte_gap_ = std::max(max_byte_gap_, at - last_byte_at_);
  if (first_byte_at_ < 0) first_byte_at_ = at;
  last_byte_at_ = at;
  now_ = at;
  bytes_ += bytes.size();
  ++arrivals_;
  if (parser_.status() != Status::ok) {
    unparsed_bytes_ += bytes.size();
    if (awaiting_line_end_ && bytes.find_first_of("\r\n") != std::string_view::npos) awaiting_line_end_ = false;
    return parser_.status();
  }
  line_ended_ = false;
  const Status status = parser_.feed(bytes, *this);
  if (status == Status::line_too_long) awaiting_line_end_ = parser_.long_line_unfinished();
  after_feed(at);
  return status;
}

void StreamInspector::after_feed(double at) {
  if (line_ended_ || !parser_.mid_event()) {
    growing_arrivals_ = 0;
    growing_since_ = -1;
  } else if (growing_arrivals_++ == 0) {
    growing_since_ = at;
  }
  if (!parser_.mid_event()) {
    data_in_event_ = false;  // a blank line ended the block, dispatched or not
    incomplete_since_ = -1;
  } else if (incomplete_since_ < 0) {
    incomplete_since_ = at;
  }
}

void StreamInspector::end_of_stream(double at) {
  if (ended_) return;
  final_status_ = parser_.status();
  ended_ = true;
  now_ = at;
  // "If the file ends in the middle of an event, before the final empty line, the incomplete
  // event is not dispatched." Only judged when the parser still reads (no limit was broken).
  ended_mid_event_ = final_status_ == Status::ok && parser_.mid_event();
  parser_.finish();
}

void StreamInspector::on_event(const Event& event) {
  ++events_;
  line_ended_ = true;
  if (first_event_at_ < 0) first_event_at_ = now_;
  last_event_at_ = now_;
  data_in_event_ = false;
  // Dispatched by a later arrival than the one that left it incomplete: it waited.
  const double waited = incomplete_since_ >= 0 ? now_ - incomplete_since_ : 0;
  max_split_wait_ = std::max(max_split_wait_, waited);
  incomplete_since_ = -1;
  if (kept_.size() < keep_events_) {
    constexpr std::size_t kept = InspectedEvent::kKeptBytes;
    kept_.push_back({now_, std::string(event.type.substr(0, kept)), std::string(event.last_event_id.substr(0, kept)),
                     event.data.size(), event.type.size(), event.last_event_id.size(), waited});
  }
}

void StreamInspector::on_retry(std::uint64_t milliseconds) { retry_ = milliseconds; }

void StreamInspector::on_comment(std::string_view text) {
  ++comments_;
  line_ended_ = true;
  if (pending_decode_error_) {
    pending_decode_error_ = false;
    if (decode_errors_.first.empty()) decode_errors_.first = printable(":" + std::string(text));
  }
}

void StreamInspector::on_decode_error() {
  ++decode_errors_.count;
  pending_decode_error_ = true;
  if (decode_errors_.count == 1) decode_errors_.first_field_line = field_lines_ + 1;
}

void StreamInspector::note(Finding& finding, std::string_view name, std::string_view value) {
  if (++finding.count > 1) return;
  finding.first_field_line = field_lines_;
  finding.first = printable(wire_line(name, value));
}

void StreamInspector::on_field(std::string_view name, std::string_view value) {
  ++field_lines_;
  line_ended_ = true;
  if (pending_decode_error_) {
    pending_decode_error_ = false;
    if (decode_errors_.first.empty()) decode_errors_.first = printable(wire_line(name, value));
  }
  // A BOM is stripped only at the very start of the stream; anywhere else it becomes part of
  // the next line, so "\uFEFFdata" is a field name no client knows.
  if (name.substr(0, kBom.size()) == kBom) {
    note(bom_after_start_, name, value);
    return;
  }
  if (name == "data") ++data_lines_;
  if (name == "id") ++ids_sent_;
  if (!is_known_field(name)) {
    note(data_in_event_ ? data_continuation_ : unknown_names_, name, value);
    return;
  }
  if (name == "data") data_in_event_ = true;
  // The parser already removed one leading space: a value that still starts with one had two.
  if (!value.empty() && value.front() == ' ') note(name == "data" ? extra_space_data_ : extra_space_, name, value);
  if (name == "id" && value.find('\0') != std::string_view::npos) note(id_with_null_, name, value);
  if (name == "retry" && (value.empty() || !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))) {
    note(retry_not_digits_, name, value);
  }
}

}  // namespace ssespec
