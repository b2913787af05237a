// The grammar and field checks shared by `ssespec lint` and `ssespec server`, on small streams.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "server_check/stream_checks.hpp"

namespace ssespec {
namespace {

// Lints `stream` fed in `piece`-byte slices (every slicing must judge alike), the end of
// input ending the stream.
std::map<std::string, CaseResult> lint(const std::string& stream, std::size_t piece = 0, Limits limits = {}) {
  StreamInspector inspector(limits);
  if (piece == 0) piece = stream.size() + 1;
  for (std::size_t at = 0; at < stream.size(); at += piece) inspector.feed(std::string_view(stream).substr(at, piece), 0);
  inspector.end_of_stream(0);
  StreamContext context;
  context.peer_ended = true;
  std::map<std::string, CaseResult> out;
  for (auto& r : stream_checks(inspector, context)) out[r.id] = r;
  return out;
}

std::string verdict(const std::string& stream, const std::string& id, std::size_t piece = 0) {
  const auto results = lint(stream, piece);
  const auto it = results.find(id);
  return it == results.end() ? "missing" : to_string(it->second.verdict);
}

TEST(LintTest, CleanStreamPassesEveryCheck) {
  const std::string stream = "\xEF\xBB\xBF: hello\nretry: 100\n\nid: 1\nevent: tick\ndata: a\ndata: b\n\r\ndata:c\r\r";
  for (std::size_t piece : {0, 1, 3}) {
    for (const auto& [id, r] : lint(stream, piece)) {
      const Verdict expected = id == "stream/events/summary" ? Verdict::info : Verdict::pass;
      EXPECT_EQ(r.verdict, expected) << id << ": " << r.message << " (piece " << piece << ")";
    }
  }
}

TEST(LintTest, EventWithoutBlankLineAtEndFails) {
  EXPECT_EQ(verdict("data: a\n\ndata: b\n", "stream/grammar/event-terminated"), "fail");
  EXPECT_EQ(verdict("data: a\n\ndata: b", "stream/grammar/event-terminated"), "fail");  // a partial line
  EXPECT_EQ(verdict("data: a\n\n: only a comment after\n", "stream/grammar/event-terminated"), "pass");
}

TEST(LintTest, TutorialStreamWithoutAnyBlankLineFails) {
  const auto r = lint("data: 2024-01-01T00:00:00Z\ndata: 2024-01-01T00:00:01Z\n");
  EXPECT_EQ(r.at("stream/grammar/event-terminated").verdict, Verdict::fail);
  EXPECT_NE(r.at("stream/grammar/event-terminated").message.find("no event at all"), std::string::npos);
}

// Messages quote lines as they were sent: the space after the colon is kept or absent.
TEST(LintTest, MessagesQuoteTheWire) {
  EXPECT_NE(lint("retry: 3s\n\n").at("stream/fields/retry-digits").message.find("\"retry: 3s\""), std::string::npos);
  EXPECT_NE(lint("retry:3s\n\n").at("stream/fields/retry-digits").message.find("\"retry:3s\""), std::string::npos);
}

TEST(LintTest, PrettyPrintedJsonInDataFails) {
  const auto r = lint("data: {\n  \"a\": 1\n}\n\n");
  EXPECT_EQ(r.at("stream/fields/data-continuation").verdict, Verdict::fail);
  EXPECT_EQ(r.at("stream/fields/unknown-name").verdict, Verdict::pass);
  EXPECT_EQ(verdict("date: 1\ndata: x\n\n", "stream/fields/data-continuation"), "pass");  // before any data: a typo
}

TEST(LintTest, InvalidUtf8Fails) {
  EXPECT_EQ(verdict("data: \xC3\x28\n\n", "stream/encoding/utf-8"), "fail");
  EXPECT_EQ(verdict("data: \xC3\xA9\n\n", "stream/encoding/utf-8", 1), "pass");  // split inside a sequence
}

TEST(LintTest, UnknownFieldNameWarns) {
  const auto r = lint("date: 2024\ndata: x\n\n");
  EXPECT_EQ(r.at("stream/fields/unknown-name").verdict, Verdict::warn);
  EXPECT_NE(r.at("stream/fields/unknown-name").message.find("date: 2024"), std::string::npos);
  EXPECT_EQ(verdict("Data: x\n\n", "stream/fields/unknown-name"), "warn");  // names are case-sensitive
}

TEST(LintTest, IdWithNullWarns) {
  EXPECT_EQ(verdict(std::string("id: 1") + '\0' + "2\ndata: x\n\n", "stream/fields/id-null"), "warn");
  EXPECT_EQ(verdict("id: 12\ndata: x\n\n", "stream/fields/id-null"), "pass");
}

TEST(LintTest, RetryThatIsNotDigitsWarns) {
  EXPECT_EQ(verdict("retry: 3s\n\n", "stream/fields/retry-digits"), "warn");
  EXPECT_EQ(verdict("retry:\n\n", "stream/fields/retry-digits"), "warn");
  EXPECT_EQ(verdict("retry: 3000\n\n", "stream/fields/retry-digits"), "pass");
}

TEST(LintTest, SecondLeadingSpaceWarnsForIdAndIsNotedForData) {
  EXPECT_EQ(verdict("id:  7\ndata: x\n\n", "stream/fields/extra-space"), "warn");
  EXPECT_EQ(verdict("data:  x\n\n", "stream/fields/extra-space"), "info");
  EXPECT_EQ(verdict("data:x\n\ndata: x\n\n", "stream/fields/extra-space"), "pass");
}

TEST(LintTest, BomAfterStartWarns) {
  EXPECT_EQ(verdict("data: a\n\n\xEF\xBB\xBF" "data: b\n\n", "stream/grammar/bom-position"), "warn");
  EXPECT_EQ(verdict("\xEF\xBB\xBF" "data: b\n\n", "stream/grammar/bom-position", 1), "pass");
}

TEST(LintTest, HugeLineStopsAtLimit) {
  Limits limits;
  limits.max_line_bytes = 1024;
  const auto r = lint("data: " + std::string(4096, 'x') + "\n\n", 100, limits);
  EXPECT_EQ(r.at("stream/limits/line-length").verdict, Verdict::warn);
  EXPECT_EQ(r.at("stream/grammar/event-terminated").verdict, Verdict::skip);
}

// One rule for `server` and `lint` (issue 17): a line past the limit is read on for its end.
TEST(LintTest, HugeLineThatEndsPassesLineEnds) {
  Limits limits;
  limits.max_line_bytes = 1024;
  for (std::size_t piece : {0, 100, 1}) {
    const auto r = lint("data: " + std::string(4096, 'x') + "\n\ndata: after\n\n", piece, limits);
    EXPECT_EQ(r.at("stream/limits/line-ends").verdict, Verdict::pass) << "piece " << piece << ": " << r.at("stream/limits/line-ends").message;
  }
}

TEST(LintTest, HugeLineThatNeverEndsFailsLineEnds) {
  Limits limits;
  limits.max_line_bytes = 1024;
  for (std::size_t piece : {0, 100, 1}) {
    // Short lines before it end, in the same piece as the stop: they are not the long line's end.
    const auto r = lint("data: a\n\nid: 1\ndata: " + std::string(4096, 'x'), piece, limits);
    EXPECT_EQ(r.at("stream/limits/line-ends").verdict, Verdict::fail) << "piece " << piece;
    EXPECT_NE(r.at("stream/limits/line-ends").message.find("never ends"), std::string::npos) << r.at("stream/limits/line-ends").message;
  }
}

TEST(LintTest, LineEndsPassesWhenNoLimitBroke) {
  EXPECT_EQ(verdict("data: a\n\n", "stream/limits/line-ends"), "pass");
}

TEST(StreamInspectorTest, ReadsOnAfterALineTooLongForItsEnd) {
  Limits limits;
  limits.max_line_bytes = 16;
  StreamInspector s(limits);
  EXPECT_EQ(s.feed("data: 0123456789abcdef", 0.1), Status::line_too_long);
  EXPECT_TRUE(s.awaiting_long_line_end());
  EXPECT_EQ(s.feed("more bytes", 0.2), Status::line_too_long);
  EXPECT_TRUE(s.awaiting_long_line_end());
  EXPECT_EQ(s.unparsed_bytes(), 10u);
  EXPECT_EQ(s.bytes(), 32u);
  s.feed("end\rdata: x\n\n", 0.3);
  EXPECT_FALSE(s.awaiting_long_line_end());
  EXPECT_EQ(s.events(), 0u);  // nothing after a limit is parsed
}

TEST(StreamInspectorTest, ALongLineThatEndedInItsPieceIsNotAwaited) {
  Limits limits;
  limits.max_line_bytes = 16;
  StreamInspector s(limits);
  EXPECT_EQ(s.feed("data: 0123456789abcdef\n", 0.1), Status::line_too_long);
  EXPECT_FALSE(s.awaiting_long_line_end());
}

// While a server's stream is still open, the verdict says reading stopped, not that the line never ends.
TEST(LintTest, LineStillOpenAtTheDeadlineFails) {
  Limits limits;
  limits.max_line_bytes = 16;
  StreamInspector s(limits);
  s.feed("data: " + std::string(64, 'x'), 0.1);
  s.feed(std::string(64, 'x'), 1.1);
  StreamContext open;
  open.watched_s = 2;
  for (auto& r : stream_checks(s, open)) {
    if (r.id != "stream/limits/line-ends") continue;
    EXPECT_EQ(r.verdict, Verdict::fail);
    EXPECT_NE(r.message.find("had not ended when reading stopped after 2"), std::string::npos) << r.message;
  }
}

TEST(StreamInspectorTest, RecordsArrivalTimesAndGaps) {
  StreamInspector s;
  s.feed("data: a\n", 0.1);
  s.feed("\n", 0.5);
  s.feed(": ping\n", 2.0);
  EXPECT_EQ(s.events(), 1u);
  EXPECT_DOUBLE_EQ(s.first_event_at(), 0.5);
  EXPECT_DOUBLE_EQ(s.max_byte_gap(), 1.5);
  EXPECT_EQ(s.comments(), 1u);
  EXPECT_FALSE(s.mid_event());
}

}  // namespace
}  // namespace ssespec
