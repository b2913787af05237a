// `ssespec connect URL [TYPE...]`: the reference EventSource on a live URL, printing what it
// observes as adapter-protocol JSON lines (conformance/ADAPTERS.md). A curl for event streams,
// and the adapter of the reference client.
#include <CLI/CLI.hpp>

#include "client/http_transport.hpp"
#include "commands.hpp"
#include "runner/connect_adapter.hpp"
#include "runner/environment.hpp"

namespace ssespec::cli {
namespace {

struct ConnectOptions {
  std::string url;
  std::vector<std::string> listen;
  long long reconnection_time_ms = 3000;
};

int run(const ConnectOptions& options) {
  client::HttpTransport transport;
  ConnectConfig config;
  config.url = options.url;
  config.listen = options.listen;
  config.reconnection_time_ms = options.reconnection_time_ms;
  return run_connect_adapter(config, transport);
}

}  // namespace

void add_connect_command(CLI::App& app) {
  auto options = std::make_shared<ConnectOptions>();
  auto* cmd = app.add_subcommand("connect", "Open an EventSource (the reference client) and print what it observes");
  cmd->add_option("url", options->url, "http:// URL of the event stream")->required();
  cmd->add_option("types", options->listen, "Named event types to listen for (message, open and error always are)");
  cmd->add_option("--reconnection-time", options->reconnection_time_ms, "Initial reconnection time in ms (default 3000)")
      ->check(CLI::Range(0LL, 3600000LL));
  cmd->footer(
      "Output, one JSON object per line (conformance/ADAPTERS.md):\n"
      "  {\"open\":{}}  {\"message\":{\"type\":..,\"data\":..,\"lastEventId\":..}}  {\"error\":{\"readyState\":0|2}}\n"
      "  {\"closed\":{\"readyState\":2}}\n"
      "Standard input: a line \"close\" calls close(); end of input closes and exits.\n" +
      env::help_lines("Environment (as `ssespec client` sets it for each case):", env::kAdapterSettings) +
      "\nExit status: 0 once the EventSource is CLOSED; 2 bad arguments or a bad variable.");
  cmd->callback([options] { throw CommandExit{run(*options)}; });
}

}  // namespace ssespec::cli
