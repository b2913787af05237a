// `ssespec browser [--browser chromium|firefox]`: every applicable case in a real browser,
// through the runner page the reference server serves (conformance/runner/browser_runner.hpp),
// graded like `ssespec client` and compared with the browser's known deviations
// (browser-tests/expectations/<browser>.json).
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "runner/expectations.hpp"
#include "runner/browser_runner.hpp"
#include "runner/environment.hpp"

namespace ssespec::cli {
namespace {

struct BrowserOptions {
  BrowserRunOptions run;
  std::vector<std::string> filters;
  std::vector<std::string> excludes;
  std::string expectations_file;  // "" : browser-tests/expectations/<browser>.json
  std::string write_expectations_file;
  bool no_expectations = false;
  bool list = false;
  ReportOptions report;
};

bool on_path(const std::string& program) {
  if (program.find('/') != std::string::npos) return std::filesystem::exists(program);
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const auto colon = dirs.find(':', start);
    const std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!dir.empty() && std::filesystem::exists(std::filesystem::path(dir) / program)) return true;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return false;
}

int run(BrowserOptions& options) {
  options.run.browser_tests_dir = default_browser_tests_dir();
  std::vector<BrowserCase> cases = load_all_browser_cases(default_fixtures_root());
  cases.erase(std::remove_if(cases.begin(), cases.end(),
                             [&](const BrowserCase& c) { return !is_selected(c.full_id(), options.filters, options.excludes); }),
              cases.end());
  if (options.list) {
    for (const BrowserCase& c : cases) {
      std::cout << c.full_id() << "  " << c.base.description;
      if (!c.base.spec.empty()) std::cout << "  " << c.base.spec.front().url;
      std::cout << "\n";
    }
    return kExitOk;
  }
  const bool chromium = options.run.browser == "chromium";
  const std::string executable =
      !options.run.executable.empty() ? options.run.executable : chromium ? "/usr/bin/chromium" : "firefox-esr";
  if (!on_path(executable)) {
    std::cerr << "ssespec browser: " << executable << " is not installed"
              << (chromium ? " (apt-get install chromium)" : " (apt-get install firefox-esr)") << "\n";
    return kExitUsage;
  }
  // Chromium's 6 connections per host cannot be raised, and a cross-origin case holds two;
  // the Firefox profile raises its limit (browser_runner.cpp), so it runs many cases at once.
  if (chromium && browser_jobs(options.run) > kChromiumJobs + 1) {
    std::cerr << "ssespec browser: --jobs " << options.run.concurrency << " is more than Chromium's 6 connections per host allow (at most "
              << kChromiumJobs + 1 << ")\n";
    return kExitUsage;
  }
  std::string expectations_file = options.expectations_file;
  if (expectations_file.empty() && !options.no_expectations) {
    // Each context has its own deviations: chromium.json (window), chromium.worker.json, ...
    const std::string context = options.run.context == Context::window ? "" : std::string(".") + context_name(options.run.context);
    const auto fallback = options.run.browser_tests_dir / "expectations" / (options.run.browser + context + ".json");
    if (std::filesystem::exists(fallback)) expectations_file = fallback.string();
  }
  std::map<std::string, Expectation> expectations;
  if (!expectations_file.empty()) expectations = load_expectations(expectations_file);

  RunResult result;
  try {
    start_progress(cases.size());
    result = run_browser_cases(cases, options.run, options.report);
  } catch (const std::runtime_error& e) {
    std::cerr << "ssespec browser: " << e.what() << "\n";
    return kExitUsage;
  }
  return finish_run_with_expectations(result, expectations, expectations_file, options.write_expectations_file,
                                      options.report);
}

}  // namespace

void add_browser_command(CLI::App& app) {
  auto options = std::make_shared<BrowserOptions>();
  auto* cmd = app.add_subcommand("browser", "Run every applicable case in a real browser (headless Chromium or Firefox)");
  cmd->add_option("--browser,-b", options->run.browser, "chromium (Playwright with /usr/bin/chromium) or firefox (firefox-esr)")
      ->check(CLI::IsMember({"chromium", "firefox"}));
  cmd->add_option_function<std::string>(
         "--context", [options](const std::string& name) { options->run.context = *context_from_name(name); },
         "Where each EventSource runs: window (the page, default), worker (a dedicated worker) or shared-worker")
      ->check(CLI::IsMember({"window", "worker", "shared-worker"}));
  cmd->add_option("--executable", options->run.executable, "The browser binary (default /usr/bin/chromium or firefox-esr)");
  cmd->add_option("--filter,-f", options->filters, "Only cases whose full id matches this glob (repeatable)");
  cmd->add_option("--exclude,-x", options->excludes, "Leave out cases whose full id matches this glob (repeatable; wins over --filter)");
  add_fixtures_option(*cmd);
  cmd->add_option("--timeout", options->run.timeout_s, "Seconds for the whole run; the browser is killed after it (default 180)")
      ->check(CLI::Range(5.0, 3600.0));
  cmd->add_option("--case-timeout", options->run.case_timeout_s, "Seconds for one case in the page (default 5, as ssespec client)")
      ->check(CLI::Range(0.5, 120.0));
  cmd->add_option("--jobs,-j", options->run.concurrency,
                  "Cases run at once in the page (default " + std::to_string(kChromiumJobs) + " for Chromium, whose limit is 6 connections per host; " +
                      std::to_string(kFirefoxJobs) + " for Firefox, whose limit ssespec raises)")
      ->check(CLI::Range(1, kFirefoxMaxJobs));
  cmd->add_option("--expectations", options->expectations_file,
                  "Known deviations (default browser-tests/expectations/<browser>[.<context>].json): exit 0 only if the failures are exactly these");
  cmd->add_flag("--no-expectations", options->no_expectations, "Judge every failure as a failure");
  cmd->add_option("--write-expectations", options->write_expectations_file,
                  "Record this run's failures as the expectations FILE (reasons kept from --expectations) and exit 0");
  cmd->add_flag("--strict", options->run.strict, "Also run strict (MAY/SHOULD-level) cases");
  cmd->add_flag("--list", options->list, "List the cases (id, description, spec link) and exit");
  add_report_options(*cmd, options->report);
  cmd->footer(
      "The reference server (and a second one on another port, for cross-origin cases) plays each case;\n"
      "the browser opens its /runner page, which runs each case with the browser's own EventSource and\n"
      "posts the observations back. Browser-only cases live in fixtures/browser/.\n"
      "Exit status: 0 all ran cases passed (or the failures are exactly the expectations); 1 otherwise;\n"
      "2 bad usage, bad fixtures, or the browser is missing or cannot start.\n" +
      env::help_lines("Environment:", env::kDataVariables));
  cmd->callback([options] { throw CommandExit{run(*options)}; });
}

}  // namespace ssespec::cli
