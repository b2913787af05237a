#include "ssespec/encoder.hpp"

namespace ssespec {
namespace {

bool has_line_break(std::string_view text) { return text.find_first_of("\r\n") != std::string_view::npos; }

// "name: value\n". The parser removes one space after the colon, so a value that starts with a
// space keeps it; an empty value is written as "name:" alone.
void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.push_back(':');
  if (!value.empty()) {
    out.push_back(' ');
    out.append(value);
  }
  out.push_back('\n');
}

}  // namespace

const char* to_string(EncodeError error) {
  switch (error) {
    case EncodeError::none: return "none";
    case EncodeError::line_break_in_event: return "the event type holds a line break";
    case EncodeError::line_break_in_id: return "the id holds a line break";
    case EncodeError::null_in_id: return "the id holds U+0000 NULL";
  }
  return "unknown";
}

Encoded encode(const Message& m) {
  if (m.event && has_line_break(*m.event)) return {{}, EncodeError::line_break_in_event};
  if (m.id && has_line_break(*m.id)) return {{}, EncodeError::line_break_in_id};
  if (m.id && m.id->find('\0') != std::string::npos) return {{}, EncodeError::null_in_id};
  Encoded out;
  std::string& b = out.bytes;
  if (m.comment) for_each_line(*m.comment, [&](std::string_view line) { append_field(b, "", line); });
  // An empty event type is the default type: no line needed.
  if (m.event && !m.event->empty()) append_field(b, "event", *m.event);
  if (m.id) append_field(b, "id", *m.id);
  if (m.retry) append_field(b, "retry", std::to_string(*m.retry));
  if (m.data) for_each_line(*m.data, [&](std::string_view line) { append_field(b, "data", line); });
  b.push_back('\n');
  return out;
}

}  // namespace ssespec
