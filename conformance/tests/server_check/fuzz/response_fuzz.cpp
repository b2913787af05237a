// libFuzzer target for how `ssespec server` handles a response: the input is what a server
// sends (head, framing, body, any Content-Encoding), fed to ResponseReader and on into a
// StreamInspector, whole and in pieces (sized by the first byte). Neither may crash, hang or
// grow without bound; without a framing error both must deliver the same body and verdict.
//
// Built with -DSSESPEC_FUZZ=ON and clang (conformance/tests/server_check/fuzz/run_fuzz.sh).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "server_check/http_response.hpp"
#include "server_check/stream_checks.hpp"
#include "server_check/stream_inspector.hpp"

namespace {

struct Outcome {
  std::string body;
  std::string head_error, framing_error;
  bool complete = false;
};

Outcome read(std::string_view response, std::size_t piece, bool eof) {
  ssespec::ResponseReader reader;
  ssespec::StreamInspector inspector(ssespec::Limits{4096, 1u << 20}, 16);
  Outcome out;
  std::string body;
  for (std::size_t at = 0; at < response.size(); at += piece) {
    reader.feed(response.substr(at, piece), body);
    inspector.feed(body, static_cast<double>(at));
    constexpr std::size_t kCompared = 1u << 16;  // enough to compare; the decoder bounds the rest
    out.body.append(body, 0, std::min(body.size(), kCompared - std::min(kCompared, out.body.size())));
    body.clear();
  }
  if (eof) reader.end_of_input();
  out.complete = reader.body_complete();
  out.head_error = reader.head_error();
  out.framing_error = reader.framing_error();
  (void)reader.cut_position();
  inspector.end_of_stream(1);
  if (ssespec::stream_checks(inspector, {}).empty()) std::abort();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t piece = data[0] % 31 + 1;
  const bool eof = data[0] & 0x80;
  const std::string_view response(reinterpret_cast<const char*>(data) + 1, size - 1);
  const Outcome whole = read(response, response.size() + 1, eof);
  const Outcome split = read(response, piece, eof);
  if (whole.head_error != split.head_error) {
    std::fprintf(stderr, "head errors differ:\n  %s\n  %s\n", whole.head_error.c_str(), split.head_error.c_str());
    std::abort();
  }
  if (whole.framing_error.empty() && split.framing_error.empty() &&
      (whole.body != split.body || whole.complete != split.complete)) {
    std::fprintf(stderr, "whole and %zu-byte pieces deliver different bodies\n", piece);
    std::abort();
  }
  return 0;
}
