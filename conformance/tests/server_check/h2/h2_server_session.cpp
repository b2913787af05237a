#include "h2_server_session.hpp"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace ssespec::h2::test {

std::string Request::field(const std::string& name) const {
  for (const auto& [n, v] : fields)
    if (n == name) return v;
  return "";
}

struct ServerSession::Callbacks {
  static ServerSession& self(void* user) { return *static_cast<ServerSession*>(user); }
  static int begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    self(user).headers_[frame->hd.stream_id].clear();
    return 0;
  }
  static int header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name, std::size_t namelen,
                    const std::uint8_t* value, std::size_t valuelen, std::uint8_t, void* user) {
    self(user).headers_[frame->hd.stream_id].emplace_back(std::string(reinterpret_cast<const char*>(name), namelen),
                                                          std::string(reinterpret_cast<const char*>(value), valuelen));
    return 0;
  }
  static int frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    ServerSession& s = self(user);
    if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
      s.requests_.push_back({frame->hd.stream_id, std::move(s.headers_[frame->hd.stream_id])});
      s.headers_.erase(frame->hd.stream_id);
    }
    if (frame->hd.type == NGHTTP2_WINDOW_UPDATE && frame->hd.stream_id != 0) ++s.window_updates_[frame->hd.stream_id];
    return 0;
  }
  static int stream_close(nghttp2_session*, std::int32_t stream, std::uint32_t, void* user) {
    self(user).closed_.push_back(stream);
    self(user).bodies_.erase(stream);
    return 0;
  }
  // DATA from the stream's queue; deferred while the queue is empty and the body goes on.
  static ssize_t read(nghttp2_session*, std::int32_t stream, std::uint8_t* buf, std::size_t length, std::uint32_t* flags,
                      nghttp2_data_source*, void* user) {
    auto found = self(user).bodies_.find(stream);
    if (found == self(user).bodies_.end()) return NGHTTP2_ERR_DEFERRED;
    Body& body = found->second;
    const std::size_t n = std::min(length, body.pending.size());
    std::memcpy(buf, body.pending.data(), n);
    body.pending.erase(0, n);
    if (body.pending.empty() && body.last) *flags |= NGHTTP2_DATA_FLAG_EOF;
    else if (n == 0) return NGHTTP2_ERR_DEFERRED;
    return static_cast<ssize_t>(n);
  }
};

ServerSession::ServerSession(std::uint32_t max_concurrent_streams) {
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, Callbacks::begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, Callbacks::header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, Callbacks::frame_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, Callbacks::stream_close);
  const int rv = nghttp2_session_server_new(&session_, callbacks, this);
  nghttp2_session_callbacks_del(callbacks);
  if (rv != 0) throw std::runtime_error(nghttp2_strerror(rv));
  std::vector<nghttp2_settings_entry> settings;
  if (max_concurrent_streams > 0) settings.push_back({NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, max_concurrent_streams});
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
}

ServerSession::~ServerSession() { nghttp2_session_del(session_); }

std::string ServerSession::take_output() {
  std::string out;
  for (;;) {
    const std::uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n <= 0) break;
    out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
  return out;
}

std::vector<Request> ServerSession::feed(std::string_view bytes, bool* ok) {
  const ssize_t n = nghttp2_session_mem_recv(session_, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  if (ok != nullptr) *ok = n >= 0;
  return std::move(requests_);
}

void ServerSession::respond(std::int32_t stream, const Fields& given, bool end_stream) {
  // Not copied, so not lowercased by nghttp2: the names go out as given (kept until the end).
  const Fields& fields = sent_fields_.emplace_back(given);
  std::vector<nghttp2_nv> nva;
  for (const auto& [name, value] : fields) {
    nva.push_back({reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
                   reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
                   NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE});
  }
  nghttp2_data_provider provider{};
  provider.read_callback = Callbacks::read;
  if (!end_stream) bodies_[stream];
  nghttp2_submit_response(session_, stream, nva.data(), nva.size(), end_stream ? nullptr : &provider);
}

void ServerSession::send(std::int32_t stream, std::string_view bytes, bool last) {
  auto found = bodies_.find(stream);
  if (found == bodies_.end()) return;
  found->second.pending.append(bytes);
  found->second.last = found->second.last || last;
  nghttp2_session_resume_data(session_, stream);
}

void ServerSession::reset(std::int32_t stream, std::uint32_t code) {
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream, code);
}

void ServerSession::goaway(std::uint32_t code) {
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_), code, nullptr, 0);
}

bool ServerSession::wants_io() const {
  return nghttp2_session_want_read(session_) != 0 || nghttp2_session_want_write(session_) != 0;
}

}  // namespace ssespec::h2::test
