// `ssespec corpus`: every parse fixture through the reference parser, at every chunking.
#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>

#include "commands.hpp"
#include "report/result.hpp"
#include "runner/fixture.hpp"
#include "runner/observation_json.hpp"
#include "runner/parse_runner.hpp"

namespace ssespec::cli {
namespace {

struct CorpusOptions {
  std::vector<std::string> filters;
  std::vector<std::string> excludes;
  bool list = false;
  ReportOptions report;
};

std::string json_lines(const std::vector<Observation>& observations) {
  std::string out;
  for (const Observation& o : observations) out += to_json(o) + "\n";
  return out;
}

int run(const CorpusOptions& options) {
  const auto root = default_fixtures_root();
  const std::vector<ParseCase> cases = load_parse_cases(root);
  using Clock = std::chrono::steady_clock;
  const auto ms_since = [](Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
  };
  RunResult run;
  run.kind = "corpus";
  run.implementation = "ssespec reference parser";
  run.version = SSESPEC_VERSION;
  run.target = root.string() + "/parse";
  run.started_at = now_iso8601();
  const auto start = Clock::now();
  for (const ParseCase& c : cases) {
    if (!is_selected(c.full_id(), options.filters, options.excludes)) continue;
    if (options.list) {
      std::cout << c.full_id() << "  " << c.spec.front().url << "\n";
      continue;
    }
    const auto case_start = Clock::now();
    const ParseVerdict verdict = run_parse_case(c);
    CaseResult result;
    result.id = c.full_id();
    result.group = c.group;
    result.description = c.description;
    result.spec = c.spec;
    result.expected = json_lines(c.expect);
    if (verdict.pass) {
      result.verdict = Verdict::pass;
      result.message = std::to_string(chunkings_for(c).size()) + " chunkings";
      result.expected.clear();
    } else {
      result.verdict = Verdict::fail;
      result.message = "chunking " + verdict.failed_chunking + " differs";
      result.observed = verdict.diff;
    }
    result.duration_ms = ms_since(case_start);
    print_progress(result, options.report);
    run.cases.push_back(std::move(result));
  }
  if (options.list) return kExitOk;
  run.duration_ms = ms_since(start);
  if (run.cases.empty()) {
    std::cerr << "ssespec corpus: no case matches the filter\n";
    return kExitUsage;
  }
  return finish_run(run, options.report);
}

}  // namespace

void add_corpus_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("corpus", "Run the parse fixtures through the reference parser at every chunking");
  auto options = std::make_shared<CorpusOptions>();
  cmd->add_option("--filter", options->filters, "Only cases whose id matches GLOB (e.g. 'parse/field-id/*')");
  cmd->add_option("--exclude,-x", options->excludes, "Leave out cases whose id matches GLOB (repeatable; wins over --filter)");
  cmd->add_flag("--list", options->list, "List the selected cases and their spec links; run nothing");
  add_fixtures_option(*cmd);
  add_report_options(*cmd, options->report);
  cmd->footer("Exit status: 0 all passed; 1 some case failed; 2 bad arguments, bad fixture or no case selected.");
  cmd->callback([options] { throw CommandExit{run(*options)}; });
}

}  // namespace ssespec::cli
