// Known deviations of one implementation, as data (like web-platform-tests metadata):
// conformance/expectations/<adapter>.json and browser-tests/expectations/<browser>.json.
// A run with expectations passes only while its failures are exactly the listed ones.
#pragma once

#include <map>
#include <string>

#include "report/result.hpp"

namespace ssespec {

struct Expectation {
  std::string id;
  std::string reason;
  std::string kind;     // "deviation" (the implementation breaks the spec) or "fixture" (the case is wrong)
  std::string version;  // the implementation version it was recorded with, where known
  bool flaky = false;   // fails only sometimes: a pass matches too
};

// {"implementation", "browserVersion"?, "description"?, "failures": [{"id", "reason", "kind",
// "version"?, "flaky"?}]}. Throws FixtureError naming the file and field.
std::map<std::string, Expectation> load_expectations(const std::string& file);

// Marks each known failure's message as known (it stays a failure: the spec decides).
void annotate_known_failures(RunResult& run, const std::map<std::string, Expectation>& expected,
                             const std::string& file);

// Prints how the run compares with the expectations (each matched one too when `list_known`:
// the console's --verbose; otherwise the HTML report lists them); returns 0 when the failures are exactly
// the listed ones (flaky ones may pass), 1 on a new failure or a listed case that now passes.
int compare_with_expectations(const RunResult& run, const std::map<std::string, Expectation>& expected,
                              const std::string& file, bool list_known = true);

// Writes the run's failures as an expectations file that load_expectations() reads back: the
// baseline a CI gate records on its first run (--write-expectations) and compares with later.
// Each failure keeps its entry from `previous` when there is one; a new one is a "deviation"
// whose reason is the failure message, to be reviewed. Returns false, having said why on stderr,
// when the file cannot be written; an existing file is then left as it was.
bool write_expectations(const RunResult& run, const std::map<std::string, Expectation>& previous,
                        const std::string& file);

// The one end of a run that may have known failures (client, encoder and browser commands): marks
// the known failures, prints the summary and writes the reports (finish_run), then records the
// expectations (when `write_file` is given: exit 0, or 2 when it cannot be written) or compares with
// them (when `expectations_file` is given). Returns the exit status.
int finish_run_with_expectations(RunResult& run, const std::map<std::string, Expectation>& expected,
                                 const std::string& expectations_file, const std::string& write_file,
                                 const ReportOptions& report);

}  // namespace ssespec
