// `ssespec encoder`: one adapter process for the whole run, one JSON line per message in, one
// answer line out (conformance/ADAPTERS.md, "Encoder adapters"), each case graded as it ends.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "encoder/encoder_case.hpp"
#include "encoder/encoder_grade.hpp"
#include "report/result.hpp"

namespace ssespec {

struct EncoderRunOptions {
  std::vector<std::string> command;  // the adapter, started once (again only after it broke)
  DataMode mode = DataMode::text;
  double timeout_s = 5;              // for each answer
  double startup_s = 15;             // extra time for the first answer (the adapter starting)
  std::size_t max_bytes = 16u << 20;  // decoded bytes of one answer
  int max_restarts = 2;              // after this many broken answers the rest are not asked
  std::string implementation;        // for reports
};

RunResult run_encoder_cases(const std::vector<EncoderCase>& cases, const EncoderRunOptions& options,
                            const ReportOptions& report);

}  // namespace ssespec
