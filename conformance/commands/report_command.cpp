// `ssespec report RESULTS.json... --html FILE`: merges saved runs into one matrix.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "report/result.hpp"
#include "report/writers.hpp"

namespace ssespec::cli {
namespace {

struct ReportCommandOptions {
  std::vector<std::string> inputs;
  std::string html_file;
};

int run(const ReportCommandOptions& options) {
  std::vector<RunResult> runs;
  for (const std::string& input : options.inputs) {
    std::ifstream in(input, std::ios::binary);
    if (!in) {
      std::cerr << "ssespec report: cannot read " << input << "\n";
      return kExitUsage;
    }
    std::ostringstream text;
    text << in.rdbuf();
    runs.push_back(run_from_json(text.str(), input));
  }
  bool any_failed = false;
  for (const RunResult& run : runs) {
    const std::size_t failed = run.count(Verdict::fail);
    any_failed = any_failed || failed != 0;
    std::cout << run.implementation << (run.version.empty() ? "" : " " + run.version) << " [" << run.kind << "]: "
              << run.cases.size() << " cases, " << run.count(Verdict::pass) << " pass, " << failed << " fail, "
              << run.count(Verdict::warn) << " warn, " << run.count(Verdict::skip) << " skip\n";
  }
  if (!options.html_file.empty()) {
    std::ofstream out(options.html_file, std::ios::binary);
    out << to_html(runs);
    if (!out) {
      std::cerr << "ssespec report: cannot write " << options.html_file << "\n";
      return kExitUsage;
    }
    std::cout << "report: " << options.html_file << "\n";
  }
  return any_failed ? kExitFailures : kExitOk;
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("report", "Merge saved JSON results (--json of any run) into one report");
  auto options = std::make_shared<ReportCommandOptions>();
  cmd->add_option("results", options->inputs, "Result files written with --json")->required()->check(CLI::ExistingFile);
  cmd->add_option("--html", options->html_file, "Write the matrix of all runs as one self-contained HTML page");
  cmd->footer("Exit status: 0 no run has a failed case; 1 some run has one; 2 unreadable or malformed input.");
  cmd->callback([options] { throw CommandExit{run(*options)}; });
}

}  // namespace ssespec::cli
