// `ssespec corpus`: every parse fixture through the reference parser, at every chunking.
#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>

#include "commands.hpp"
#include "runner/fixture.hpp"
#include "runner/parse_runner.hpp"

namespace ssespec::cli {
namespace {

struct CorpusOptions {
  std::vector<std::string> filters;
  bool list = false;
  std::string fixtures;
};

bool selected(const ParseCase& c, const std::vector<std::string>& filters) {
  if (filters.empty()) return true;
  for (const std::string& f : filters) {
    if (matches_filter(c.full_id(), f)) return true;
  }
  return false;
}

int run(const CorpusOptions& options) {
  const auto root = options.fixtures.empty() ? default_fixtures_root() : std::filesystem::path(options.fixtures);
  const std::vector<ParseCase> cases = load_parse_cases(root);
  const auto start = std::chrono::steady_clock::now();
  std::size_t passed = 0, failed = 0, chunkings = 0;
  for (const ParseCase& c : cases) {
    if (!selected(c, options.filters)) continue;
    if (options.list) {
      std::cout << c.full_id() << "  " << c.spec.front().url << "\n";
      continue;
    }
    chunkings += chunkings_for(c).size();
    const ParseVerdict verdict = run_parse_case(c);
    if (verdict.pass) {
      ++passed;
      continue;
    }
    ++failed;
    std::cout << "FAIL " << c.full_id() << " (" << verdict.failed_chunking << "): " << c.description << "\n"
              << "  spec: " << c.spec.front().url << "\n"
              << verdict.diff;
  }
  if (options.list) return kExitOk;
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::cout << "parse corpus (reference parser): " << passed + failed << " cases, " << passed << " passed, " << failed
            << " failed; " << chunkings << " chunkings replayed in " << static_cast<long>(ms) << " ms\n";
  if (passed + failed == 0) {
    std::cerr << "ssespec corpus: no case matches the filter\n";
    return kExitUsage;
  }
  return failed == 0 ? kExitOk : kExitFailures;
}

}  // namespace

void add_corpus_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("corpus", "Run the parse fixtures through the reference parser at every chunking");
  auto options = std::make_shared<CorpusOptions>();
  cmd->add_option("--filter", options->filters, "Only cases whose id matches GLOB (e.g. 'parse/field-id/*')");
  cmd->add_flag("--list", options->list, "List the selected cases and their spec links; run nothing");
  cmd->add_option("--fixtures", options->fixtures, "Fixture folder (default: the one built in, or $SSESPEC_FIXTURES)");
  cmd->footer("Exit status: 0 all passed; 1 some case failed; 2 bad arguments, bad fixture or no case selected.");
  cmd->callback([options] { throw CommandExit{run(*options)}; });
}

}  // namespace ssespec::cli
