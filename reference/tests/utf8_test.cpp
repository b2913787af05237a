#include "utf8.hpp"

#include <gtest/gtest.h>

namespace ssespec::utf8 {
namespace {

std::string decoded(std::string_view bytes) {
  std::string out;
  decode_with_replacement(bytes, out);
  return out;
}

const std::string kFffd = "\xEF\xBF\xBD";

TEST(Utf8Test, ValidSequencesPass) {
  EXPECT_TRUE(is_valid("plain"));
  EXPECT_TRUE(is_valid("\xC2\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));
}

TEST(Utf8Test, IllFormedSequencesFail) {
  EXPECT_FALSE(is_valid("\xC0\xAF"));          // overlong
  EXPECT_FALSE(is_valid("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid("\xE2\x82"));          // truncated
  EXPECT_FALSE(is_valid("\x80"));              // stray continuation
}

TEST(Utf8Test, MaximalSubpartBecomesOneReplacement) {
  EXPECT_EQ(decoded("a\xE2\x82z"), "a" + kFffd + "z");
  EXPECT_EQ(decoded("\xF0\x9F\x98"), kFffd);
}

TEST(Utf8Test, EachInvalidLeadByteIsItsOwnReplacement) {
  EXPECT_EQ(decoded("\xC0\xAF"), kFffd + kFffd);
  EXPECT_EQ(decoded("\xED\xA0\x80"), kFffd + kFffd + kFffd);
  EXPECT_EQ(decoded("\xFF\xFE"), kFffd + kFffd);
}

TEST(Utf8Test, ByteThatBreaksASequenceStartsANewOne) {
  EXPECT_EQ(decoded("\xE2\xC2\xA9"), kFffd + "\xC2\xA9");
}

}  // namespace
}  // namespace ssespec::utf8
