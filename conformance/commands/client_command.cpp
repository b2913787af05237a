// `ssespec client [options] -- CMD ARGS...`: grades any EventSource client, through its adapter,
// on every client scenario and every parse case (conformance/ADAPTERS.md); browser-only cases
// (fixtures/browser) are listed as skipped.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <map>
#include <set>

#include "commands.hpp"
#include "runner/expectations.hpp"
#include "report/result.hpp"
#include "runner/browser_fixture.hpp"
#include "runner/client_runner.hpp"
#include "json/json_node.hpp"
#include "runner/environment.hpp"
#include "runner/unreportable.hpp"

namespace ssespec::cli {
namespace {

struct ClientOptions {
  ClientRunOptions run;
  std::vector<std::string> filters;
  std::vector<std::string> excludes;
  std::vector<std::string> capabilities;
  std::vector<std::string> cannot_report;
  std::string expectations_file;
  std::string write_expectations_file;
  bool list = false;
  ReportOptions report;
};

// The names in comma-separated lists (repeatable options): "a,b" "c" -> {a, b, c}; "none" is none.
std::set<std::string> names_in(const std::vector<std::string>& lists) {
  std::set<std::string> names;
  for (const std::string& list : lists) {
    std::size_t start = 0;
    while (start <= list.size()) {
      const auto comma = list.find(',', start);
      const std::string name = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!name.empty() && name != "none") names.insert(name);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return names;
}

int run(ClientOptions& options) {
  if (options.run.command.empty() == options.run.service_url.empty() && !options.list) {
    std::cerr << "ssespec client: give either the adapter command after --, e.g. ssespec client -- ssespec connect,\n"
                 "or --service URL of a running test service\n";
    return kExitUsage;
  }
  if (!options.capabilities.empty()) options.run.capabilities = names_in(options.capabilities);
  if (options.run.capabilities.count("restart") && options.run.service_url.empty()) {
    std::cerr << "ssespec client: --capabilities restart: restart is LaunchDarkly's command to a test service "
                 "(--service, declared in GET /); the adapter protocol has no such command\n";
    return kExitUsage;
  }
  options.run.cannot_report = names_in(options.cannot_report);
  for (const std::string& name : options.run.cannot_report) {
    if (!unreportable_names().count(name)) {
      std::cerr << "ssespec client: --cannot-report " << name << ": expected open, ready-state or last-event-id\n";
      return kExitUsage;
    }
  }
  if (!options.run.cannot_report.empty() && !options.run.service_url.empty()) {
    std::cerr << "ssespec client: --cannot-report is for an adapter command; a test service declares it (GET /)\n";
    return kExitUsage;
  }
  std::vector<ClientCase> cases = load_all_client_cases(default_fixtures_root());
  // Browser-only cases are listed too, and skipped: only `ssespec browser` runs them.
  for (BrowserCase& b : load_browser_only_cases(default_fixtures_root())) {
    auto& caps = b.base.requires_caps;
    if (std::find(caps.begin(), caps.end(), "browser") == caps.end()) caps.push_back("browser");
    cases.push_back(std::move(b.base));
  }
  cases.erase(std::remove_if(cases.begin(), cases.end(),
                             [&](const ClientCase& c) { return !is_selected(c.full_id(), options.filters, options.excludes); }),
              cases.end());
  if (options.list) {
    for (const ClientCase& c : cases) std::cout << c.full_id() << "  " << c.description << "\n";
    return kExitOk;
  }
  std::map<std::string, Expectation> expectations;
  if (!options.expectations_file.empty()) expectations = load_expectations(options.expectations_file);
  RunResult result;
  try {
    start_progress(cases.size());
    result = run_client_cases(cases, options.run, options.report);
  } catch (const std::runtime_error& e) {  // a test service that does not answer
    std::cerr << "ssespec client: " << e.what() << "\n";
    return kExitUsage;
  }
  return finish_run_with_expectations(result, expectations, options.expectations_file, options.write_expectations_file,
                                      options.report);
}

}  // namespace

void add_client_command(CLI::App& app) {
  auto options = std::make_shared<ClientOptions>();
  auto* cmd = app.add_subcommand("client", "Grade an EventSource client, through its adapter, on every scenario");
  cmd->add_option("--filter,-f", options->filters, "Only cases whose id matches this glob or prefix (repeatable)");
  cmd->add_option("--exclude,-x", options->excludes, "Leave out cases whose id matches this glob or prefix (repeatable; wins over --filter)");
  cmd->add_flag("--list", options->list, "List the selected cases and exit");
  add_fixtures_option(*cmd);
  cmd->add_option("--timeout", options->run.timeout_s, "A case times out after this many seconds without progress (a request, a byte the client\n"
                   "took, an observation), counted from its first request, and at the latest 10 times this\n"
                   "long after it (default 5)")
      ->check(CLI::Range(0.5, 600.0));
  cmd->add_option("--startup-timeout", options->run.startup_s,
                  "Time for the adapter to start and make its first request, in seconds (default 15)")
      ->check(CLI::Range(0.5, 600.0));
  std::string caps_help =
      "What the adapter can do, comma-separated (default: close,close-in-handler; 'none'; with --service, the\n"
      "service declares them in GET /):";
  for (const auto& [name, meaning] : known_client_capabilities()) caps_help += "\n  " + name + ": " + meaning;
  cmd->add_option("--capabilities", options->capabilities, caps_help);
  cmd->add_option("--cannot-report", options->cannot_report,
                  "What the adapter's API cannot report, comma-separated: open (no open event), ready-state\n"
                  "(no readyState in the error handler), last-event-id (no lastEventId on messages). Cases\n"
                  "that need it are skipped with that reason; without open, the trace's open lines are not\n"
                  "expected (ADAPTERS.md, \"What an API cannot report\")");
  cmd->add_flag("--strict", options->run.strict, "Also run MAY/SHOULD-level cases");
  cmd->add_option("--jobs,-j", options->run.jobs, "Cases run at once (default 4)")->check(CLI::Range(1, 32));
  cmd->add_flag("--chunked", options->run.chunked,
                "Send each 200 response that a case ends by closing the connection with Transfer-Encoding:\n"
                "chunked instead, one HTTP chunk per script chunk (for a client that only streams chunked bodies)");
  cmd->add_flag("--persistent", options->run.persistent,
                "One adapter process for every case: cases come as JSON lines on its stdin, its lines name\n"
                "their case (ADAPTERS.md, \"One process for many cases\"); a crash stops the run (exit 2)");
  cmd->add_option("--service", options->run.service_url,
                  "Drive a running test service (LaunchDarkly's SSE test-service protocol, with ssespec's\n"
                  "extensions) at this URL instead of an adapter process per case");
  cmd->add_option("--name", options->run.implementation, "Name of the implementation, for reports");
  cmd->add_option("--expectations", options->expectations_file,
                  "Known failures (conformance/expectations/*.json): exit 0 only if the failures are exactly these");
  cmd->add_option("--write-expectations", options->write_expectations_file,
                  "Record this run's failures as the expectations FILE (reasons kept from --expectations) and exit 0");
  add_report_options(*cmd, options->report);
  cmd->add_option("command", options->run.command, "The adapter command, after --")->expected(-1);
  cmd->footer(
      "The adapter is started as CMD ARGS... URL (the stream URL is its last argument), prints JSON lines,\n"
      "and reads \"close\" commands on stdin: see conformance/ADAPTERS.md. The case's event types to\n"
      "listen for and its settings are in the adapter's environment:" +
      env::help_lines("", env::kAdapterUrl) +
      env::help_lines("", env::kAdapterSettings) +
      env::help_lines("", env::kPersistentMode) +
      "\nExit status: 0 all ran cases passed (or failures equal --expectations); 1 otherwise; 2 bad usage, or the\n"
      "adapter (--persistent) or service died.");
  cmd->callback([options] { throw CommandExit{run(*options)}; });
}

}  // namespace ssespec::cli
