// How a duration reads in a verdict's message: "5 s", "0.25 s", "1.235 s", "12.3 s".
// One format for every command, so that messages compare across reports.
#pragma once

#include <string>

namespace ssespec {

// Milliseconds resolution below 10 s, tenths above; no trailing zeros.
std::string seconds_text(double s);

}  // namespace ssespec
