// `ssespec load`: opens N event streams to one URL, as wrk does for HTTP, and measures what the
// clients experience: connections held, connect failures, events/s, time to first event,
// delivery lag or spread, reconnects and server resets. One thread, one epoll loop, no thread
// per connection; every response is read by the suite's ResponseReader (head, framing, coding),
// judged by fetch's "extract a MIME type", and its stream parsed by the reference parser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "load/histogram.hpp"

namespace ssespec::load {

struct LoadOptions {
  std::string url;               // http://host:port/path
  int clients = 100;
  double duration_s = 10;        // from the first connect; the run ends then, whatever happens
  double rate = 2000;            // new connections per second while ramping up; <= 0: all at once (burst)
  double connect_timeout_s = 5;  // connect + response head; longer counts as a connect failure
  bool reconnect = true;         // reopen a stream that ended (after its retry, with Last-Event-ID)
};

struct LoadResult {
  int clients = 0;
  double duration_s = 0;          // measured
  int held_at_end = 0;            // streams open (200, event-stream body) when the run ended
  int peak_held = 0;
  std::uint64_t connects = 0;     // connection attempts, reconnections included
  std::uint64_t connect_failures = 0;  // refused, timed out, or answered without a 200 stream
  std::uint64_t reconnects = 0;   // attempts after a stream had ended
  std::uint64_t server_closes = 0;  // streams that ended: FIN, the body's end, or broken framing
  std::uint64_t server_resets = 0;  // streams the server ended with RST
  std::uint64_t oversized = 0;    // streams dropped for a line or event over the parser's limits
  std::uint64_t events = 0;
  std::uint64_t bytes = 0;
  Histogram first_event_ms;       // connect start to the first dispatched event
  // Delivery lag: arrival minus the event's own timestamp (a Unix time in seconds or ms as its
  // id or data, or an ISO 8601 UTC data line), skipping each stream's first event (a catch-up).
  Histogram lag_ms;
  std::uint64_t before_timestamp = 0;  // events that arrived before their own timestamp (sent early)
  // Without timestamps, or as well: each arrival minus the first arrival of the same event
  // (same id, else same data) on any stream: how evenly one broadcast reaches every client.
  Histogram spread_ms;
  std::string error;              // a bad URL or a setup failure: nothing was measured

  double events_per_s() const { return duration_s > 0 ? static_cast<double>(events) / duration_s : 0; }
};

LoadResult run_load(const LoadOptions& options);

// The result as JSON ({"format": "ssespec-load/1", ...}) and as a short text summary.
std::string to_json(const LoadOptions& options, const LoadResult& result);
std::string to_text(const LoadResult& result);

// A timestamp carried by an event, in Unix milliseconds, or -1: an integer id or data of 10
// digits (seconds) or 13 (milliseconds), or data like 2026-11-25T14:00:00Z / ...00.123Z.
double timestamp_ms(std::string_view id, std::string_view data);

}  // namespace ssespec::load
