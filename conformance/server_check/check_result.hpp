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

// What one check concluded from what it observed. An empty `spec` means the check cites its own
// list (its table entry); a verdict that rests on other text names that text instead.
struct CheckOutcome {
  Verdict verdict = Verdict::skip;
  std::string message;
  std::vector<SpecRef> spec;
};

inline CheckOutcome outcome(Verdict verdict, std::string message, std::vector<SpecRef> spec = {}) {
  return {verdict, std::move(message), std::move(spec)};
}

// The result of the check `id` (`title`, citing `own_spec` unless the outcome names its own).
inline CaseResult check_result(const std::string& id, const std::string& title, const std::vector<SpecRef>& own_spec,
                               CheckOutcome outcome) {
  return check_result(id, title, outcome.verdict, outcome.message,
                      outcome.spec.empty() ? own_spec : std::move(outcome.spec));
}

}  // namespace ssespec
