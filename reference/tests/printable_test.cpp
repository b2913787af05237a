// printable(): the one escape style of every message that shows bytes.
#include "ssespec/printable.hpp"

#include <gtest/gtest.h>

namespace ssespec {
namespace {

TEST(PrintableTest, ControlBytesAndDelAreHexEscaped) {
  EXPECT_EQ(printable("a\r\nb\tc\x7f"), "a\\x0D\\x0Ab\\x09c\\x7F");
  EXPECT_EQ(printable(std::string_view("\0x", 2)), "\\x00x");
}

TEST(PrintableTest, BackslashIsDoubledAndQuotesKept) {
  EXPECT_EQ(printable("a\\x41\"b\""), "a\\\\x41\"b\"");  // "\x41" shown is not the byte 0x41
}

TEST(PrintableTest, ByteOrderMarkIsNamed) {
  EXPECT_EQ(printable("\xEF\xBB\xBF"
                      "data"),
            "\\u{FEFF}data");
}

TEST(PrintableTest, Utf8PassesAndInvalidBytesAreEscaped) {
  EXPECT_EQ(printable("caf\xC3\xA9 \xE2\x82\xAC"), "caf\xC3\xA9 \xE2\x82\xAC");
  EXPECT_EQ(printable("a\xFF"
                      "b\xC3"),
            "a\\xFFb\\xC3");                                // not UTF-8; cut short
  EXPECT_EQ(printable("\xED\xA0\x80"), "\\xED\\xA0\\x80");  // a surrogate
}

TEST(PrintableTest, ShortensToMaxCharactersAndSaysSo) {
  EXPECT_EQ(printable("abcdef", 3), "abc...");
  EXPECT_EQ(printable("abc", 3), "abc");
  EXPECT_EQ(printable("\r\r\r\r", 2), "\\x0D\\x0D...");  // an escape is one character
  EXPECT_EQ(printable("\xC3\xA9\xC3\xA9\xC3\xA9", 2), "\xC3\xA9\xC3\xA9...");
}

}  // namespace
}  // namespace ssespec
