// Replays parse cases through the reference parser at many chunkings: the given chunks, the
// whole stream, fixed sizes from 1 byte up, and (unless noScan) every two-way split.
#pragma once

#include <string>
#include <vector>

#include "fixture.hpp"

namespace ssespec {

struct Chunking {
  std::string name;                 // "given", "whole", "1-byte", "split@17", ...
  std::vector<std::string> pieces;  // what feed() receives, in order
};

std::vector<Chunking> chunkings_for(const ParseCase& c);

// Feeds `pieces` to a fresh reference parser, each from an exactly-sized heap copy (so ASan
// sees over-reads), then finishes the stream.
std::vector<Observation> parse_pieces(const std::vector<std::string>& pieces, Limits limits = {});

struct ParseVerdict {
  bool pass = true;
  std::string failed_chunking;  // the first chunking that disagreed
  std::string diff;             // expected vs observed for it
};

ParseVerdict run_parse_case(const ParseCase& c);

}  // namespace ssespec
