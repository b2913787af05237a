// The server side of HTTP/2 for ssespec's tests: an nghttp2 server session with no I/O, which
// answers each request with the fields it is given (uppercase and connection-specific names
// included: nghttp2 sends what it is told) and DATA as the test supplies it.
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "server_check/h2/h2_session.hpp"

struct nghttp2_session;

namespace ssespec::h2::test {

struct Request {
  std::int32_t stream = 0;
  Fields fields;
  std::string field(const std::string& name) const;
};

class ServerSession {
 public:
  // `max_concurrent_streams` 0: not announced.
  explicit ServerSession(std::uint32_t max_concurrent_streams = 0);
  ~ServerSession();
  ServerSession(const ServerSession&) = delete;
  ServerSession& operator=(const ServerSession&) = delete;

  std::string take_output();
  // The client's bytes; returns the requests whose HEADERS completed. False in `ok`: the
  // client broke the connection.
  std::vector<Request> feed(std::string_view bytes, bool* ok = nullptr);

  // HEADERS with `fields` (":status" first, as given); with end_stream no body follows.
  void respond(std::int32_t stream, const Fields& fields, bool end_stream = false);
  // Queues DATA; `last` ends the stream after it.
  void send(std::int32_t stream, std::string_view bytes, bool last = false);
  void reset(std::int32_t stream, std::uint32_t code);
  void goaway(std::uint32_t code);
  // Streams the client reset (RST_STREAM) or that closed, in order.
  const std::vector<std::int32_t>& closed() const { return closed_; }
  void clear_closed() { closed_.clear(); }
  // WINDOW_UPDATE frames the client sent for `stream`.
  int window_updates(std::int32_t stream) const {
    const auto found = window_updates_.find(stream);
    return found == window_updates_.end() ? 0 : found->second;
  }
  bool wants_io() const;

 private:
  struct Callbacks;
  struct Body {
    std::string pending;
    bool last = false;
  };
  nghttp2_session* session_ = nullptr;
  std::map<std::int32_t, Fields> headers_;
  std::vector<Request> requests_;
  std::map<std::int32_t, Body> bodies_;
  std::vector<std::int32_t> closed_;
  std::list<Fields> sent_fields_;
  std::map<std::int32_t, int> window_updates_;
};

}  // namespace ssespec::h2::test
