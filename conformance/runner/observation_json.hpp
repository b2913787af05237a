// The one JSON shape of a parser observation, shared by `ssespec parse`, fixtures and reports:
//   {"type": "...", "data": "...", "lastEventId": "..."}   or   {"retry": 1500}
#pragma once

#include <string>
#include <vector>

#include "ssespec/parser.hpp"

namespace ssespec {

// One observation as a single line of JSON (no trailing newline).
std::string to_json(const Observation& observation);

// A readable diff of two observation lists: one line per position, "-" expected, "+" observed.
std::string diff_observations(const std::vector<Observation>& expected,
                              const std::vector<Observation>& observed);

}  // namespace ssespec
