// ssespec reference parser: the WHATWG "text/event-stream" parsing and interpretation rules,
// incremental and I/O-free. Bytes in, events out.
//
// Spec: https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream
//       https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ssespec {

// One dispatched event. The views are valid only during the EventSink::on_event call.
struct Event {
  std::string_view type;           // "message" when the stream named no type
  std::string_view data;           // data lines joined with LF, the final LF removed
  std::string_view last_event_id;  // the stream's last event ID at dispatch time
};

// Receives what the parser observes, in stream order. Only on_event is required.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_event(const Event& event) = 0;
  // A `retry` field whose value is all ASCII digits (and fits in 64 bits).
  virtual void on_retry(std::uint64_t /*milliseconds*/) {}
  // A comment line, without its leading colon.
  virtual void on_comment(std::string_view /*text*/) {}
  // Every field line, decoded, with the single leading space already removed from the value,
  // before it is processed (linters watch for unknown names, a second space, a stray BOM).
  virtual void on_field(std::string_view /*name*/, std::string_view /*value*/) {}
  // A line held bytes that are not well-formed UTF-8; it was decoded with U+FFFD.
  virtual void on_decode_error() {}
};

// Bounds on what a hostile stream can make the parser buffer.
struct Limits {
  std::size_t max_line_bytes = 16u << 20;   // one line, before decoding
  std::size_t max_event_bytes = 64u << 20;  // the data buffer of one event
};

enum class Status {
  ok,
  paused,            // pause() was called from a callback; nothing more is parsed
  line_too_long,     // a line exceeded Limits::max_line_bytes
  event_too_large,   // an event's data exceeded Limits::max_event_bytes
};

// A stable, human-readable name for a status ("line_too_long", ...).
const char* to_string(Status status);

class Parser {
 public:
  explicit Parser(Limits limits = {});

  // Parses the next slice of the stream. Slices may split lines, CRLF pairs, UTF-8 sequences
  // and the BOM anywhere; the result is the same as feeding the whole stream at once.
  // Returns ok, or a sticky non-ok status that holds until reset().
  Status feed(std::string_view bytes, EventSink& sink);

  // End of the stream: an event not yet terminated by a blank line is discarded, as the spec
  // requires. The parser is ready for a new stream afterwards (as after reset()).
  void finish();

  // Starts a new connection's stream: clears line and event buffers, re-arms BOM stripping
  // and clears a sticky status. Keeps the last event ID string, which outlives a connection,
  // and seeds the new stream's last event ID buffer from it (as browsers do; see README).
  void reset();

  // Called from a sink callback: stop at once, dispatching nothing further from the current
  // slice (EventSource close() semantics). feed() then returns Status::paused until reset().
  void pause() { status_ = Status::paused; }

  Status status() const { return status_; }
  // After Status::line_too_long: true when the line too long was still arriving (no line break
  // yet) as the parser stopped, false when its line break was in the input. A caller that reads
  // on can then tell a huge line that ends from one that never does.
  bool long_line_unfinished() const { return long_line_unfinished_; }
  // True between a field (or a partial line) and the blank line that ends its event: what
  // finish() would discard.
  bool mid_event() const { return fields_since_dispatch_ || !line_.empty(); }
  // The event source's "last event ID string": updated only when an event is dispatched
  // (even one with empty data), so an `id` in an unterminated event never reaches it.
  const std::string& last_event_id() const { return last_event_id_; }

 private:
  void process_line(std::string_view raw_line, EventSink& sink);
  void process_field(std::string_view name, std::string_view value, EventSink& sink);
  void append_data(std::string_view value);
  void process_retry(std::string_view value, EventSink& sink);
  void dispatch(EventSink& sink);
  void buffer_partial_line(std::string_view bytes);
  Status feed_lines(const char* p, const char* end, EventSink& sink);
  bool in_input(std::string_view bytes) const;
  void own_borrowed_data();
  std::size_t data_size() const { return data_borrowed_ ? borrowed_data_.size() + 1 : data_.size() - data_offset_; }
  void clear_data() {
    data_.clear();
    data_offset_ = 0;
    data_borrowed_ = false;
  }

  Limits limits_;
  Status status_ = Status::ok;
  bool at_stream_start_ = true;   // the next line is the first: strip one leading BOM
  bool skip_next_lf_ = false;     // the last slice ended in CR: an LF next is part of CRLF
  bool line_has_non_ascii_ = false;
  bool fields_since_dispatch_ = false;
  bool long_line_unfinished_ = false;
  std::string line_;              // a line split across slices (raw bytes)
  std::string decoded_;           // scratch for lines with invalid UTF-8
  // The data buffer is data_ from data_offset_ on, or, while data_borrowed_, borrowed_data_
  // plus an LF: a single data value still inside the slice being fed, so an event whose data
  // line and blank line arrive together is dispatched without copying its data.
  std::string data_;
  std::size_t data_offset_ = 0;   // non-zero when a whole line buffer was adopted as data
  std::string_view borrowed_data_;
  bool data_borrowed_ = false;
  std::string_view input_;        // the slice feed() is working on
  std::string event_type_;        // the event type buffer
  std::string id_buffer_;         // the last event ID buffer
  bool id_buffer_changed_ = false;  // an id field set it since the last dispatch or reset()
  std::string last_event_id_;     // the last event ID string, set at dispatch
};

// Convenience for tests and examples: one observation of the parser.
struct Observation {
  enum class Kind { event, retry } kind;
  std::string type;
  std::string data;
  std::string last_event_id;
  std::uint64_t retry = 0;
  bool operator==(const Observation& other) const;
};

// Parses a whole stream (fed as one slice, then finished) and returns what it observed.
std::vector<Observation> collect(std::string_view stream, Limits limits = {});

}  // namespace ssespec
