// Runs cases in a real browser: the reference server (plus a second one on another port, for
// cross-origin cases) plays every case's script, the browser opens the runner page
// (reference/server/runner_page.hpp), runs each case with its own EventSource and posts what it
// saw; this grades each case with grade_case() (grader.hpp), as `ssespec client` does.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "report/result.hpp"
#include "runner/browser_fixture.hpp"

namespace ssespec {

struct BrowserRunOptions {
  std::string browser = "chromium";  // chromium (through browser-tests/lib/launch.mjs) or firefox
  Context context = Context::window;  // where each EventSource runs: the page, or a worker it starts
  std::string executable;            // default: /usr/bin/chromium, or firefox-esr from PATH
  std::filesystem::path browser_tests_dir;  // browser-tests/ (the Node launcher for Chromium)
  double timeout_s = 180;     // the whole browser run
  double case_timeout_s = 5;  // one case, in the page (as `ssespec client`)
  int settle_ms = 100;        // after the expected trace, as `ssespec client` waits
  int concurrency = 4;        // cases at once in the page (browsers allow 6 connections per host)
  bool strict = false;
  std::set<std::string> capabilities = {"close", "close-in-handler", "cors", "browser"};
};

// "Chromium 156.0.8078.79" -> "156.0.8078.79": runs `executable --version`; "" if unknown.
std::string browser_version(const std::string& executable);

// Runs `cases` in one browser session and grades them. Throws std::runtime_error if the
// browser cannot be started at all.
RunResult run_browser_cases(const std::vector<BrowserCase>& cases, const BrowserRunOptions& options,
                            const ReportOptions& report);

}  // namespace ssespec
