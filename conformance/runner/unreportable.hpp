// What a client's API cannot report, and the cases that therefore cannot be graded on it: one
// rule for a test service (its capabilities, service_adapter.cpp) and an adapter process that
// declares it (`ssespec client --cannot-report`, ADAPTERS.md).
#pragma once

#include <set>
#include <string>

#include "runner/client_fixture.hpp"

namespace ssespec {

// The names of --cannot-report: "open", "ready-state", "last-event-id".
const std::set<std::string>& unreportable_names();

// Fits `c` to a client that cannot report `missing` (names above): without `open` the expected
// open lines are dropped (the rest of the trace is graded). Returns which name the case needs
// ("" when it can run), and in `why` what that client lacks for it (e.g. "no readyState with its errors").
std::string fit_to_unreportable(ClientCase& c, const std::set<std::string>& missing, std::string& why);

}  // namespace ssespec
