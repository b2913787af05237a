// Probes over HTTP/2: ssespec's socket (TLS offering only ALPN h2, or cleartext h2c with prior
// knowledge) driving the I/O-free ClientSession. One Connection carries one or more GET streams;
// each stream's fields, DATA timing and ending are recorded as received, unjudged.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <Poco/Net/StreamSocket.h>

#include "server_check/h2/h2_session.hpp"
#include "server_check/http_probe.hpp"

namespace ssespec::h2 {

using Clock = std::chrono::steady_clock;

// How a stream ended, as far as ssespec watched it.
enum class StreamEnd {
  open,           // still open when ssespec stopped
  end_stream,     // the server's last frame carried END_STREAM
  reset,          // the server's RST_STREAM (`code`)
  goaway,         // the server's GOAWAY left this stream out (`code`)
  closed,         // the connection closed under it
  session_error,  // the server broke HTTP/2 framing; ssespec's session ended the connection (`code`, `text`)
};
const char* to_string(StreamEnd end);

struct ConnectionRecord {
  std::string alpn;           // TLS: the protocol the server chose; h2c: "h2c"
  std::string tls_version;    // "" for h2c
  bool settings_seen = false;
  std::uint32_t max_concurrent_streams = 0xffffffffu;  // none announced
  bool goaway = false;
  std::uint32_t goaway_code = 0;
  std::int32_t goaway_last_stream = 0;
  double goaway_at = -1;
};

struct StreamRecord {
  std::int32_t id = 0;
  double opened_at = 0;      // seconds after the connection's start
  Fields head;               // the response HEADERS as received, pseudo-header fields included
  double head_at = -1;
  bool head_with_data = false;  // the HEADERS arrived in the same read as the first DATA
  Fields trailers;
  double first_data_at = -1;
  double last_data_at = -1;
  std::uint64_t data_bytes = 0;
  StreamEnd end = StreamEnd::open;
  std::uint32_t code = 0;
  double ended_at = -1;
  std::string text;          // what ssespec's session reported, with session_error
  bool got_head() const { return head_at >= 0; }
  std::string field(const std::string& lowercase_name) const;  // the first value, "" if absent
  ConnectionRecord connection;  // filled in the record a probe returns (ProbeResult::h2)
};


// What one HTTP/2 probe observed: its connection and its one stream (ProbeResult::h2).
// One HTTP/2 connection. Connecting throws CouldNotRun (refused, TLS failure, the server would
// not speak h2 by ALPN).
class Connection {
 public:
  Connection(const ProbeRequest& request, Clock::time_point deadline, const SessionOptions& options = {});
  ~Connection();

  // Opens a GET stream for the request's URL with its headers plus `extra`.
  std::int32_t open(const HeaderList& extra = {});
  void cancel(std::int32_t stream);
  void grant(std::int32_t stream, std::uint32_t bytes);

  // Reads and records until `until` (or the deadline), or `done()` holds after a read. `on_data`
  // gets each stream's DATA with its arrival time. False when the connection ended.
  bool run(Clock::time_point until, const std::function<bool()>& done,
           const std::function<void(std::int32_t, std::string_view, double)>& on_data = {});

  const StreamRecord& stream(std::int32_t id) const { return streams_.at(id); }
  const ConnectionRecord& connection() const { return record_; }
  double elapsed() const;
  bool alive() const { return alive_; }
  Clock::time_point start() const { return start_; }

 private:
  void flush();
  void apply(Event& event, double at, bool& data_seen,
             const std::function<void(std::int32_t, std::string_view, double)>& on_data);
  void end_all(StreamEnd end, double at, std::uint32_t code, const std::string& text);

  ProbeRequest request_;
  Clock::time_point start_;
  Clock::time_point deadline_;
  Poco::Net::StreamSocket socket_;
  ClientSession session_;
  ConnectionRecord record_;
  std::map<std::int32_t, StreamRecord> streams_;
  bool alive_ = true;
};

// The one-stream probe of http_probe.hpp over HTTP/2: a ProbeResult with the head as an HTTP
// response (status from :status, the other fields as headers), the body fed to `stream`, and
// ProbeResult::h2 holding the stream's record.
ProbeResult probe(const ProbeRequest& request, StreamInspector* stream);

// Several streams on one connection, as a page with several EventSource objects opens them:
// one first (so the server's SETTINGS are known), then the rest; which got HEADERS and which
// waited; then ssespec resets the first with RST_STREAM(CANCEL), as a closed EventSource does,
// and watches whether a waiting (or a new) stream is answered.
struct StreamsObservation {
  std::uint32_t announced = 0xffffffffu;  // SETTINGS_MAX_CONCURRENT_STREAMS
  std::vector<StreamRecord> streams;      // in the order opened
  bool cancelled = false;                 // the first stream was answered and then cancelled
  StreamRecord after_cancel;              // the stream that waited (or a new one) after the cancel
  std::string detail;                     // why the probe stopped short
};
StreamsObservation probe_streams(const ProbeRequest& request, int wanted);

// Flow control: ssespec announces a stream window of `window` bytes and withholds
// WINDOW_UPDATE until it is used up (a server that sends more breaks HTTP/2), then grants more
// and watches `watch_s` whether DATA goes on beyond what was queued meanwhile.
struct FlowObservation {
  std::uint32_t window = 0;
  double filled_at = -1;      // the window was used up
  double granted_at = -1;
  double resumed_at = -1;     // DATA after the grant
  double watched_until = -1;  // the stream was watched this long after it resumed
  std::uint64_t bytes_at_grant = 0;
  StreamRecord stream;
  std::string detail;
};
FlowObservation probe_flow(const ProbeRequest& request, std::uint32_t window, double withhold_s, double watch_s);

}  // namespace ssespec::h2
