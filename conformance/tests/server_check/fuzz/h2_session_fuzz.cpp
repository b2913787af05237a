// libFuzzer target for ssespec's HTTP/2 client session (h2/h2_session.hpp): the input is what a
// server sends after ssespec's GET on stream 1, fed whole and in pieces (sized by the first
// byte; its top bit picks a manual flow-control window). Neither may crash, hang or grow without
// bound, and both must report the same frames: the same event kinds in order, the same fields,
// codes and DATA bytes, and the same end (alive or not). One exception, found by this target:
// nghttp2 1.52 judges a window overrun per read (and words its errors per read), so where the server overran the window, how
// much DATA came through before FLOW_CONTROL_ERROR depends on the reads (whole: the frame, then
// the error; in pieces: the bytes up to the window); such inputs are checked for safety only.
// A second, found by this target too, is nghttp2's (nghttp2/nghttp2#2817, in its CVE-2024-28182 fix,
// which Debian's 1.52.0-1+deb12u3 carries): its CONTINUATION limit (8) counts each read that ends inside a
// CONTINUATION's 9-byte frame header, so one CONTINUATION fed byte by byte fails the session
// ("Too many CONTINUATION frames ...") where one read accepts it; an input where a read hit that
// limit is checked for safety only. Frames after a GOAWAY or a session error are
// compared no further: the pieces stop being fed once the session is done, where one whole read
// may still carry them.
//
// Built with -DSSESPEC_FUZZ=ON and clang (conformance/tests/server_check/fuzz/run_fuzz.sh).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nghttp2/nghttp2.h>

#include "server_check/h2/h2_session.hpp"

namespace {

struct Transcript {
  std::string said;
  bool continuation_limit = false;  // the session failed on nghttp2's CONTINUATION count (see above)
};

// What the events said, as text; consecutive DATA on one stream joined, since nghttp2 may hand
// one frame's payload over in several chunks when its bytes come in several reads.
Transcript read(std::string_view bytes, std::size_t piece, bool manual_window) {
  ssespec::h2::SessionOptions options;
  options.manual_window = manual_window;
  options.initial_window = manual_window ? 64 : 1u << 20;
  ssespec::h2::ClientSession session(options);
  session.get("https", "127.0.0.1", "/events", {{"accept", "text/event-stream"}});
  std::string said;
  bool continuation_limit = false;
  std::size_t output = session.take_output().size();
  bool last_was_data = false;
  std::int32_t data_stream = 0;
  for (std::size_t at = 0; at < bytes.size() && session.alive(); at += piece) {
    for (const ssespec::h2::Event& e : session.feed(bytes.substr(at, piece))) {
      if (e.kind == ssespec::h2::EventKind::data) {
        if (!last_was_data || data_stream != e.stream) said += "\ndata " + std::to_string(e.stream) + ":";
        said += e.data;
        last_was_data = true;
        data_stream = e.stream;
        continue;
      }
      last_was_data = false;
      if (e.kind == ssespec::h2::EventKind::session_error &&
          e.text == nghttp2_strerror(NGHTTP2_ERR_TOO_MANY_CONTINUATIONS)) {
        continuation_limit = true;
      }
      said += "\nevent " + std::to_string(static_cast<int>(e.kind)) + " on " + std::to_string(e.stream) + " code " +
              std::to_string(e.code) + " last " + std::to_string(e.last_stream);  // not e.text: nghttp2's wording depends on the reads
      for (const auto& [name, value] : e.fields) said += "\n  " + name + ": " + value;
    }
    output += session.take_output().size();  // what ssespec would write back (ACKs, WINDOW_UPDATE, GOAWAY)
  }
  if (output > (1u << 24)) {  // a session must not answer a bounded input without bound
    std::fprintf(stderr, "h2_session_fuzz: %zu bytes of output\n", output);
    std::abort();
  }
  return {said + (session.alive() ? "\nalive" : "\nended"), continuation_limit};
}

// The transcript up to the end of the first GOAWAY (kind 4) or session error (kind 6) line.
std::string until_done(const std::string& said) {
  std::size_t cut = std::string::npos;
  for (const char* kind : {"\nevent 4 on", "\nevent 6 on"}) cut = std::min(cut, said.find(kind));
  if (cut == std::string::npos) return said;
  return said.substr(0, said.find('\n', cut + 1));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = (data[0] & 0x7f) % 17 + 1;
  const bool manual_window = (data[0] & 0x80) != 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const Transcript whole = read(bytes, bytes.size() + 1, manual_window);
  const Transcript pieces = read(bytes, piece, manual_window);
  const bool overrun = whole.said.find(" code 3 ") != std::string::npos ||
                       pieces.said.find(" code 3 ") != std::string::npos;
  const bool continuation_limit = whole.continuation_limit || pieces.continuation_limit;
  if (until_done(whole.said) != until_done(pieces.said) && !overrun && !continuation_limit) {
    std::fprintf(stderr, "whole and in pieces of %zu differ:\n--- whole%s\n--- pieces%s\n", piece, whole.said.c_str(),
                 pieces.said.c_str());
    std::abort();
  }
  return 0;
}
