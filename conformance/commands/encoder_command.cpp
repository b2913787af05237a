// `ssespec encoder [options] -- CMD ARGS...`: grades a server library's SSE serializer, through
// its adapter (conformance/ADAPTERS.md, "Encoder adapters"), on every fixtures/encoder case.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <map>

#include "commands.hpp"
#include "encoder/encoder_run.hpp"
#include "report/result.hpp"
#include "runner/expectations.hpp"
#include "runner/fixture.hpp"

namespace ssespec::cli {
namespace {

struct EncoderOptions {
  EncoderRunOptions run;
  std::string data = "text";
  std::vector<std::string> filters;
  std::vector<std::string> excludes;
  std::string expectations_file;
  std::string write_expectations_file;
  bool list = false;
  ReportOptions report;
};

int run(EncoderOptions& options) {
  std::vector<EncoderCase> cases = load_encoder_cases(default_fixtures_root());
  cases.erase(std::remove_if(cases.begin(), cases.end(),
                             [&](const EncoderCase& c) { return !is_selected(c.full_id(), options.filters, options.excludes); }),
              cases.end());
  if (options.list) {
    for (const EncoderCase& c : cases) {
      std::cout << c.full_id() << "  " << c.description << (c.spec.empty() ? "" : "  " + c.spec.front().url) << "\n";
    }
    return kExitOk;
  }
  if (options.run.command.empty()) {
    std::cerr << "ssespec encoder: give the adapter command after --, e.g. ssespec encoder -- node adapter.mjs\n";
    return kExitUsage;
  }
  if (cases.empty()) {
    std::cerr << "ssespec encoder: no case matches the filter\n";
    return kExitUsage;
  }
  options.run.mode = options.data == "json" ? DataMode::json : DataMode::text;
  std::map<std::string, Expectation> expectations;
  if (!options.expectations_file.empty()) expectations = load_expectations(options.expectations_file);
  start_progress(cases.size());
  RunResult result = run_encoder_cases(cases, options.run, options.report);
  return finish_run_with_expectations(result, expectations, options.expectations_file, options.write_expectations_file,
                                      options.report);
}

}  // namespace

void add_encoder_command(CLI::App& app) {
  auto options = std::make_shared<EncoderOptions>();
  auto* cmd = app.add_subcommand("encoder", "Grade a server library's event serializer, through its adapter, on hostile values");
  cmd->add_option("--data", options->data, "text: data is sent as is (default); json: the library JSON-encodes data")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--filter,-f", options->filters, "Only cases whose id matches this glob or prefix (repeatable)");
  cmd->add_option("--exclude,-x", options->excludes, "Leave out cases whose id matches this glob or prefix (repeatable; wins over --filter)");
  cmd->add_flag("--list", options->list, "List the selected cases and exit");
  add_fixtures_option(*cmd);
  cmd->add_option("--timeout", options->run.timeout_s, "Time for each answer, in seconds (default 5)")->check(CLI::Range(0.1, 600.0));
  cmd->add_option("--startup-timeout", options->run.startup_s, "Extra time for the first answer, in seconds (default 15)")
      ->check(CLI::Range(0.0, 600.0));
  cmd->add_option("--name", options->run.implementation, "Name of the library, for reports");
  cmd->add_option("--expectations", options->expectations_file,
                  "Known failures (conformance/expectations/encoders/*.json): exit 0 only if the failures are exactly these");
  cmd->add_option("--write-expectations", options->write_expectations_file,
                  "Record this run's failures as the expectations FILE (reasons kept from --expectations) and exit 0");
  add_report_options(*cmd, options->report);
  cmd->add_option("command", options->run.command, "The adapter command, after --")->expected(-1);
  cmd->footer(
      "The adapter is started once, with no arguments added. It reads one JSON message per line on stdin\n"
      "({\"event\", \"data\", \"id\", \"retry\", \"comment\"}, each optional) and answers each with one line:\n"
      "{\"bytes_b64\": \"...\"} (what the library wrote), {\"error\": \"...\"} (it refused) or\n"
      "{\"unsupported\": [\"comment\", ...]}. Logs go to stderr. See conformance/ADAPTERS.md and ENCODER.md.\n"
      "Each message's bytes are read back by the reference parser between a prime (id: ssespec-prev) and a\n"
      "sentinel event, and checked with the lint rules. FAIL: injection, lost or changed values, no event\n"
      "boundary; PASS: refused or made one line (lossy); WARN: id with NUL raw, id \"\"/retry 0 omitted,\n"
      "non-digit retry line, an event for a message without data; INFO: ids the library adds.\n"
      "An answer missing after --timeout, an exit, a line outside the protocol or over 16 MiB fails the case.\n"
      "Exit status: 0 no case failed (or failures equal --expectations); 1 otherwise; 2 bad usage.");
  cmd->callback([options] { throw CommandExit{run(*options)}; });
}

}  // namespace ssespec::cli
