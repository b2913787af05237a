// A byte script the reference server replays: for each connection attempt in turn, a status
// line and headers, body chunks with delays between them, then how the connection ends.
// The server knows nothing of event-stream rules; it sends exactly these bytes.
#pragma once

#include <string>
#include <utility>
#include <vector>

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

// Reads the JSON form (reference/server/API.md):
//   {"connections": [{"status": 200, "headers": [["Content-Type", "text/event-stream"]],
//                     "chunks": ["data: a\n\n", {"delayMs": 20}, {"base64": "..."}],
//                     "end": "close"}]}
// Throws std::invalid_argument naming the offending field.
Script script_from_json(const std::string& text);

// The inverse, with bytes as base64 so that any byte survives.
std::string to_json(const Script& script);

// The bytes of the status line and headers (plus `Connection: close` unless the script sets
// a Connection header), ending in the blank line.
std::string head_bytes(const ScriptedResponse& response);

}  // namespace ssespec::server
