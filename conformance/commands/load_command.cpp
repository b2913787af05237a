// `ssespec load URL --clients N --duration S`: N event streams against one endpoint, as wrk is
// for HTTP (conformance/load/load_run.hpp). Prints what the clients experienced; --json saves it.
#include <CLI/CLI.hpp>

#include <sys/resource.h>

#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "load/load_run.hpp"

namespace ssespec::cli {
namespace {

struct LoadCommandOptions {
  load::LoadOptions load;
  bool burst = false;
  std::string json_path;
};

// One descriptor per stream: ask for the hard limit rather than fail at 1024.
void raise_descriptor_limit(int clients) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t wanted = std::min<rlim_t>(limit.rlim_max, static_cast<rlim_t>(clients) + 64);
  if (limit.rlim_cur < wanted) {
    limit.rlim_cur = wanted;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
  ::getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < static_cast<rlim_t>(clients) + 16) {
    std::cerr << "ssespec load: warning: ulimit -n is " << limit.rlim_cur << ", fewer than " << clients
              << " streams can open (raise the hard limit)\n";
  }
}

int run(LoadCommandOptions options) {
  if (options.burst) options.load.rate = 0;
  raise_descriptor_limit(options.load.clients);
  const load::LoadResult result = load::run_load(options.load);
  if (!result.error.empty()) {
    std::cerr << "ssespec load: " << result.error << "\n";
    return kExitUsage;
  }
  std::cout << "ssespec load " << options.load.url << ": " << options.load.clients << " clients, "
            << (options.load.rate > 0 ? std::to_string(static_cast<long long>(options.load.rate)) + " connects/s" : std::string("burst"))
            << "\n"
            << load::to_text(result);
  if (!options.json_path.empty()) {
    std::ofstream out(options.json_path);
    out << load::to_json(options.load, result);
    if (!out) {
      std::cerr << "ssespec load: cannot write " << options.json_path << "\n";
      return kExitUsage;
    }
  }
  return kExitOk;
}

}  // namespace

void add_load_command(CLI::App& app) {
  auto options = std::make_shared<LoadCommandOptions>();
  auto* cmd = app.add_subcommand("load", "Hold N event streams on one URL and measure what the clients experience");
  cmd->add_option("url", options->load.url, "http:// URL of the event stream")->required();
  cmd->add_option("--clients,-c", options->load.clients, "Streams to open (default 100)")->check(CLI::Range(1, 1000000));
  cmd->add_option("--duration,-d", options->load.duration_s, "Seconds from the first connect; the run ends then (default 10)")
      ->check(CLI::Range(0.1, 86400.0));
  cmd->add_option("--rate", options->load.rate, "New connections per second while ramping up (default 2000)")
      ->check(CLI::Range(1.0, 1e7));
  cmd->add_flag("--burst", options->burst, "Open every connection at once");
  cmd->add_option("--connect-timeout", options->load.connect_timeout_s, "Seconds for connect plus response head (default 5)")
      ->check(CLI::Range(0.01, 600.0));
  cmd->add_flag("!--no-reconnect", options->load.reconnect, "Do not reopen streams that ended");
  cmd->add_option("--json", options->json_path, "Also write the result as JSON (format ssespec-load/1)");
  cmd->footer(
      "Delivery lag needs a timestamp in the event (its id or data: Unix seconds or ms, or an ISO 8601\n"
      "UTC time; the server's clock and this one must agree); delivery spread (each arrival minus the first arrival of the same event on any\n"
      "stream) needs none. A stream's first event counts for time-to-first-event only.\n"
      "Memory: about 2.5 MB plus, per stream, its parser (lines <= 16 KiB, events <= 64 KiB).");
  cmd->callback([options] { throw CommandExit{run(*options)}; });
}

}  // namespace ssespec::cli
