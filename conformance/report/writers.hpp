// Report writers over the result model. Each returns the whole document as a string.
#pragma once

#include <string>
#include <vector>

#include "report/result.hpp"

namespace ssespec {

// JUnit XML: one <testsuite> per group, one <testcase> per case; fail → <failure>,
// skip → <skipped>, warn/info → passing with the message in <system-out>.
std::string to_junit_xml(const RunResult& run);

// One self-contained HTML page: a matrix of cases (rows, grouped) by runs (columns), each cell
// coloured by verdict and opening the expected/observed difference and the spec text.
std::string to_html(const std::vector<RunResult>& runs);

}  // namespace ssespec
