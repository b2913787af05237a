#include "server_check/h2/h2_session.hpp"

#include <nghttp2/nghttp2.h>

#include <stdexcept>

namespace ssespec::h2 {

std::string error_name(std::uint32_t code) {
  static const char* const names[] = {"NO_ERROR",        "PROTOCOL_ERROR", "INTERNAL_ERROR",     "FLOW_CONTROL_ERROR",
                                      "SETTINGS_TIMEOUT", "STREAM_CLOSED",  "FRAME_SIZE_ERROR",   "REFUSED_STREAM",
                                      "CANCEL",           "COMPRESSION_ERROR", "CONNECT_ERROR",   "ENHANCE_YOUR_CALM",
                                      "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"};
  if (code < sizeof names / sizeof names[0]) return names[code];
  return "error code 0x" + [&] {
    static const char digits[] = "0123456789abcdef";
    std::string hex;
    do {
      hex.insert(hex.begin(), digits[code % 16]);
      code /= 16;
    } while (code != 0);
    return hex;
  }();
}

// nghttp2 calls these with the ClientSession as user data.
struct ClientSession::Callbacks {
  static ClientSession& self(void* user) { return *static_cast<ClientSession*>(user); }

  static int begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    self(user).pending_[frame->hd.stream_id].clear();
    return 0;
  }
  static int header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name, std::size_t namelen,
                    const std::uint8_t* value, std::size_t valuelen, std::uint8_t, void* user) {
    self(user).pending_[frame->hd.stream_id].emplace_back(std::string(reinterpret_cast<const char*>(name), namelen),
                                                           std::string(reinterpret_cast<const char*>(value), valuelen));
    return 0;
  }
  static int data_chunk(nghttp2_session*, std::uint8_t, std::int32_t stream, const std::uint8_t* data, std::size_t len,
                        void* user) {
    auto& events = self(user).events_;
    if (!events.empty() && events.back().kind == EventKind::data && events.back().stream == stream) {
      events.back().data.append(reinterpret_cast<const char*>(data), len);
    } else {
      Event event{EventKind::data, stream};
      event.data.assign(reinterpret_cast<const char*>(data), len);
      events.push_back(std::move(event));
    }
    return 0;
  }
  static int frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    ClientSession& s = self(user);
    const std::int32_t stream = frame->hd.stream_id;
    switch (frame->hd.type) {
      case NGHTTP2_HEADERS: {
        Event event{EventKind::headers, stream};
        event.fields = std::move(s.pending_[stream]);
        s.pending_.erase(stream);
        s.events_.push_back(std::move(event));
        break;
      }
      case NGHTTP2_RST_STREAM: {
        Event event{EventKind::reset, stream};
        event.code = frame->rst_stream.error_code;
        s.events_.push_back(std::move(event));
        break;
      }
      case NGHTTP2_GOAWAY: {
        Event event{EventKind::goaway, 0};
        event.code = frame->goaway.error_code;
        event.last_stream = frame->goaway.last_stream_id;
        event.data.assign(reinterpret_cast<const char*>(frame->goaway.opaque_data), frame->goaway.opaque_data_len);
        s.events_.push_back(std::move(event));
        break;
      }
      case NGHTTP2_SETTINGS:
        if ((frame->hd.flags & NGHTTP2_FLAG_ACK) == 0) s.events_.push_back(Event{EventKind::settings, 0});
        break;
      default:
        break;
    }
    if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
      s.events_.push_back(Event{EventKind::end_stream, stream});
    }
    return 0;
  }
  // A GOAWAY ssespec's session sends is a connection error it found in the server's frames.
  static int frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    ClientSession& s = self(user);
    if (frame->hd.type == NGHTTP2_GOAWAY && frame->goaway.error_code != NGHTTP2_NO_ERROR) {
      Event event{EventKind::session_error, 0};
      event.code = frame->goaway.error_code;
      event.text = s.error_text_.empty() ? error_name(event.code) : s.error_text_;
      s.events_.push_back(std::move(event));
      s.failed_ = true;
    }
    // ssespec cancels streams itself (CANCEL); any other reset is nghttp2 finding a fault, such as
    // DATA past the stream's window.
    if (frame->hd.type == NGHTTP2_RST_STREAM && frame->rst_stream.error_code != NGHTTP2_CANCEL) {
      Event event{EventKind::stream_error, frame->hd.stream_id};
      event.code = frame->rst_stream.error_code;
      event.text = s.error_text_.empty() ? error_name(event.code) : s.error_text_;
      s.events_.push_back(std::move(event));
    }
    return 0;
  }
  static int error(nghttp2_session*, int, const char* msg, std::size_t len, void* user) {
    self(user).error_text_.assign(msg, len);
    return 0;
  }
};

ClientSession::ClientSession(const SessionOptions& options) {
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, Callbacks::begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, Callbacks::header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, Callbacks::data_chunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, Callbacks::frame_recv);
  nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, Callbacks::frame_send);
  nghttp2_session_callbacks_set_error_callback2(callbacks, Callbacks::error);
  nghttp2_option* option = nullptr;
  nghttp2_option_new(&option);
  nghttp2_option_set_no_http_messaging(option, 1);  // ssespec judges the fields itself
  if (options.manual_window) nghttp2_option_set_no_auto_window_update(option, 1);
  const int rv = nghttp2_session_client_new2(&session_, callbacks, this, option);
  nghttp2_option_del(option);
  nghttp2_session_callbacks_del(callbacks);
  if (rv != 0) throw std::runtime_error(std::string("nghttp2: ") + nghttp2_strerror(rv));
  const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
                                             {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, options.initial_window}};
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, 2);
}

ClientSession::~ClientSession() { nghttp2_session_del(session_); }

std::int32_t ClientSession::get(const std::string& scheme, const std::string& authority, const std::string& path,
                                const Fields& extra) {
  Fields fields{{":method", "GET"}, {":scheme", scheme}, {":authority", authority}, {":path", path}};
  fields.insert(fields.end(), extra.begin(), extra.end());
  std::vector<nghttp2_nv> nva;
  for (auto& [name, value] : fields) {
    nva.push_back({reinterpret_cast<std::uint8_t*>(name.data()), reinterpret_cast<std::uint8_t*>(value.data()),
                   name.size(), value.size(), NGHTTP2_NV_FLAG_NONE});
  }
  // nghttp2 copies the fields before returning.
  const std::int32_t id = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(), nullptr, nullptr);
  if (id < 0) throw std::runtime_error(std::string("nghttp2: ") + nghttp2_strerror(id));
  return id;
}

void ClientSession::cancel(std::int32_t stream) {
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream, NGHTTP2_CANCEL);
}

void ClientSession::grant(std::int32_t stream, std::uint32_t bytes) {
  nghttp2_submit_window_update(session_, NGHTTP2_FLAG_NONE, stream, static_cast<std::int32_t>(bytes));
}

void ClientSession::serialize() {
  for (;;) {
    const std::uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n <= 0) break;
    outbox_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
}

std::string ClientSession::take_output() {
  serialize();
  return std::move(outbox_);
}

std::vector<Event> ClientSession::feed(std::string_view bytes) {
  events_.clear();
  if (!failed_) {
    const auto n = nghttp2_session_mem_recv(session_, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    if (n < 0 && !failed_) {
      // A fatal error (the preface was not HTTP/2, or memory): no GOAWAY to send.
      Event event{EventKind::session_error, 0};
      event.code = NGHTTP2_PROTOCOL_ERROR;
      event.text = nghttp2_strerror(static_cast<int>(n));
      events_.push_back(std::move(event));
      failed_ = true;
    }
    // What the session answers (a GOAWAY for a connection error among it) is serialized now, so
    // this feed() reports the error; take_output() hands the bytes over.
    serialize();
  }
  return std::move(events_);
}

bool ClientSession::alive() const {
  return !failed_ && (nghttp2_session_want_read(session_) != 0 || nghttp2_session_want_write(session_) != 0);
}

std::uint32_t ClientSession::max_concurrent_streams() const {
  return nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
}

}  // namespace ssespec::h2
