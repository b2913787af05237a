// A byte script the reference server replays: for each connection attempt in turn, a status
// line and headers, body chunks with delays between them, then how the connection ends.
// The server knows nothing of event-stream rules; it sends exactly these bytes.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace ssespec {
class JsonNode;
}

namespace ssespec::server {

// One body step: bytes to write at once, or a pause before the next step.
struct Step {
  std::string bytes;
  int delay_ms = 0;  // > 0: a pause (bytes is then empty)
};

// How a connection ends once its steps are written.
enum class End {
  close,  // orderly FIN: the end of the response body
  reset,  // TCP RST (SO_LINGER 0): a network error
  hang,   // keep the connection open until the client or the session goes away
};

const char* to_string(End end);

struct ScriptedResponse {
  bool send_head = true;  // false: no status line or headers, only the steps (raw bytes)
  int status = 200;
  std::string reason;     // empty: the standard phrase for status
  std::vector<std::pair<std::string, std::string>> headers;  // in order, duplicates allowed
  std::vector<Step> steps;
  End end = End::close;
};

struct Script {
  std::vector<ScriptedResponse> connections;
};

// The one reader of the script format (fixtures/README.md, "Responses"): the server's POST
// /sessions bodies and every fixture's connections go through it, so a response means the same
// to both. Errors are FixtureError naming the file and the field.
//   {"connections": [{"status": 200, "headers": [["Content-Type", "text/event-stream"]],
//                     "chunks": ["data: a\n\n", {"delayMs": 20}, {"hex": "ff"}], "end": "close"}]}
// One response object: status (default 200), reason, headers (default Content-Type:
// text/event-stream), raw, chunks, end (default close).
ScriptedResponse response_from_json(const JsonNode& node);
// Sends r's body with Transfer-Encoding: chunked, one HTTP chunk per bytes step (the
// "framing": "chunked" of a response; also `ssespec client --chunked` on close-framed ones).
void frame_chunked(ScriptedResponse& r);
// Whether r's body ends only when the connection closes: a head without Content-Length or
// Transfer-Encoding (a raw response writes its own framing).
bool close_delimited(const ScriptedResponse& r);
// A whole script, {"connections": [response, ...]}; errors name the text `display_name`.
Script script_from_json(const std::string& text, const std::string& display_name = "script");

constexpr int kMaxDelayMs = 2000;  // one pause; longer ones are typos that stall a suite

// Placeholders a header value may hold (e.g. "Location": "{origin}{session}/moved"), so a
// case can send an absolute URL without knowing the port: the server's own origin,
// http://127.0.0.1:PORT, and the session's path prefix, /s/<id> (fixtures/README.md).
inline const std::string kOriginPlaceholder = "{origin}";
inline const std::string kSessionPlaceholder = "{session}";

// The bytes of the status line and headers (plus `Connection: close` unless the script sets
// a Connection header), ending in the blank line. Each (placeholder, text) pair is replaced
// in header values; with none, values are written as they are.
std::string head_bytes(const ScriptedResponse& response,
                       const std::vector<std::pair<std::string, std::string>>& placeholders = {});

}  // namespace ssespec::server
