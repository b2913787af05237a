// MIME Sniffing's "parse a MIME type" and Fetch's "extract a MIME type", step by step, with the
// examples the two standards give.
#include "ssespec/mime.hpp"

#include <gtest/gtest.h>

namespace ssespec {
namespace {

// The serialized result of parsing, or "failure".
std::string parsed(std::string_view input) {
  const auto mime_type = parse_mime_type(input);
  return mime_type ? serialize_mime_type(*mime_type) : "failure";
}

// The serialized result of extracting from these Content-Type values, or "failure".
std::string extracted(const std::vector<std::string>& values) {
  const auto mime_type = extract_mime_type(values);
  return mime_type ? serialize_mime_type(*mime_type) : "failure";
}

TEST(ParseMimeTypeTest, TypeAndSubtypeAreLowercased) {
  // 10. "type is type, in ASCII lowercase, and subtype is subtype, in ASCII lowercase"
  const auto mime_type = parse_mime_type("Text/Event-Stream");
  ASSERT_TRUE(mime_type);
  EXPECT_EQ(mime_type->type, "text");
  EXPECT_EQ(mime_type->subtype, "event-stream");
  EXPECT_EQ(mime_type->essence(), "text/event-stream");
}

TEST(ParseMimeTypeTest, HttpWhitespaceAroundIsRemoved) {
  // 1. "Remove any leading and trailing HTTP whitespace from input." (LF, CR, tab, space)
  EXPECT_EQ(parsed(" \t\r\ntext/event-stream\r\n\t "), "text/event-stream");
  // U+000C FF is ASCII whitespace but not HTTP whitespace: not a token code point either.
  EXPECT_EQ(parsed("\ftext/event-stream"), "failure");
}

TEST(ParseMimeTypeTest, TypeMustBeANonEmptyToken) {
  // 4. "If type is the empty string or does not solely contain HTTP token code points, then
  // return failure."
  EXPECT_EQ(parsed("/event-stream"), "failure");
  EXPECT_EQ(parsed("te xt/event-stream"), "failure");
  EXPECT_EQ(parsed("text /event-stream"), "failure");  // no whitespace is trimmed before "/"
  EXPECT_EQ(parsed("t(e)xt/event-stream"), "failure");
  EXPECT_EQ(parsed("!#$%&'*+-.^_`|~09AZaz/x"), "!#$%&'*+-.^_`|~09azaz/x");  // every token code point
}

TEST(ParseMimeTypeTest, NoSlashIsFailure) {
  // 5. "If position is past the end of input, then return failure."
  EXPECT_EQ(parsed("text"), "failure");
  EXPECT_EQ(parsed("cannot-parse"), "failure");
  EXPECT_EQ(parsed(""), "failure");
}

TEST(ParseMimeTypeTest, SubtypeMustBeANonEmptyTokenAfterTrailingWhitespaceGoes) {
  // 8. "Remove any trailing HTTP whitespace from subtype." 9. empty or not a token: failure.
  EXPECT_EQ(parsed("text/event-stream \t; charset=utf-8"), "text/event-stream;charset=utf-8");
  EXPECT_EQ(parsed("text/"), "failure");
  EXPECT_EQ(parsed("text/;charset=utf-8"), "failure");
  EXPECT_EQ(parsed("text/ event-stream"), "failure");
  EXPECT_EQ(parsed("text/event-stream/x"), "failure");
  EXPECT_EQ(parsed("text/event\x80stream"), "failure");
}

TEST(ParseMimeTypeTest, ParameterNamesAreLowercasedValuesKept) {
  // 11.4 "Set parameterName to parameterName, in ASCII lowercase." Values are not lowercased.
  const auto mime_type = parse_mime_type("text/event-stream; CharSet=UTF-8");
  ASSERT_TRUE(mime_type);
  ASSERT_NE(mime_type->parameter("charset"), nullptr);
  EXPECT_EQ(*mime_type->parameter("charset"), "UTF-8");
  EXPECT_EQ(mime_type->parameter("CharSet"), nullptr);
}

TEST(ParseMimeTypeTest, WhitespaceBeforeAParameterNameIsSkipped) {
  // 11.2 "Collect a sequence of code points that are HTTP whitespace from input"
  EXPECT_EQ(parsed("text/plain;\t \r\nA=b"), "text/plain;a=b");
  // ... but not the whitespace after it: "a =b" names "a ", not a token.
  EXPECT_EQ(parsed("text/plain;a =b"), "text/plain");
}

TEST(ParseMimeTypeTest, FirstParameterOfANameWins) {
  // 11.10 "mimeType's parameters[parameterName] does not exist"
  EXPECT_EQ(parsed("text/plain;charset=gbk;CHARSET=utf-8"), "text/plain;charset=gbk");
}

TEST(ParseMimeTypeTest, ParametersWithoutAValueAreDropped) {
  // 11.5.1 a ";" right after the name: continue. 11.6 the end after "=": break.
  // 11.9.3 "If parameterValue is the empty string, then continue."
  EXPECT_EQ(parsed("text/plain;a;b=c"), "text/plain;b=c");
  EXPECT_EQ(parsed("text/plain;a="), "text/plain");
  EXPECT_EQ(parsed("text/plain;a=  ;b=c"), "text/plain;b=c");
  EXPECT_EQ(parsed("text/plain;a"), "text/plain");
  // The example of "valid MIME type string": "text/html;" parses as "text/html" does.
  EXPECT_EQ(parsed("text/html;"), "text/html");
}

TEST(ParseMimeTypeTest, UnquotedValueLosesTrailingWhitespaceOnly) {
  // 11.9.2 "Remove any trailing HTTP whitespace from parameterValue."
  const auto mime_type = parse_mime_type("text/plain;a=b c \t;d=e");
  ASSERT_TRUE(mime_type);
  EXPECT_EQ(*mime_type->parameter("a"), "b c");
  EXPECT_EQ(*mime_type->parameter("d"), "e");
}

TEST(ParseMimeTypeTest, QuotedValueIsUnescapedAndTrailingGarbageDropped) {
  // 11.8.1 "collecting an HTTP quoted string from input, given position and true", then
  // 11.8.2 the code points up to ";" are skipped. MIME Sniffing's own example:
  EXPECT_EQ(parsed("text/html;charset=\"shift_jis\"iso-2022-jp"), "text/html;charset=shift_jis");
  const auto mime_type = parse_mime_type("text/plain;a=\"x;\\\"y\\\\\";b=c");
  ASSERT_TRUE(mime_type);
  EXPECT_EQ(*mime_type->parameter("a"), "x;\"y\\");
  EXPECT_EQ(*mime_type->parameter("b"), "c");
  // An unterminated quoted string runs to the end; a final backslash is kept (5.5.1).
  const auto unterminated = parse_mime_type("text/plain;a=\"b;c\\");
  ASSERT_TRUE(unterminated);
  EXPECT_EQ(*unterminated->parameter("a"), "b;c\\");
  // A quoted empty value is kept (only an unquoted empty value is dropped).
  EXPECT_EQ(parsed("text/plain;a=\"\""), "text/plain;a=\"\"");
}

TEST(ParseMimeTypeTest, ParameterNameMustBeATokenAndValueQuotedStringTokenCodePoints) {
  // 11.10 "parameterName solely contains HTTP token code points", "parameterValue solely
  // contains HTTP quoted-string token code points" (tab, U+0020 to U+007E, U+0080 to U+00FF).
  EXPECT_EQ(parsed("text/plain;a(b)=c;d=e"), "text/plain;d=e");
  EXPECT_EQ(parsed("text/plain;a=\"b\x01\";d=e"), "text/plain;d=e");
  EXPECT_EQ(parsed("text/plain;a=\"b\x7f\";d=e"), "text/plain;d=e");
  const auto latin1 = parse_mime_type("text/plain;a=\"b\tc\xff\"");
  ASSERT_TRUE(latin1);
  EXPECT_EQ(*latin1->parameter("a"), "b\tc\xff");
}

TEST(GetDecodeSplitTest, FetchExamples) {
  // https://fetch.spec.whatwg.org/#example-header-list-get-decode-split (the values as "get"
  // combines them with ", ").
  using List = std::vector<std::string>;
  EXPECT_EQ(get_decode_split("nosniff, "), (List{"nosniff", ""}));
  EXPECT_EQ(get_decode_split(""), (List{""}));
  EXPECT_EQ(get_decode_split("text/html;\", x/x"), (List{"text/html;\", x/x"}));
  EXPECT_EQ(get_decode_split("x/x;test=\"hi\",y/y"), (List{"x/x;test=\"hi\"", "y/y"}));
  EXPECT_EQ(get_decode_split("x/x;test=\"hi\", y/y"), (List{"x/x;test=\"hi\"", "y/y"}));
  EXPECT_EQ(get_decode_split("x / x,,,1"), (List{"x / x", "", "", "1"}));
  EXPECT_EQ(get_decode_split("x / x, ,, 1"), (List{"x / x", "", "", "1"}));
  EXPECT_EQ(get_decode_split("\"1,2\", 3"), (List{"\"1,2\"", "3"}));
}

TEST(ExtractMimeTypeTest, FetchExamples) {
  // https://fetch.spec.whatwg.org/#example-extract-a-mime-type, row by row.
  EXPECT_EQ(extracted({"text/plain;charset=gbk, text/html"}), "text/html");
  EXPECT_EQ(extracted({"text/html;charset=gbk;a=b, text/html;x=y"}), "text/html;x=y;charset=gbk");
  EXPECT_EQ(extracted({"text/html;charset=gbk;a=b", "text/html;x=y"}), "text/html;x=y;charset=gbk");
  EXPECT_EQ(extracted({"text/html;charset=gbk", "x/x", "text/html;x=y"}), "text/html;x=y");
  EXPECT_EQ(extracted({"text/html", "cannot-parse"}), "text/html");
  EXPECT_EQ(extracted({"text/html", "*/*"}), "text/html");
  EXPECT_EQ(extracted({"text/html", ""}), "text/html");
}

TEST(ExtractMimeTypeTest, TheLastParsingValueDecidesTheEssence) {
  // 6.3 "Set mimeType to temporaryMimeType": a later value replaces an earlier one. A response
  // with Content-Type: text/plain and then Content-Type: text/event-stream is an event stream.
  EXPECT_EQ(extracted({"text/plain", "text/event-stream"}), "text/event-stream");
  EXPECT_EQ(extracted({"text/event-stream", "text/plain"}), "text/plain");
  EXPECT_EQ(extracted({"text/plain, Text/Event-Stream"}), "text/event-stream");
}

TEST(ExtractMimeTypeTest, NoValueOrNoneParsingIsFailure) {
  // 5. "If values is null, then return failure." 7. "If mimeType is null, then return failure."
  EXPECT_EQ(extracted({}), "failure");
  EXPECT_EQ(extracted({""}), "failure");
  EXPECT_EQ(extracted({"cannot-parse", "*/*"}), "failure");
  EXPECT_EQ(extracted({"*/*"}), "failure");  // 6.2 "its essence is "*/*"": skipped
}

TEST(ExtractMimeTypeTest, CharsetCarriesOverOnlyWithinOneEssence) {
  // 6.4 a new essence resets charset to its own (here none); 6.5 the same essence without a
  // charset takes the remembered one.
  EXPECT_EQ(extracted({"text/event-stream;charset=utf-8", "text/event-stream"}), "text/event-stream;charset=utf-8");
  EXPECT_EQ(extracted({"text/plain;charset=gbk", "text/event-stream"}), "text/event-stream");
  EXPECT_EQ(extracted({"text/event-stream;charset=gbk", "text/plain", "text/event-stream"}), "text/event-stream");
  // A value's own charset is kept over the remembered one.
  EXPECT_EQ(extracted({"text/event-stream;charset=gbk", "text/event-stream;charset=utf-8"}),
            "text/event-stream;charset=utf-8");
  // Failures and */* between two values of one essence do not reset it.
  EXPECT_EQ(extracted({"text/event-stream;charset=gbk", "*/*", "nonsense", "text/event-stream"}),
            "text/event-stream;charset=gbk");
}

TEST(ExtractMimeTypeTest, CommaInsideAQuotedParameterDoesNotSplit) {
  // "get, decode, and split" keeps quoted strings whole.
  EXPECT_EQ(extracted({"text/event-stream;a=\"x,text/plain\""}), "text/event-stream;a=\"x,text/plain\"");
}

TEST(SerializeMimeTypeTest, QuotesValuesThatAreNotTokens) {
  // 2.4 "If value does not solely contain HTTP token code points or value is the empty string"
  MimeType mime_type{"text", "plain", {{"a", "b c"}, {"d", "\"\\"}, {"e", ""}, {"f", "g"}}};
  EXPECT_EQ(serialize_mime_type(mime_type), "text/plain;a=\"b c\";d=\"\\\"\\\\\";e=\"\";f=g");
}

}  // namespace
}  // namespace ssespec
