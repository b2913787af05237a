// An HTTP/2 client session that does no I/O of its own (nghttp2, as ResponseReader is for
// HTTP/1.1): the caller writes take_output() to its socket and feeds what it reads to feed(),
// which returns what the server did, frame by frame. nghttp2's HTTP messaging checks are off,
// so field names and values arrive exactly as the server sent them and ssespec judges them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct nghttp2_session;

namespace ssespec::h2 {

using Fields = std::vector<std::pair<std::string, std::string>>;

enum class EventKind {
  headers,         // a HEADERS block (response head, or trailers after DATA): `fields`
  data,            // DATA payload: `data`
  end_stream,      // the stream's last frame carried END_STREAM
  reset,           // RST_STREAM from the server: `code`
  goaway,          // GOAWAY from the server: `code`, `last_stream`
  settings,        // the server's SETTINGS (not an ACK)
  session_error,   // ssespec's session ended the connection (it sent GOAWAY `code`): `text`
  stream_error,    // ssespec's session reset a stream for a fault in the server's frames (RST_STREAM `code`)
};

struct Event {
  explicit Event(EventKind k, std::int32_t on_stream = 0) : kind(k), stream(on_stream) {}
  EventKind kind;
  std::int32_t stream = 0;
  Fields fields;
  std::string data;
  std::uint32_t code = 0;
  std::int32_t last_stream = 0;
  std::string text;
};

// RFC 9113 section 7 error codes, named as the RFC names them ("NO_ERROR", "CANCEL").
std::string error_name(std::uint32_t code);

struct SessionOptions {
  // SETTINGS_INITIAL_WINDOW_SIZE ssespec announces; with manual_window the stream window is
  // refilled only by grant().
  std::uint32_t initial_window = 1u << 20;
  bool manual_window = false;
};

class ClientSession {
 public:
  explicit ClientSession(const SessionOptions& options = {});
  ~ClientSession();
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  // Queues a GET; `extra` follow the pseudo-header fields. Returns the stream id.
  std::int32_t get(const std::string& scheme, const std::string& authority, const std::string& path,
                   const Fields& extra);
  // Queues RST_STREAM(CANCEL): the client gives the stream up, as a closed EventSource does.
  void cancel(std::int32_t stream);
  // With manual_window: lets the server send `bytes` more on `stream` (WINDOW_UPDATE).
  void grant(std::int32_t stream, std::uint32_t bytes);

  // Bytes to send now (the connection preface and SETTINGS first); empty when there are none.
  std::string take_output();
  // The server's next bytes. Returns what they carried; a connection error ends in
  // session_error and alive() turns false.
  std::vector<Event> feed(std::string_view bytes);

  bool alive() const;
  // The server's SETTINGS_MAX_CONCURRENT_STREAMS (2^32-1 when it sent none).
  std::uint32_t max_concurrent_streams() const;

 private:
  struct Callbacks;
  void serialize();  // the session's pending frames into outbox_
  nghttp2_session* session_ = nullptr;
  std::string outbox_;
  std::vector<Event> events_;       // gathered by the callbacks during one feed()
  std::map<std::int32_t, Fields> pending_;  // the fields of a HEADERS block still arriving, by stream
  std::string error_text_;
  bool failed_ = false;
};

}  // namespace ssespec::h2
