// Runs client scenario cases against any EventSource client through its adapter
// (conformance/ADAPTERS.md): one adapter process per case, the reference server playing the
// case's script, and a verdict from the adapter's trace and the server's request log.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "report/result.hpp"
#include "runner/adapter_launcher.hpp"
#include "runner/client_fixture.hpp"

namespace ssespec {

namespace server {
class ReferenceServer;
}

struct ClientRunOptions {
  std::vector<std::string> command;  // the adapter: CMD ARGS... (the URL is appended)
  bool persistent = false;           // one process for every case (persistent_adapter.hpp)
  std::string service_url;           // or a long-lived test service (service_adapter.hpp)
  std::string implementation;        // for the report; defaults to the command
  std::set<std::string> capabilities = default_client_capabilities();
  std::set<std::string> cannot_report;  // what the adapter's API cannot report (unreportable.hpp)
  bool strict = false;               // also run "strict" (MAY/SHOULD-level) cases
  double timeout_s = 5;              // per case: without progress after the first request (case_progress.hpp)
  double startup_s = 15;             // from the start of the adapter to its first request
  int settle_ms = 100;               // after the expected trace: how long extra output is awaited
  int jobs = 4;                      // cases run at once
  bool chunked = false;              // close-delimited responses sent chunked instead (--chunked)

  static std::set<std::string> default_client_capabilities() { return {"close", "close-in-handler"}; }
};

// The case's script for --chunked: each 200 response that it delimits by closing the connection
// (no Content-Length, no Transfer-Encoding, not raw) is sent chunked instead, one HTTP chunk per
// script chunk, so the case's chunk boundaries stay the wire's.
server::Script chunked_script(const ClientCase& c);

// Every capability a case may require, with what it means (for --help and skip messages).
const std::vector<std::pair<std::string, std::string>>& known_client_capabilities();

// Runs one case; `server` must be started. Without a launcher: options.command, one process.
CaseResult run_client_case(const ClientCase& c, server::ReferenceServer& server, const ClientRunOptions& options);
CaseResult run_client_case(const ClientCase& c, server::ReferenceServer& server, const ClientRunOptions& options,
                           AdapterLauncher& launcher);

// Runs the cases (in parallel, options.jobs at a time), printing progress as each finishes.
RunResult run_client_cases(const std::vector<ClientCase>& cases, const ClientRunOptions& options,
                           const ReportOptions& report);

}  // namespace ssespec
