// StreamInspector: watches one event stream through ssespec::Parser (the only parser) and
// tallies what the stream checks judge: events and their arrival times, comments, gaps, and
// field lines a client will ignore or misread. Shared by `ssespec server` and `ssespec lint`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ssespec/parser.hpp"
#include "ssespec/printable.hpp"  // printable(), used in Finding::first and by the checks

namespace ssespec {

// One kind of suspicious field line: how often it occurred and the first occurrence.
struct Finding {
  std::uint64_t count = 0;
  std::string first;                  // the line, printable and shortened
  std::uint64_t first_field_line = 0;  // 1-based index among field lines
};

// An event as a client would dispatch it, with the time its last byte arrived. Type and id
// are kept as prefixes of at most kKeptBytes (with their full lengths), so a stream of huge
// names cannot make the kept records grow beyond keep_events x 2 x kKeptBytes.
struct InspectedEvent {
  static constexpr std::size_t kKeptBytes = 256;
  double at = 0;  // seconds since the request was sent (0 for files)
  std::string type;           // the first kKeptBytes bytes
  std::string last_event_id;  // the first kKeptBytes bytes
  std::size_t data_bytes = 0;
  std::size_t type_bytes = 0;  // full lengths
  std::size_t id_bytes = 0;
  double waited = 0;  // seconds it sat half arrived before the arrival that completed it
};

class StreamInspector final : public EventSink {
 public:
  // Keeps at most `keep_events` event records (counts are always exact).
  explicit StreamInspector(Limits limits = {}, std::size_t keep_events = 10000);

  // The next bytes of the stream, which arrived `at` seconds after the request was sent.
  // Returns the parser's status; after a limit is broken nothing more is parsed, but bytes are
  // still counted and, after a line too long, scanned (nothing kept) for that line's end.
  Status feed(std::string_view bytes, double at);

  // The peer ended the stream (connection closed or end of file) at `at`: records whether an
  // event was cut off, as the parser would discard it.
  void end_of_stream(double at);

  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t events() const { return events_; }
  std::uint64_t comments() const { return comments_; }
  std::uint64_t field_lines() const { return field_lines_; }
  std::uint64_t data_lines() const { return data_lines_; }
  std::uint64_t ids_sent() const { return ids_sent_; }
  std::uint64_t arrivals() const { return arrivals_; }  // feed() calls that carried bytes
  const std::vector<InspectedEvent>& kept_events() const { return kept_; }
  std::optional<std::uint64_t> retry() const { return retry_; }
  Status status() const { return ended_ ? final_status_ : parser_.status(); }  // survives end_of_stream()
  const Limits& limits() const { return limits_; }
  const std::string& last_event_id() const { return parser_.last_event_id(); }
  // Bytes fed after the parser stopped at a limit (counted in bytes(), never parsed).
  std::uint64_t unparsed_bytes() const { return unparsed_bytes_; }
  // A line broke Limits::max_line_bytes and no line break has come since: it has not ended.
  // A reader keeps reading while this holds, to tell a huge line from one that never ends.
  bool awaiting_long_line_end() const { return awaiting_line_end_; }

  // Between a field line (or part of a line) and the blank line that would dispatch it.
  bool mid_event() const { return parser_.mid_event(); }
  bool ended() const { return ended_; }
  bool ended_mid_event() const { return ended_mid_event_; }

  double first_byte_at() const { return first_byte_at_; }   // -1: none
  double first_event_at() const { return first_event_at_; } // -1: none
  double last_event_at() const { return last_event_at_; }   // -1: none
  double last_byte_at() const { return last_byte_at_; }     // -1: none
  double max_byte_gap() const { return max_byte_gap_; }    // longest silence between two arrivals
  // The longest an event waited, half arrived, for the rest of its bytes: from the arrival that
  // left it incomplete to the one that dispatched it. A server writes whole events; a buffer
  // on the path (a proxy, compression) releases fixed-size blocks that cut events apart.
  double max_split_wait() const { return max_split_wait_; }
  double incomplete_since() const { return incomplete_since_; }  // -1: no event is half arrived
  // Arrivals in a row that ended no line (a line that keeps growing), and when the first came.
  std::uint64_t growing_line_arrivals() const { return growing_arrivals_; }
  double growing_line_since() const { return growing_since_; }  // -1: the last arrival ended a line

  const Finding& decode_errors() const { return decode_errors_; }
  const Finding& unknown_names() const { return unknown_names_; }
  const Finding& id_with_null() const { return id_with_null_; }
  const Finding& retry_not_digits() const { return retry_not_digits_; }
  const Finding& extra_space() const { return extra_space_; }        // event, id or retry
  const Finding& extra_space_data() const { return extra_space_data_; }
  const Finding& bom_after_start() const { return bom_after_start_; }
  // Unknown-name lines after a data line of the same event (`  "key": 1,`, `}`): a multi-line
  // value, such as pretty-printed JSON, of which only the first line carries `data:`.
  const Finding& data_continuation() const { return data_continuation_; }

  // EventSink: called by the parser.
  void on_event(const Event& event) override;
  void on_retry(std::uint64_t milliseconds) override;
  void on_comment(std::string_view text) override;
  void on_field(std::string_view name, std::string_view value) override;
  void on_decode_error() override;

 private:
  void note(Finding& finding, std::string_view name, std::string_view value);
  void after_feed(double at);

  Limits limits_;
  Parser parser_;
  std::size_t keep_events_;
  double now_ = 0;
  std::uint64_t bytes_ = 0, events_ = 0, comments_ = 0, field_lines_ = 0, data_lines_ = 0, ids_sent_ = 0, arrivals_ = 0;
  bool data_in_event_ = false;  // a data line since the last dispatch
  bool line_ended_ = false;     // a line ended during the current feed()
  std::uint64_t unparsed_bytes_ = 0;
  bool awaiting_line_end_ = false;
  std::uint64_t growing_arrivals_ = 0;
  double growing_since_ = -1;
  bool pending_decode_error_ = false;
  std::optional<std::uint64_t> retry_;
  std::vector<InspectedEvent> kept_;
  bool ended_ = false, ended_mid_event_ = false;
  Status final_status_ = Status::ok;
  double first_byte_at_ = -1, last_byte_at_ = -1, first_event_at_ = -1, last_event_at_ = -1;
  double max_byte_gap_ = 0, max_split_wait_ = 0, incomplete_since_ = -1;
  Finding decode_errors_, unknown_names_, id_with_null_, retry_not_digits_, extra_space_, extra_space_data_,
      bom_after_start_, data_continuation_;
};

// A field line as it was sent, from the parser's views into that line: "retry: 3s" keeps its
// space, "retry:3s" has none, a line without a colon is its name alone.
std::string wire_line(std::string_view name, std::string_view value);

}  // namespace ssespec
