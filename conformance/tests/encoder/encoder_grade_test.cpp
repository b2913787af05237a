// The encoder grading on synthetic answers: injections FAIL, refusals and one-line rewrites
// PASS, the issue-16 warnings WARN, library-added ids are INFO, and broken answers FAIL.
#include "encoder/encoder_grade.hpp"

#include <gtest/gtest.h>

namespace ssespec {
namespace {

EncoderCase one(EncoderMessage m) {
  EncoderCase c;
  c.group = "encoder/test";
  c.id = "case";
  c.messages.push_back(std::move(m));
  return c;
}

EncoderMessage msg(std::optional<std::string> data, std::optional<std::string> event = {}, std::optional<std::string> id = {}) {
  EncoderMessage m;
  m.data = std::move(data);
  m.event = std::move(event);
  m.id = std::move(id);
  return m;
}

EncoderAnswer bytes(std::string b) {
  EncoderAnswer a;
  a.kind = EncoderAnswer::Kind::bytes;
  a.bytes = std::move(b);
  return a;
}

EncoderAnswer error(std::string text) {
  EncoderAnswer a;
  a.kind = EncoderAnswer::Kind::error;
  a.text = std::move(text);
  return a;
}

CaseResult grade(const EncoderMessage& m, const EncoderAnswer& a, DataMode mode = DataMode::text) {
  return grade_encoder_case(one(m), {a}, mode);
}

TEST(EncoderGrade, SplitDataPasses) {
  const auto r = grade(msg("a\nb\rc"), bytes("data: a\ndata: b\ndata: c\n\n"));
  EXPECT_EQ(r.verdict, Verdict::pass) << r.message;
}

TEST(EncoderGrade, RawLineBreakInDataFails) {
  const auto r = grade(msg("a\nb"), bytes("data: a\nb\n\n"));
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.message.find("field line \"b\""), std::string::npos) << r.message;
}

TEST(EncoderGrade, ExtraFieldLineIsShownAsSent) {
  const auto r = grade(msg("x", "a\nfoo:bar"), bytes("event: a\nfoo:bar\ndata: x\n\n"));
  EXPECT_NE(r.message.find("field line \"foo:bar\""), std::string::npos) << r.message;
}

TEST(EncoderGrade, LoneCrWrittenRawFails) {
  EXPECT_EQ(grade(msg("a\rb"), bytes("data: a\rb\n\n")).verdict, Verdict::fail);
}

TEST(EncoderGrade, EventInjectionThroughDataFails) {
  const auto r = grade(msg("x\n\ndata: injected"), bytes("data: x\n\ndata: injected\n\n"));
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.message.find("2 events"), std::string::npos) << r.message;
}

TEST(EncoderGrade, SpoofedTypeThroughEventFails) {
  const auto r = grade(msg("x", "safe\nevent: admin"), bytes("event: safe\nevent: admin\ndata: x\n\n"));
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.message.find("spoofed type"), std::string::npos) << r.message;
}

TEST(EncoderGrade, HarmlessRawLineBreakInIdStillFails) {
  EXPECT_EQ(grade(msg("x", {}, "1\n2"), bytes("id: 1\n2\ndata: x\n\n")).verdict, Verdict::fail);
}

TEST(EncoderGrade, RefusingALineBreakInEventPasses) {
  const auto r = grade(msg("x", "a\nb"), error("event must not contain a line break"));
  EXPECT_EQ(r.verdict, Verdict::pass);
  EXPECT_NE(r.message.find("refused"), std::string::npos);
}

TEST(EncoderGrade, StrippingALineBreakIsLossyPass) {
  const auto r = grade(msg("x", "a\nb"), bytes("event: ab\ndata: x\n\n"));
  EXPECT_EQ(r.verdict, Verdict::pass) << r.message;
  EXPECT_NE(r.message.find("lossy"), std::string::npos);
}

TEST(EncoderGrade, RefusingValidDataFails) {
  EXPECT_EQ(grade(msg("a\u0000b"), error("NUL")).verdict, Verdict::fail);
}

TEST(EncoderGrade, MissingBlankLineFails) {
  const auto r = grade(msg("x"), bytes("data: x\n"));
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.message.find("event boundary"), std::string::npos) << r.message;
}

TEST(EncoderGrade, BlankLineAfterCommentsAloneIsHarmless) {
  EXPECT_EQ(grade(msg("x"), bytes(": note\n\ndata: x\n\n")).verdict, Verdict::pass);
  EXPECT_EQ(grade(msg("x"), bytes("event: a\n\ndata: x\n\n")).verdict, Verdict::fail);
}

TEST(EncoderGrade, LeadingSpaceNeedsTheSecondSpace) {
  EXPECT_EQ(grade(msg("x", " t"), bytes("event:  t\ndata: x\n\n")).verdict, Verdict::pass);
  EXPECT_EQ(grade(msg("x", " t"), bytes("event: t\ndata: x\n\n")).verdict, Verdict::fail);
  // Elsewhere the lint rule still warns of a second space.
  EXPECT_EQ(grade(msg("x", "t"), bytes("event:  t\ndata: x\n\n")).verdict, Verdict::fail);
}

TEST(EncoderGrade, EmptyDataDroppedFails) {
  EXPECT_EQ(grade(msg(""), bytes("")).verdict, Verdict::fail);
  EXPECT_EQ(grade(msg(""), bytes("data:\n\n")).verdict, Verdict::pass);
}

TEST(EncoderGrade, TrailingLineBreakLostFails) {
  EXPECT_EQ(grade(msg("x\n"), bytes("data: x\n\n")).verdict, Verdict::fail);
  EXPECT_EQ(grade(msg("x\n"), bytes("data: x\ndata:\n\n")).verdict, Verdict::pass);
}

TEST(EncoderGrade, NulIdWrittenRawWarns) {
  const auto r = grade(msg("x", {}, std::string("a\0b", 3)), bytes(std::string("id: a\0b\ndata: x\n\n", 17)));
  EXPECT_EQ(r.verdict, Verdict::warn) << r.message;
}

TEST(EncoderGrade, EmptyIdOmittedWarns) {
  EXPECT_EQ(grade(msg("x", {}, ""), bytes("data: x\n\n")).verdict, Verdict::warn);
  EXPECT_EQ(grade(msg("x", {}, ""), bytes("id:\ndata: x\n\n")).verdict, Verdict::pass);
}

TEST(EncoderGrade, RetryZeroOmittedWarnsOtherRetryLostFails) {
  EncoderMessage m = msg("x");
  m.retry = RetryValue{"0", 0, false};
  EXPECT_EQ(grade(m, bytes("data: x\n\n")).verdict, Verdict::warn);
  m.retry = RetryValue{"1500", 1500, false};
  EXPECT_EQ(grade(m, bytes("data: x\n\n")).verdict, Verdict::fail);
  EXPECT_EQ(grade(m, bytes("retry: 1500\ndata: x\n\n")).verdict, Verdict::pass);
}

TEST(EncoderGrade, NonDigitRetryLineWarnsThroughLint) {
  EncoderMessage m = msg("x");
  m.retry = RetryValue{"1.5", std::nullopt, false};
  const auto r = grade(m, bytes("retry: 1.5\ndata: x\n\n"));
  EXPECT_EQ(r.verdict, Verdict::warn);
  EXPECT_NE(r.message.find("stream/fields/retry-digits"), std::string::npos) << r.message;
}

TEST(EncoderGrade, RetryStringInjectionFails) {
  EncoderMessage m = msg("x");
  m.retry = RetryValue{"\"1000\\ndata: injected\"", std::nullopt, true};
  EXPECT_EQ(grade(m, bytes("retry: 1000\ndata: injected\ndata: x\n\n")).verdict, Verdict::fail);
}

TEST(EncoderGrade, EventForMessageWithoutDataWarns) {
  EXPECT_EQ(grade(msg({}, "tick"), bytes("event: tick\ndata:\n\n")).verdict, Verdict::warn);
  EXPECT_EQ(grade(msg({}, "tick"), bytes("event: tick\n\n")).verdict, Verdict::pass);
}

TEST(EncoderGrade, LibraryAddedIdIsInfo) {
  EXPECT_EQ(grade(msg("x"), bytes("id: 3f2a\ndata: x\n\n")).verdict, Verdict::info);
}

TEST(EncoderGrade, JsonModeComparesTheJsonValue) {
  EXPECT_EQ(grade(msg("a\nb"), bytes("data: \"a\\nb\"\n\n"), DataMode::json).verdict, Verdict::pass);
  EXPECT_EQ(grade(msg("a\nb"), bytes("data: \"a\"\n\n"), DataMode::json).verdict, Verdict::fail);
}

TEST(EncoderGrade, LoneSurrogateComesBackAsReplacementCharacter) {
  const std::string lone = wtf8_from_code_units({'a', 0xD800});
  EXPECT_EQ(grade(msg(lone), bytes("data: a\xEF\xBF\xBD\n\n")).verdict, Verdict::pass);
  EXPECT_EQ(grade(msg(lone), bytes("data: a\xED\xA0\x80\n\n")).verdict, Verdict::fail);  // CESU bytes
  EXPECT_EQ(json_string(lone), "\"a\\ud800\"");
  EXPECT_EQ(parse_json_string("\"a\\ud800\""), "a\xEF\xBF\xBD");
}

TEST(EncoderGrade, StateLeakingIntoTheNextMessageFails) {
  EncoderCase c = one(msg({}, "first"));
  c.messages.push_back(msg("2"));
  // The first message's type is left without its blank line: the second event takes it.
  const auto r = grade_encoder_case(c, {bytes("event: first\n"), bytes("data: 2\n\n")}, DataMode::text);
  EXPECT_EQ(r.verdict, Verdict::fail);
}

TEST(EncoderGrade, BrokenAnswersFailNamingWhy) {
  const auto garbage = parse_answer("hello", 1 << 20);
  EXPECT_EQ(garbage.kind, EncoderAnswer::Kind::broken);
  const auto r = grade(msg("x"), garbage);
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.message.find("not a JSON object"), std::string::npos) << r.message;
  EXPECT_EQ(parse_answer("{\"bytes_b64\":\"ZGF0YTogeAoK\"}", 1 << 20).bytes, "data: x\n\n");
  EXPECT_EQ(parse_answer("{\"bytes_b64\":\"ZGF0YTogeAoK\"}", 4).kind, EncoderAnswer::Kind::broken);
  EXPECT_EQ(parse_answer("{\"error\":\"no\",\"x\":1}", 1 << 20).kind, EncoderAnswer::Kind::broken);
  EXPECT_EQ(parse_answer("{\"unsupported\":[\"comment\"]}", 1 << 20).unsupported, std::vector<std::string>{"comment"});
}

}  // namespace
}  // namespace ssespec
