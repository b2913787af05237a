// The parser's hot loop: finding CR and LF. Kernels classify 64-byte blocks into bit masks (SSE2
// on every x86-64, AVX2 where the CPU has it, chosen at run time; a portable loop elsewhere), and
// LineScanner walks those masks line by line, so one vector pass serves every line of a window.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ssespec::line_scan {

// Bit i of line_ends[k] is set when byte 64k+i is CR or LF; of non_ascii[k], when it is >= 0x80.
struct Masks {
  std::uint64_t* line_ends;
  std::uint64_t* non_ascii;
};
// Classifies `blocks` whole 64-byte blocks starting at `bytes`.
using Kernel = void (*)(const char* bytes, std::size_t blocks, Masks out);

struct NamedKernel {
  const char* name;
  Kernel kernel;
};
// Every kernel this build has and this CPU runs, the portable one first (for tests and the fuzzer).
std::size_t available_kernels(NamedKernel* out, std::size_t capacity);
// The fastest of them, chosen once.
NamedKernel best_kernel();

// Finds line ends in [begin, end), indexing kWindow bytes at a time.
class LineScanner {
 public:
  LineScanner(const char* begin, const char* end);

  // The first CR or LF at or after `from` (begin <= from <= end), or `end`. Sets non_ascii if a
  // byte >= 0x80 lies in [from, that position). Calls must move forward: `from` is at or after
  // the previous result.
  // Inline: it runs once per line.
  const char* find_line_end(const char* from, bool& non_ascii) {
    if (from >= window_end_) {
      if (from == end_) return end_;
      index_window(from);
    }
    const auto offset = static_cast<std::size_t>(from - base_);
    std::size_t block = offset / 64;
    std::uint64_t live = ~std::uint64_t{0} << (offset % 64);  // the bits at or after `from`
    for (;;) {
      const std::uint64_t ends = line_ends_[block] & live;
      if (ends != 0) {
        const auto bit = static_cast<unsigned>(__builtin_ctzll(ends));
        if ((non_ascii_[block] & live & ((std::uint64_t{1} << bit) - 1)) != 0) non_ascii = true;
        return base_ + block * 64 + bit;
      }
      if ((non_ascii_[block] & live) != 0) non_ascii = true;
      live = ~std::uint64_t{0};
      if (++block == blocks_) {
        if (window_end_ == end_) return end_;
        index_window(window_end_);
        block = 0;
      }
    }
  }

 private:
  static constexpr std::size_t kWindow = 16u << 10;
  static constexpr std::size_t kBlocks = kWindow / 64;

  void index_window(const char* from);

  Kernel kernel_;
  const char* const end_;
  const char* base_ = nullptr;        // start of the indexed window
  const char* window_end_ = nullptr;  // its end (at most end_)
  std::size_t blocks_ = 0;            // indexed blocks, the last one padded with zero bits
  std::uint64_t line_ends_[kBlocks];
  std::uint64_t non_ascii_[kBlocks];
};

}  // namespace ssespec::line_scan
