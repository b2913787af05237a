// Client scenario cases: fixtures/client/*.json (fixtures/schema/client.schema.json), plus every
// parse case turned into a one-response scenario. A case scripts the server's responses and
// lists what the client under test must report, in the adapter protocol (conformance/ADAPTERS.md).
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "runner/fixture.hpp"
#include "server/script.hpp"

namespace ssespec {

// What one request must carry; delays are from the end of the previous connection.
struct ExpectedRequest {
  std::vector<std::pair<std::string, std::string>> headers;  // name (any case) -> exact value
  std::vector<std::string> absent_headers;
  std::optional<std::string> path_suffix;  // e.g. "/moved" after a redirect
  std::optional<int> min_delay_ms;
  std::optional<int> max_delay_ms;
  std::optional<std::string> method;  // client form only
  std::optional<std::string> body;    // client form only: the request body, byte for byte
};

// How the client under test is configured for a case: library features beyond the spec that
// real clients have (LaunchDarkly's optional test-service features). Each needs the capability
// named in its comment.
struct ClientConfig {
  std::vector<std::pair<std::string, std::string>> headers;  // "headers": sent on every request
  std::optional<std::string> last_event_id;  // "last-event-id": the first request's Last-Event-ID
  std::optional<std::string> method;         // "post": instead of GET, on every request
  std::optional<std::string> body;           // "post": sent on every request
  std::optional<int> read_timeout_ms;        // "read-timeout": silence for this long is an error
  int restart_after = 0;  // "restart": the caller restarts the client after the N-th message (0: never)
};

struct ClientConnection {
  server::ScriptedResponse response;
  std::optional<ExpectedRequest> expect_request;
};

// One line of the adapter protocol: open, message, error, closed or comment.
struct TraceEntry {
  std::string kind;
  std::string type;           // message
  std::string data;           // message; comment: its text (without the colon)
  std::string last_event_id;  // message
  int ready_state = -1;       // error, closed: 0 CONNECTING, 1 OPEN, 2 CLOSED

  bool operator==(const TraceEntry& other) const;
};

std::string to_json(const TraceEntry& entry);  // one line, the adapter protocol's form
// Parses one adapter line; nullopt (with `error` set) if it is not a protocol line.
std::optional<TraceEntry> trace_entry_from_json(const std::string& line, std::string& error);

// "close" the EventSource after the count-th observation of `kind` (kind "start": at once).
struct ClientAction {
  std::string kind;
  int count = 0;
  bool via_stdin = false;  // false: inside the handler (SSESPEC_CLOSE_AFTER)
};

struct ClientCase {
  std::string group;  // "client/reconnect" or "parse/<file>"
  std::string id;
  std::string description;
  std::vector<SpecRef> spec;
  std::vector<ClientConnection> connections;
  std::vector<std::string> listen;  // named event types to add listeners for
  std::vector<ClientAction> actions;
  std::vector<TraceEntry> trace;
  ClientConfig config;
  int min_requests = 0;
  std::optional<int> max_requests;
  std::vector<std::string> requires_caps;
  bool strict = false;
  std::string note;

  std::string full_id() const { return group + "/" + id; }
  bool observes_comments() const;  // a comment entry is expected: comments are graded
  server::Script script() const;
};

std::vector<ClientCase> load_client_file(const std::filesystem::path& file, const std::string& group);
// Every fixtures/client/*.json under root, in file-name order (none if the folder is missing).
std::vector<ClientCase> load_client_cases(const std::filesystem::path& root);
// A parse case served as one 200 text/event-stream response that stays open, each chunk
// written on its own after a pause of kParseChunkPauseMs; retry observations are dropped (a
// client cannot see them).
constexpr int kParseChunkPauseMs = 10;
ClientCase client_case_from_parse(const ParseCase& parse);
// Client cases followed by every parse case.
std::vector<ClientCase> load_all_client_cases(const std::filesystem::path& root);

// Pieces of the client format that the browser format (browser_fixture.hpp) shares. Each reads
// one part of a case and fails with a FixtureError naming the file and the field.
class JsonNode;

// A response is read by the script loader (server::response_from_json), one meaning for every
// area. The browser area writes expected requests more narrowly: header values as plain strings.
enum class FixtureForm { client, browser };

std::vector<SpecRef> load_spec_refs(const JsonNode& node);
int ready_state_from(const JsonNode& node);  // "CONNECTING" | "OPEN" | "CLOSED" | 0..2
// headers and absentHeaders (client form: also pathEndsWith, minDelayMs, maxDelayMs). The caller
// has checked the keys (allow_only).
ExpectedRequest load_expected_request_fields(const JsonNode& node, FixtureForm form);
// id (kebab-case, unique in `ids`), description, spec.
void load_case_head(const JsonNode& node, const std::string& group, std::set<std::string>& ids, ClientCase& c);
void load_listen_and_actions(const JsonNode& node, ClientCase& c);
// expect.requests (a count, or {min, max}) over the defaults already in `c`, if given.
void load_request_counts(const JsonNode& expect, ClientCase& c);
// The capabilities the actions need plus "requires", sorted and unique; strict; note.
void load_case_tail(const JsonNode& node, ClientCase& c);

}  // namespace ssespec
