// The parser's line-end scan: every vector kernel classifies bytes as the portable loop does,
// and LineScanner reports the line ends and non-ASCII bytes a byte-by-byte scan finds, across
// 64-byte blocks and its 16 KiB windows.
#include "line_scan.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace ssespec::line_scan {
namespace {

// Bytes where CR, LF and non-ASCII are common, so every bit position sees each kind.
std::string random_bytes(std::mt19937& rng, std::size_t size) {
  static const char kAlphabet[] = {'\r', '\n', 'a', ':', ' ', '\0', '\x7f', '\x80', '\xc3', '\xff'};
  std::uniform_int_distribution<std::size_t> pick(0, sizeof kAlphabet - 1);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = kAlphabet[pick(rng)];
  return bytes;
}

std::vector<NamedKernel> kernels() {
  NamedKernel found[8];
  return std::vector<NamedKernel>(found, found + available_kernels(found, 8));
}

TEST(LineScanTest, PortableKernelComesFirstAndAvx2IsOfferedWhereTheCpuHasIt) {
  const std::vector<NamedKernel> all = kernels();
  ASSERT_FALSE(all.empty());
  EXPECT_STREQ(all.front().name, "portable");
  EXPECT_STREQ(best_kernel().name, all.back().name);
#if defined(__x86_64__)
  bool has_avx2 = false;
  for (const NamedKernel& k : all) has_avx2 = has_avx2 || std::string(k.name) == "avx2";
  EXPECT_EQ(has_avx2, static_cast<bool>(__builtin_cpu_supports("avx2")));
#endif
}

TEST(LineScanTest, EveryKernelClassifiesLikeThePortableOne) {
  std::mt19937 rng(19);
  constexpr std::size_t kBlocks = 64;
  const std::string bytes = random_bytes(rng, kBlocks * 64);
  const std::vector<NamedKernel> all = kernels();
  std::vector<std::uint64_t> want_ends(kBlocks), want_high(kBlocks);
  all.front().kernel(bytes.data(), kBlocks, Masks{want_ends.data(), want_high.data()});
  // The portable kernel itself, against the definition.
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    ASSERT_EQ((want_ends[i / 64] >> (i % 64)) & 1, c == '\r' || c == '\n' ? 1u : 0u) << "byte " << i;
    ASSERT_EQ((want_high[i / 64] >> (i % 64)) & 1, c >= 0x80 ? 1u : 0u) << "byte " << i;
  }
  for (const NamedKernel& k : all) {
    std::vector<std::uint64_t> ends(kBlocks), high(kBlocks);
    k.kernel(bytes.data(), kBlocks, Masks{ends.data(), high.data()});
    EXPECT_EQ(ends, want_ends) << k.name;
    EXPECT_EQ(high, want_high) << k.name;
  }
}

// Walks `bytes` line by line as the parser does (after a CR, it may skip one byte, as for an LF
// of CRLF) and checks each answer against a byte-by-byte scan.
void expect_scan_matches(const std::string& bytes, std::mt19937& rng) {
  const char* const begin = bytes.data();
  const char* const end = begin + bytes.size();
  LineScanner scanner(begin, end);
  const char* from = begin;
  while (from != end) {
    const char* want = from;
    bool want_non_ascii = false;
    for (; want != end && *want != '\r' && *want != '\n'; ++want) {
      if (static_cast<unsigned char>(*want) >= 0x80) want_non_ascii = true;
    }
    bool non_ascii = false;
    const char* got = scanner.find_line_end(from, non_ascii);
    ASSERT_EQ(got - begin, want - begin) << "from offset " << (from - begin);
    ASSERT_EQ(non_ascii, want_non_ascii) << "from offset " << (from - begin);
    if (got == end) break;
    from = got + 1;
    if (*got == '\r' && from != end && rng() % 2 == 0) ++from;
  }
}

TEST(LineScanTest, FindsWhatAByteByByteScanFinds) {
  std::mt19937 rng(20);
  for (const std::size_t size : {1u, 63u, 64u, 65u, 1000u, 16383u, 16384u, 16385u, 40000u}) {
    SCOPED_TRACE("size " + std::to_string(size));
    expect_scan_matches(random_bytes(rng, size), rng);
  }
}

TEST(LineScanTest, LongLinesSpanWindowsAndKeepNonAsciiSeenEarly) {
  std::mt19937 rng(21);
  // One line across three 16 KiB windows with a single non-ASCII byte near its start, ended by
  // CR LF where the CR is a window's last byte and the LF the next window's first.
  std::string bytes(3 * 16384 - 1, 'x');
  bytes[3] = '\xc3';
  bytes += "\r\nz";
  expect_scan_matches(bytes, rng);
  bool non_ascii = false;
  LineScanner scanner(bytes.data(), bytes.data() + bytes.size());
  EXPECT_EQ(scanner.find_line_end(bytes.data(), non_ascii) - bytes.data(), 3 * 16384 - 1);
  EXPECT_TRUE(non_ascii);
}

}  // namespace
}  // namespace ssespec::line_scan
