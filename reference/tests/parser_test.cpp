// Hand-written tests of the parser's API contract. The spec rules themselves are covered by the
// fixture corpus (conformance/tests), run at many chunkings.
#include "ssespec/parser.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace ssespec {
namespace {

struct Recorder : EventSink {
  std::vector<Observation> seen;
  std::vector<std::string> comments;
  void on_event(const Event& e) override {
    seen.push_back({Observation::Kind::event, std::string(e.type), std::string(e.data),
                    std::string(e.last_event_id), 0});
  }
  void on_retry(std::uint64_t ms) override { seen.push_back({Observation::Kind::retry, {}, {}, {}, ms}); }
  void on_comment(std::string_view text) override { comments.emplace_back(text); }
};

Observation message(std::string data, std::string id = "", std::string type = "message") {
  return {Observation::Kind::event, std::move(type), std::move(data), std::move(id), 0};
}

// Feeds each piece from its own exactly-sized heap buffer, so ASan sees any over-read.
std::vector<Observation> feed_pieces(Parser& parser, const std::vector<std::string>& pieces) {
  Recorder sink;
  for (const std::string& piece : pieces) {
    std::unique_ptr<char[]> copy(new char[piece.size()]);
    std::copy(piece.begin(), piece.end(), copy.get());
    parser.feed(std::string_view(copy.get(), piece.size()), sink);
  }
  return sink.seen;
}

TEST(ParserTest, CrSplitFromLfIsOneLineBreak) {
  Parser parser;
  const auto seen = feed_pieces(parser, {"data: a\r", "\ndata: b\r", "\n\r", "\n"});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], message("a\nb"));
}

TEST(ParserTest, LoneCrAtSliceEndThenDataIsALineBreak) {
  Parser parser;
  const auto seen = feed_pieces(parser, {"data: a\r", "\r"});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], message("a"));
}

TEST(ParserTest, EmptySliceChangesNothing) {
  Parser parser;
  const auto seen = feed_pieces(parser, {"data: a\r", "", "\n", "", "\n"});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], message("a"));
}

TEST(ParserTest, CommentsReachTheSinkWithoutColon) {
  Parser parser;
  Recorder sink;
  parser.feed(":keep-alive\n: x\n\n", sink);
  EXPECT_TRUE(sink.seen.empty());
  EXPECT_EQ(sink.comments, (std::vector<std::string>{"keep-alive", " x"}));
}

TEST(ParserTest, PauseStopsDispatchWithinTheSameSlice) {
  struct Closer : EventSink {
    Parser* parser = nullptr;
    int events = 0;
    void on_event(const Event&) override {
      ++events;
      parser->pause();
    }
  } sink;
  Parser parser;
  sink.parser = &parser;
  EXPECT_EQ(parser.feed("data: 1\n\ndata: 2\n\n", sink), Status::paused);
  EXPECT_EQ(parser.feed("data: 3\n\n", sink), Status::paused);
  EXPECT_EQ(sink.events, 1);
}

TEST(ParserTest, LineLimitIsStickyUntilReset) {
  Parser parser(Limits{8, 1024});
  Recorder sink;
  EXPECT_EQ(parser.feed("data: ok\n\n", sink), Status::ok);
  EXPECT_EQ(parser.feed("data: 123", sink), Status::line_too_long);
  EXPECT_TRUE(parser.long_line_unfinished());  // stopped while the line was still arriving
  EXPECT_EQ(parser.feed("\n\ndata: x\n\n", sink), Status::line_too_long);
  ASSERT_EQ(sink.seen.size(), 1u);
  parser.reset();
  EXPECT_FALSE(parser.long_line_unfinished());
  EXPECT_EQ(parser.feed("data: y\n\n", sink), Status::ok);
  EXPECT_EQ(sink.seen.back(), message("y"));
}

TEST(ParserTest, LineLimitAppliesToLinesWithinOneSlice) {
  Parser parser(Limits{8, 1024});
  Recorder sink;
  EXPECT_EQ(parser.feed("data: 123456789\n\n", sink), Status::line_too_long);
  EXPECT_FALSE(parser.long_line_unfinished());  // its line break was in the slice
  EXPECT_TRUE(sink.seen.empty());
}

TEST(ParserTest, EventLimitBoundsTheDataBuffer) {
  Parser parser(Limits{64, 10});
  Recorder sink;
  EXPECT_EQ(parser.feed("data: 1234\ndata: 1234\n", sink), Status::ok);
  EXPECT_EQ(parser.feed("data: 1\n\n", sink), Status::event_too_large);
  EXPECT_STREQ(to_string(parser.status()), "event_too_large");
}

TEST(ParserTest, ResetKeepsLastEventIdAndRearmsBom) {
  Parser parser;
  Recorder sink;
  parser.feed("\xEF\xBB\xBFid: 7\ndata: a\n\n", sink);
  parser.reset();
  parser.feed("\xEF\xBB\xBF" "data: b\n\n", sink);
  ASSERT_EQ(sink.seen.size(), 2u);
  EXPECT_EQ(sink.seen[1], message("b", "7"));
}

TEST(ParserTest, IdOfUnterminatedEventNeverBecomesLastEventId) {
  Parser parser;
  Recorder sink;
  parser.feed("id: 1\ndata: a\n\nid: 2\ndata: b\n", sink);
  EXPECT_EQ(parser.last_event_id(), "1");
  parser.finish();
  EXPECT_EQ(parser.last_event_id(), "1");
  parser.feed("data: c\n\n", sink);
  EXPECT_EQ(sink.seen.back(), message("c", "1"));
}

TEST(ParserTest, IdWithEmptyDataStillSetsLastEventId) {
  Parser parser;
  Recorder sink;
  parser.feed("id: 5\n\n", sink);
  EXPECT_TRUE(sink.seen.empty());
  EXPECT_EQ(parser.last_event_id(), "5");
}

TEST(ParserTest, FinishDiscardsThePendingEventAndLine) {
  Parser parser;
  Recorder sink;
  parser.feed("data: a\n\ndata: b\ndat", sink);
  parser.finish();
  parser.feed("a: c\n\n", sink);  // would complete "data: c" had "dat" been kept
  ASSERT_EQ(sink.seen.size(), 1u);
  EXPECT_EQ(sink.seen[0], message("a"));
}

TEST(ParserTest, RetryOverflowingSixtyFourBitsIsIgnored) {
  EXPECT_TRUE(collect("retry: 18446744073709551616\n").empty());
  const auto seen = collect("retry: 18446744073709551615\n");
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].retry, UINT64_MAX);
}

TEST(ParserTest, EveryTwoWaySplitMatchesWholeStream) {
  const std::string stream =
      "\xEF\xBB\xBF: c\r\nid: \xE2\x82\xAC\rdata: \xF0\x9F\x98\x80\xFF\r\n\r\nevent: e\ndata\n"
      "retry: 12\n\ndata: \xE2\x82\n\r";
  const auto whole = collect(stream);
  ASSERT_EQ(whole.size(), 4u);
  for (std::size_t at = 0; at <= stream.size(); ++at) {
    Parser parser;
    EXPECT_EQ(feed_pieces(parser, {stream.substr(0, at), stream.substr(at)}), whole) << "split at " << at;
  }
}

}  // namespace
}  // namespace ssespec

namespace ssespec {
namespace {

TEST(ParserTest, DataLineSplitAcrossSlicesIsAdoptedIntact) {
  const std::string long_value(300, 'x');
  for (const std::size_t cut : {std::size_t{2}, std::size_t{6}, std::size_t{150}}) {
    Parser parser;
    const std::string first = "data: " + long_value + "\n";
    const auto seen = feed_pieces(parser, {first.substr(0, cut), first.substr(cut), "data: y\n", "\n", "da", "ta: z\n\n"});
    ASSERT_EQ(seen.size(), 2u) << "cut " << cut;
    EXPECT_EQ(seen[0], message(long_value + "\ny")) << "cut " << cut;
    EXPECT_EQ(seen[1], message("z")) << "cut " << cut;
  }
}

TEST(ParserTest, ShortDataLineSplitAcrossSlicesIsAdoptedIntact) {
  Parser parser;
  const auto seen = feed_pieces(parser, {"da", "ta: a", "\n", "data", ":b\n\n"});
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], message("a\nb"));
}

}  // namespace
}  // namespace ssespec

namespace ssespec {
namespace {

// pause() from any callback stops everything after it, not only from on_event.
struct PauseOn : EventSink {
  Parser* parser = nullptr;
  std::vector<std::string> calls;
  std::string pause_in;
  void note(const std::string& what) {
    calls.push_back(what);
    if (what == pause_in) parser->pause();
  }
  void on_event(const Event&) override { note("event"); }
  void on_retry(std::uint64_t) override { note("retry"); }
  void on_comment(std::string_view) override { note("comment"); }
  void on_field(std::string_view, std::string_view) override { note("field"); }
  void on_decode_error() override { note("decode-error"); }
};

TEST(ParserTest, PauseInOnFieldStopsThatFieldToo) {
  Parser parser(Limits{1024, 4});
  PauseOn sink;
  sink.parser = &parser;
  sink.pause_in = "field";
  EXPECT_EQ(parser.feed("retry: 5\n", sink), Status::paused);
  EXPECT_EQ(sink.calls, (std::vector<std::string>{"field"}));
  parser.reset();
  sink.calls.clear();
  EXPECT_EQ(parser.feed("data: 123456\n", sink), Status::paused);  // not event_too_large
}

TEST(ParserTest, PauseInOnDecodeErrorStopsThatLine) {
  Parser parser;
  PauseOn sink;
  sink.parser = &parser;
  sink.pause_in = "decode-error";
  EXPECT_EQ(parser.feed(":\xFF\n", sink), Status::paused);
  EXPECT_EQ(sink.calls, (std::vector<std::string>{"decode-error"}));
}

}  // namespace
}  // namespace ssespec
