// Report writers over the result model. Each returns the whole document as a string.
#pragma once

#include <string>
#include <vector>

#include "report/result.hpp"

namespace ssespec {

// `text` as well-formed UTF-8: each ill-formed sequence becomes U+FFFD, as the UTF-8 decoder reads
// it. JSON must be UTF-8 and a reader (Poco's, `ssespec report`) rejects a file that is not, and a
// text the runner quotes (an adapter's stderr, cut to its tail at a byte count) may hold any bytes.
std::string well_formed(const std::string& text);

// JUnit XML: one <testsuite> per group, one <testcase> per case; fail → <failure>,
// skip → <skipped>, warn/info → passing with the message in <system-out>.
std::string to_junit_xml(const RunResult& run);

// One self-contained HTML page: a matrix of cases (rows, grouped) by runs (columns), each cell
// coloured by verdict and opening the expected/observed difference and the spec text.
std::string to_html(const std::vector<RunResult>& runs);

}  // namespace ssespec
