// ssespec reference encoder: one message {event, data, id, retry, comment} to text/event-stream
// bytes that every conforming parser reads back as exactly that message, or a refusal. I/O-free.
//
// Spec: https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
//       https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ssespec {

// What a server sends. A field left empty (std::nullopt) is not written.
struct Message {
  std::optional<std::string> event;
  std::optional<std::string> data;     // any text: each line break (CRLF, LF, CR) starts a new data line
  std::optional<std::string> id;       // no CR, LF or NUL; "" resets the client's last event ID
  std::optional<std::uint64_t> retry;  // reconnection time in milliseconds
  std::optional<std::string> comment;  // each line break starts a new comment line
};

enum class EncodeError {
  none,
  line_break_in_event,  // an event type is one line: a CR or LF would end the field
  line_break_in_id,
  null_in_id,           // clients ignore an id line that holds U+0000
};

// A stable, human-readable reason ("the event type holds a line break", ...).
const char* to_string(EncodeError error);

struct Encoded {
  std::string bytes;  // empty when refused
  EncodeError error = EncodeError::none;
};

// The message as one event block: comment lines, then event, id, retry and data lines, then the
// blank line that dispatches it. A message without data ends with the blank line too, so that
// its event and id do not leak into the next message; a client dispatches nothing for it.
Encoded encode(const Message& message);

// Calls `line(text)` for each line of `text`, split at CRLF, LF and CR (as the parser splits).
template <class OnLine>
void for_each_line(std::string_view text, OnLine&& line) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r' && text[i] != '\n') continue;
    line(text.substr(start, i - start));
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  line(text.substr(start));
}

// `text` with each CRLF, LF and CR as one LF: what a client reads back for data sent as lines.
inline std::string with_lf_line_breaks(std::string_view text) {
  std::string out;
  bool first = true;
  for_each_line(text, [&](std::string_view line) {
    if (!first) out.push_back('\n');
    out.append(line);
    first = false;
  });
  return out;
}

}  // namespace ssespec
