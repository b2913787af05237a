// `ssespec load URL --clients N --duration S`: N event streams against one endpoint, as wrk is
// for HTTP (conformance/load/load_run.hpp). Prints what the clients experienced; --json saves it.
// `--shard K/N` runs one slice of a run spread over many processes or machines, and
// `ssespec load merge A.json B.json ...` prints the summary of the whole from their --json files.
#include <CLI/CLI.hpp>

#include <sys/resource.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "commands.hpp"
#include "load/load_run.hpp"

namespace ssespec::cli {
namespace {

struct LoadCommandOptions {
  load::LoadOptions load;
  bool burst = false;
  std::string json_path;
  std::string shard;             // "K/N"
  std::string source_addresses;  // "127.0.0.2-127.0.0.9,..."
  std::string start_at;          // Unix seconds or ms, or 2026-12-02T21:00:00Z
};

// "K/N" with 0 <= K < N; throws std::invalid_argument.
void parse_shard(const std::string& text, load::LoadOptions& options) {
  std::istringstream in(text);
  int index = -1, count = 0;
  char slash = 0;
  if (!(in >> index >> slash >> count) || slash != '/' || !in.eof() || count < 1 || index < 0 || index >= count) {
    throw std::invalid_argument("--shard wants K/N with 0 <= K < N, got \"" + text + "\"");
  }
  options.shard_index = index;
  options.shard_count = count;
}

// Shard K takes its slice of the clients, its share of the connect rate (so the shards together
// ramp up as one process would) and, given at least N source addresses, every N-th of them.
void apply_shard(load::LoadOptions& options) {
  const int n = options.shard_count, k = options.shard_index;
  options.clients = load::shard_clients(options.clients, k, n);
  if (options.rate > 0) options.rate /= n;
  if (options.source_addresses.size() >= static_cast<std::size_t>(n)) {
    std::vector<in_addr> mine;
    for (std::size_t i = static_cast<std::size_t>(k); i < options.source_addresses.size(); i += static_cast<std::size_t>(n)) {
      mine.push_back(options.source_addresses[i]);
    }
    options.source_addresses = mine;
  }
}

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
  if (options.load.url.empty()) {
    std::cerr << "ssespec load: a URL is required (or `ssespec load merge FILE...`)\n";
    return kExitUsage;
  }
  if (options.burst) options.load.rate = 0;
  try {
    if (!options.source_addresses.empty()) options.load.source_addresses = load::parse_source_addresses(options.source_addresses);
    if (!options.shard.empty()) parse_shard(options.shard, options.load);
    if (!options.start_at.empty()) {
      options.load.start_at_unix_ms = load::timestamp_ms(options.start_at, options.start_at);
      if (options.load.start_at_unix_ms < 0) {
        throw std::invalid_argument("--start-at wants Unix seconds (10 digits), ms (13) or a UTC time like 2026-12-02T21:00:00Z, got \"" +
                                    options.start_at + "\"");
      }
    }
  } catch (const std::invalid_argument& e) {
    std::cerr << "ssespec load: " << e.what() << "\n";
    return kExitUsage;
  }
  apply_shard(options.load);
  if (options.load.clients == 0) {
    std::cerr << "ssespec load: shard " << options.shard << " has no clients (fewer clients than shards)\n";
    return kExitUsage;
  }
  raise_descriptor_limit(options.load.clients);
  const load::LoadResult result = load::run_load(options.load);
  if (!result.error.empty()) {
    std::cerr << "ssespec load: " << result.error << "\n";
    return kExitUsage;
  }
  std::cout << "ssespec load " << options.load.url << ": " << options.load.clients << " clients, "
            << (options.load.shard_count > 1 ? "shard " + options.shard + ", " : std::string())
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

int merge(const std::vector<std::string>& paths, const std::string& json_path) {
  load::LoadResult total;
  for (std::size_t i = 0; i < paths.size(); ++i) {
    std::ifstream in(paths[i]);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      std::cerr << "ssespec load merge: cannot read " << paths[i] << "\n";
      return kExitUsage;
    }
    const load::LoadResult shard = load::result_from_json(text.str());
    if (!shard.error.empty()) {
      std::cerr << "ssespec load merge: " << paths[i] << ": " << shard.error << "\n";
      return kExitUsage;
    }
    if (i == 0) {
      total = shard;
    } else if (shard.url != total.url) {
      std::cerr << "ssespec load merge: " << paths[i] << " measured " << shard.url << ", not " << total.url << "\n";
      return kExitUsage;
    } else {
      load::merge_into(total, shard);
    }
  }
  std::cout << "ssespec load " << total.url << ": " << total.clients << " clients in " << total.shards << " shards (merged)\n"
            << load::to_text(total);
  if (!json_path.empty()) {
    load::LoadOptions options;
    options.url = total.url;
    options.rate = 0;  // the shards' rates are theirs; the merged file keeps counts and histograms
    std::ofstream out(json_path);
    out << load::to_json(options, total);
    if (!out) {
      std::cerr << "ssespec load merge: cannot write " << json_path << "\n";
      return kExitUsage;
    }
  }
  return kExitOk;
}

}  // namespace

void add_load_command(CLI::App& app) {
  auto options = std::make_shared<LoadCommandOptions>();
  auto* cmd = app.add_subcommand("load", "Hold N event streams on one URL and measure what the clients experience");
  cmd->add_option("url", options->load.url, "http:// URL of the event stream");
  cmd->add_option("--clients,-c", options->load.clients, "Streams to open (default 100)")->check(CLI::Range(1, 1000000));
  cmd->add_option("--duration,-d", options->load.duration_s, "Seconds from the first connect; the run ends then (default 10)")
      ->check(CLI::Range(0.1, 86400.0));
  cmd->add_option("--rate", options->load.rate, "New connections per second while ramping up (default 2000)")
      ->check(CLI::Range(1.0, 1e7));
  cmd->add_flag("--burst", options->burst, "Open every connection at once");
  cmd->add_option("--connect-timeout", options->load.connect_timeout_s, "Seconds for connect plus response head (default 5)")
      ->check(CLI::Range(0.01, 600.0));
  cmd->add_option("--silent-timeout", options->load.silent_timeout_s,
                  "Drop (and count) a stream that delivers no byte for S seconds, then reconnect (default 0: never)")
      ->check(CLI::Range(0.0, 86400.0));
  cmd->add_flag("!--no-reconnect", options->load.reconnect, "Do not reopen streams that ended");
  cmd->add_option("--json", options->json_path, "Also write the result as JSON (format ssespec-load/2, histograms as bucket counts)");
  cmd->add_option("--shard", options->shard,
                  "K/N: run shard K (0-based) of N: its slice of --clients and --rate/N; merge the shards' --json with `load merge`");
  cmd->add_option("--source-addresses", options->source_addresses,
                  "IPv4 addresses to connect from, in turn, e.g. 127.0.0.2-127.0.0.9 (each has its own ephemeral ports); "
                  "with --shard and at least N of them, shard K takes every N-th from the K-th");
  cmd->add_option("--start-at", options->start_at,
                  "Wait until this wall-clock time, then start: Unix seconds or ms, or UTC like 2026-12-02T21:00:00Z (shards start together)");
  cmd->footer(
      "Delivery lag needs a timestamp in the event (its id or data: Unix seconds or ms, or an ISO 8601\n"
      "UTC time; the server's clock and this one must agree); delivery spread (each arrival minus the first arrival of the same event on any\n"
      "stream) needs none. A stream's first event counts for time-to-first-event only.\n"
      "Memory: about 2.5 MB plus, per stream, its parser (lines <= 16 KiB, events <= 64 KiB).");
  cmd->callback([options] { throw CommandExit{run(*options)}; });

  auto paths = std::make_shared<std::vector<std::string>>();
  auto merged_json = std::make_shared<std::string>();
  auto* merge_cmd = cmd->add_subcommand("merge", "Print the summary of a sharded run from its shards' --json files");
  merge_cmd->add_option("files", *paths, "ssespec load --json files, one per shard")->required()->check(CLI::ExistingFile);
  merge_cmd->add_option("--json", *merged_json, "Also write the merged result as JSON (itself mergeable)");
  merge_cmd->callback([paths, merged_json] { throw CommandExit{merge(*paths, *merged_json)}; });
}

}  // namespace ssespec::cli
