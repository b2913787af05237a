// Small helpers to build the CaseResult values every server and lint check returns.
#pragma once

#include <string>
#include <vector>

#include "report/result.hpp"

namespace ssespec {

// A check's result: `id` like "server/headers/content-type"; the group is the id up to its
// last '/'.
inline CaseResult check_result(const std::string& id, const std::string& description, Verdict verdict,
                               const std::string& message, std::vector<SpecRef> spec) {
  CaseResult result;
  result.id = id;
  result.group = id.substr(0, id.rfind('/'));
  result.description = description;
  result.verdict = verdict;
  result.message = message;
  result.spec = std::move(spec);
  return result;
}

}  // namespace ssespec
