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

// Cases at once in the page. Chromium allows 6 connections per host (not configurable); the
// Firefox profile raises its per-server limit to 64 (measured: 428 cases in 30 s at 16, 72 s at 4,
// same verdicts).
constexpr int kChromiumJobs = 4;
constexpr int kFirefoxJobs = 16;
constexpr int kFirefoxMaxJobs = 24;

struct BrowserRunOptions {
  std::string browser = "chromium";  // chromium (through browser-tests/lib/launch.mjs) or firefox
  Context context = Context::window;  // where each EventSource runs: the page, or a worker it starts
  std::string executable;            // default: /usr/bin/chromium, or firefox-esr from PATH
  std::filesystem::path browser_tests_dir;  // browser-tests/ (the Node launcher for Chromium)
  double timeout_s = 180;     // the whole browser run
  double case_timeout_s = 5;  // one case, in the page (as `ssespec client`)
  int settle_ms = 100;        // after the expected trace, as `ssespec client` waits
  int concurrency = 0;        // cases at once in the page; 0: the browser's default (below)
  bool strict = false;
  std::set<std::string> capabilities = {"close", "close-in-handler", "cors", "browser"};
};

// The cases at once a run uses: options.concurrency, or the browser's default.
int browser_jobs(const BrowserRunOptions& options);

// "Chromium 156.0.8078.79" -> "156.0.8078.79": runs `executable --version`; "" if unknown.
std::string browser_version(const std::string& executable);

// Runs `cases` in one browser session and grades them. Throws std::runtime_error if the
// browser cannot be started at all.
RunResult run_browser_cases(const std::vector<BrowserCase>& cases, const BrowserRunOptions& options,
                            const ReportOptions& report);

}  // namespace ssespec
