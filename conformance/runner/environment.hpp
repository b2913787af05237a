// Every SSESPEC_* environment variable ssespec sets or reads, in one place: the code names them
// from here and the --help texts print these tables, so a variable cannot be read without being
// documented (tests/help_env_test.sh fails if a "SSESPEC_..." name in the sources is missing
// from every --help text).
#pragma once

#include <string>

namespace ssespec::env {

struct Variable {
  const char* name;
  const char* meaning;  // one line of --help
};

// What the runner sets for each adapter process (conformance/ADAPTERS.md): SSESPEC_URL, and the
// case's settings, which `ssespec connect` reads (it takes the URL as its argument).
inline constexpr char kUrl[] = "SSESPEC_URL";
inline constexpr char kListen[] = "SSESPEC_LISTEN";
inline constexpr char kCloseAfter[] = "SSESPEC_CLOSE_AFTER";
inline constexpr char kHeaders[] = "SSESPEC_HEADERS";
inline constexpr char kLastEventId[] = "SSESPEC_LAST_EVENT_ID";
inline constexpr char kMethod[] = "SSESPEC_METHOD";
inline constexpr char kBody[] = "SSESPEC_BODY";
inline constexpr char kReadTimeoutMs[] = "SSESPEC_READ_TIMEOUT_MS";

// Set to 1 for an adapter started by `ssespec client --persistent`: cases come on stdin.
inline constexpr char kPersistent[] = "SSESPEC_PERSISTENT";
inline constexpr Variable kPersistentMode[] = {{kPersistent, "1: --persistent, cases come as JSON lines on stdin (ADAPTERS.md)"}};

inline constexpr Variable kAdapterUrl[] = {{kUrl, "the stream URL (also the last argument)"}};
inline constexpr Variable kAdapterSettings[] = {
    {kListen, "the named event types to listen for, a JSON array such as [\"a\",\"b\"] (message, open, error always are)"},
    {kCloseAfter, "kind:N, e.g. message:2: call close() inside the handler of the 2nd message"},
    {kHeaders, "request headers to add, a JSON object (capability headers)"},
    {kLastEventId, "the initial Last-Event-ID to send (capability last-event-id)"},
    {kMethod, "the request method, e.g. POST (capability post)"},
    {kBody, "the request body (capability post)"},
    {kReadTimeoutMs, "a connection silent this many ms is a network error (capability read-timeout)"},
};

// Where the data is (conformance/runner/data_dir.hpp).
inline constexpr char kFixtures[] = "SSESPEC_FIXTURES";
inline constexpr char kBrowserTests[] = "SSESPEC_BROWSER_TESTS";

inline constexpr Variable kDataVariables[] = {
    {kFixtures, "the fixture folder, unless --fixtures gives one (else the installed corpus, else the source tree's)"},
    {kBrowserTests, "the browser-tests folder (the Chromium launcher; else the installed one, else the source tree's)"},
};

// The variables of `table` as --help lines after `title` ("" for none), each "\n  NAME  meaning",
// the meanings in one column.
template <std::size_t N>
std::string help_lines(const char* title, const Variable (&table)[N]) {
  constexpr std::size_t kColumn = 25;  // past the longest name
  std::string text = title;
  for (const Variable& v : table) {
    const std::string name = v.name;
    text += "\n  " + name + std::string(name.size() < kColumn ? kColumn - name.size() : 1, ' ') + v.meaning;
  }
  return text;
}

}  // namespace ssespec::env
