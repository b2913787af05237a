// Large values in reports and messages: a 1 MiB event data is shown by its length, a hash and
// short excerpts, never whole (a report stays readable and small).
#pragma once

#include <string>

namespace ssespec {

constexpr std::size_t kInlinePayloadLimit = 256;  // bytes shown whole in reports

// `value` itself if it is at most kInlinePayloadLimit bytes; else
// "<1048576 bytes, sha256 0123456789abcdef, starts "...", ends "...">".
std::string payload_for_report(const std::string& value);

// Where two values first differ: "" if equal; else e.g. "lengths 1048576 and 1048575, first
// difference at byte 524288: expected "...x...", observed "...y..."" (excerpts escaped).
std::string first_difference(const std::string& expected, const std::string& observed);

}  // namespace ssespec
