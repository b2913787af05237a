// The one result model every `ssespec` run produces (client, server, browser, lint, corpus),
// and the writers that turn it into console, JSON, JUnit and HTML reports.
#pragma once

#include <string>
#include <vector>

#include "json/json_error.hpp"
#include "report/spec_ref.hpp"

namespace CLI {
class App;
}

namespace ssespec {

// pass/fail/skip for cases; warn/info for server and lint checks that grade a SHOULD or a note.
enum class Verdict { pass, fail, warn, info, skip };

const char* to_string(Verdict verdict);
Verdict verdict_from_string(const std::string& text);  // throws std::invalid_argument

struct CaseResult {
  std::string id;           // full id, e.g. "parse/line-endings/crlf-split-across-chunks"
  std::string group;        // e.g. "parse/line-endings" (the fixture file, or a check family)
  std::string description;  // one line: what the case checks
  Verdict verdict = Verdict::pass;
  std::string message;      // one line: why it failed, warned or was skipped
  std::string expected;     // free text (JSON lines for observation lists)
  std::string observed;
  std::vector<SpecRef> spec;
  double duration_ms = 0;
  bool known = false;       // a failure the implementation's expectations list (still a failure)
};

struct RunResult {
  std::string kind;            // "client", "server", "browser", "lint", "corpus"
  std::string implementation;  // "ssespec reference client", "npm eventsource", "Chromium"
  std::string version;         // of the implementation, where known
  std::string target;          // the command, URL or file that was judged
  std::string started_at;      // ISO 8601 UTC
  double duration_ms = 0;
  std::vector<CaseResult> cases;

  std::size_t count(Verdict verdict) const;
};

// Where reports go; filled from the command line by add_report_options().
struct ReportOptions {
  std::string json_file;
  std::string junit_file;
  std::string html_file;
  bool quiet = false;    // console: summary and unexpected failures, no progress line
  bool verbose = false;  // console: every case as it finishes, and every known failure
};

// Adds --json FILE, --junit FILE, --html FILE and --quiet to a subcommand.
void add_report_options(CLI::App& command, ReportOptions& options);

// How many cases the run will report through print_progress(), for the progress line's
// "done/total" and time left; 0 when unknown. Also restarts the line's clock.
void start_progress(std::size_t total);

// Console progress for one finished case. --verbose: the case's line (and a failure's details).
// Otherwise, on a terminal, one updating line (cases done/total, failures, time left); on a pipe,
// nothing: finish_run() prints the failures that matter.
void print_progress(const CaseResult& result, const ReportOptions& options);

// Prints the failures that are not known, the warnings and the infos (unless --verbose printed them already),
// then the summary, the count of known failures, and writes every requested file. Returns the exit status: 0 if no case
// failed, 1 otherwise (warn, info and skip do not fail a run).
int finish_run(const RunResult& run, const ReportOptions& options);

// Readers and writers of the JSON form (conformance/REPORTS.md documents it).
std::string to_json(const RunResult& run);
RunResult run_from_json(const std::string& text, const std::string& source_name);  // throws FixtureError

std::string now_iso8601();

}  // namespace ssespec
