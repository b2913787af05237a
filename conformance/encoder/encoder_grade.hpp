// The verdict on one encoder case from the adapter's answers: pure, no I/O. The bytes of each
// message are read back with the reference parser between a prime (`id: ssespec-prev` and a
// blank line) and a sentinel event, and checked with the `lint` rules (stream_checks).
// conformance/encoder/ENCODER.md gives the reasoning with the spec text.
#pragma once

#include <string>
#include <vector>

#include "encoder/encoder_case.hpp"
#include "report/result.hpp"

namespace ssespec {

// One answer line of the adapter, or what the runner saw instead.
struct EncoderAnswer {
  enum class Kind { bytes, error, unsupported, broken } kind = Kind::broken;
  std::string bytes;                     // bytes: what the library wrote
  std::string text;                      // error: the library's message; broken: what went wrong
  std::vector<std::string> unsupported;  // unsupported: the fields it cannot send
};

enum class DataMode { text, json };  // --data json: the library JSON-encodes `data`

constexpr const char* kPrime = "id: ssespec-prev\n\n";
constexpr const char* kSentinel = "event: ssespec-sentinel\ndata: ssespec-sentinel\n\n";

// Reads one adapter line: {"bytes_b64"}, {"error"} or {"unsupported": [...]}; anything else,
// and more than `max_bytes` decoded bytes, is a broken answer naming the problem.
EncoderAnswer parse_answer(const std::string& line, std::size_t max_bytes);

// Grades `c` from one answer per message (fewer when the run broke off: the rest are broken).
CaseResult grade_encoder_case(const EncoderCase& c, const std::vector<EncoderAnswer>& answers, DataMode mode);

}  // namespace ssespec
