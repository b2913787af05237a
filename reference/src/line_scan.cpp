#include "line_scan.hpp"

#include <algorithm>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SSESPEC_X86 1
#endif

namespace ssespec::line_scan {
namespace {

void classify_portable(const char* bytes, std::size_t blocks, Masks out) {
  for (std::size_t k = 0; k < blocks; ++k) {
    std::uint64_t ends = 0;
    std::uint64_t high = 0;
    for (unsigned i = 0; i < 64; ++i) {
      const auto c = static_cast<unsigned char>(bytes[k * 64 + i]);
      ends |= static_cast<std::uint64_t>(c == '\r' || c == '\n') << i;
      high |= static_cast<std::uint64_t>(c >= 0x80) << i;
    }
    out.line_ends[k] = ends;
    out.non_ascii[k] = high;
  }
}

#if defined(SSESPEC_X86) && defined(__SSE2__)
void classify_sse2(const char* bytes, std::size_t blocks, Masks out) {
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i lf = _mm_set1_epi8('\n');
  for (std::size_t k = 0; k < blocks; ++k) {
    std::uint64_t ends = 0;
    std::uint64_t high = 0;
    for (unsigned j = 0; j < 4; ++j) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + k * 64 + j * 16));
      const __m128i eol = _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf));
      ends |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(eol))) << (j * 16);
      high |= static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(v))) << (j * 16);
    }
    out.line_ends[k] = ends;
    out.non_ascii[k] = high;
  }
}
#endif

#if defined(SSESPEC_X86)
__attribute__((target("avx2"))) void classify_avx2(const char* bytes, std::size_t blocks, Masks out) {
  const __m256i cr = _mm256_set1_epi8('\r');
  const __m256i lf = _mm256_set1_epi8('\n');
  for (std::size_t k = 0; k < blocks; ++k) {
    std::uint64_t ends = 0;
    std::uint64_t high = 0;
    for (unsigned j = 0; j < 2; ++j) {  // (a lambda here would not inherit the target)
      const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bytes + k * 64 + j * 32));
      const __m256i eol = _mm256_or_si256(_mm256_cmpeq_epi8(v, cr), _mm256_cmpeq_epi8(v, lf));
      ends |= static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm256_movemask_epi8(eol))) << (j * 32);
      high |= static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm256_movemask_epi8(v))) << (j * 32);
    }
    out.line_ends[k] = ends;
    out.non_ascii[k] = high;
  }
}
#endif

}  // namespace

std::size_t available_kernels(NamedKernel* out, std::size_t capacity) {
  std::size_t n = 0;
  const auto add = [&](const char* name, Kernel kernel) {
    if (n < capacity) out[n++] = {name, kernel};
  };
  add("portable", classify_portable);
#if defined(SSESPEC_X86) && defined(__SSE2__)
  add("sse2", classify_sse2);
#endif
#if defined(SSESPEC_X86)
  __builtin_cpu_init();  // may run before libgcc's own constructor has
  if (__builtin_cpu_supports("avx2")) add("avx2", classify_avx2);
#endif
  return n;
}

NamedKernel best_kernel() {
  NamedKernel kernels[3];
  return kernels[available_kernels(kernels, 3) - 1];
}

LineScanner::LineScanner(const char* begin, const char* end) : end_(end), base_(begin), window_end_(begin) {
  static const Kernel kBest = best_kernel().kernel;
  kernel_ = kBest;
}

void LineScanner::index_window(const char* from) {
  const auto size = std::min(kWindow, static_cast<std::size_t>(end_ - from));
  base_ = from;
  window_end_ = from + size;
  blocks_ = size / 64;
  kernel_(from, blocks_, Masks{line_ends_, non_ascii_});
  if (size % 64 != 0) {
    // The last part-block is classified from a copy padded with NUL, which is neither a line
    // end nor non-ASCII, so no bit is set past window_end_ (and nothing past end_ is read).
    char tail[64] = {};
    std::memcpy(tail, from + blocks_ * 64, size % 64);
    kernel_(tail, 1, Masks{line_ends_ + blocks_, non_ascii_ + blocks_});
    ++blocks_;
  }
}

}  // namespace ssespec::line_scan
