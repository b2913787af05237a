// The reference client as an adapter (conformance/ADAPTERS.md): what `ssespec connect` runs.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ssespec/event_source.hpp"

namespace ssespec {

struct ConnectConfig {
  std::string url;
  std::vector<std::string> listen;  // named types to report, besides message/open/error
  long long reconnection_time_ms = 3000;
  // false only in the broken-adapter tests: print {"closed"} but keep the EventSource running.
  bool honour_close = true;
  // Tests only: runs right after a {"closed"} line is printed (a broken adapter crashes here).
  std::function<void()> after_closed;
};

// Adds SSESPEC_LISTEN's types, honours SSESPEC_CLOSE_AFTER, runs the EventSource over
// `transport`, prints adapter-protocol lines on stdout and obeys stdin commands. Ends the
// process when the EventSource is CLOSED; returns only on bad input (exit status 2).
int run_connect_adapter(ConnectConfig config, Transport& transport);

}  // namespace ssespec
