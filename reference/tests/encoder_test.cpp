// The reference encoder: what it writes, what it refuses, and that the reference parser reads
// every message back as it was sent (data after the parser's CRLF/CR-to-LF reading).
#include "ssespec/encoder.hpp"

#include <gtest/gtest.h>

#include <random>

#include "ssespec/parser.hpp"

namespace ssespec {
namespace {

Message data_message(std::string data) {
  Message m;
  m.data = std::move(data);
  return m;
}

std::string bytes_of(const Message& m) {
  const Encoded e = encode(m);
  EXPECT_EQ(e.error, EncodeError::none);
  return e.bytes;
}

Observation event(std::string type, std::string data, std::string id) {
  return {Observation::Kind::event, std::move(type), std::move(data), std::move(id), 0};
}

TEST(Encoder, WritesOneDataLinePerLine) {
  EXPECT_EQ(bytes_of(data_message("a\nb\rc\r\nd")), "data: a\ndata: b\ndata: c\ndata: d\n\n");
}

TEST(Encoder, LineBreaksAsRead) {
  EXPECT_EQ(with_lf_line_breaks("a\r\nb\rc\nd\n\re"), "a\nb\nc\nd\n\ne");
}

TEST(Encoder, LfThenCrIsTwoLineBreaks) {
  EXPECT_EQ(bytes_of(data_message("a\n\rb")), "data: a\ndata:\ndata: b\n\n");
  EXPECT_EQ(collect(bytes_of(data_message("a\n\rb"))), std::vector<Observation>{event("message", "a\n\nb", "")});
}

TEST(Encoder, KeepsLeadingAndTrailingLineBreaks) {
  EXPECT_EQ(collect(bytes_of(data_message("\nx\n"))), std::vector<Observation>{event("message", "\nx\n", "")});
  EXPECT_EQ(collect(bytes_of(data_message("\n\n"))), std::vector<Observation>{event("message", "\n\n", "")});
}

TEST(Encoder, EmptyDataIsStillAnEvent) {
  EXPECT_EQ(bytes_of(data_message("")), "data:\n\n");
  EXPECT_EQ(collect(bytes_of(data_message(""))), std::vector<Observation>{event("message", "", "")});
}

TEST(Encoder, LeadingSpaceSurvivesTheParsersSpaceRemoval) {
  EXPECT_EQ(bytes_of(data_message(" x")), "data:  x\n\n");
  EXPECT_EQ(collect(bytes_of(data_message(" x"))), std::vector<Observation>{event("message", " x", "")});
}

TEST(Encoder, ColonAndFieldTextInsideDataStayData) {
  EXPECT_EQ(collect(bytes_of(data_message(":not a comment\ndata: y\nid: 3"))),
            std::vector<Observation>{event("message", ":not a comment\ndata: y\nid: 3", "")});
}

TEST(Encoder, RefusesLineBreaksInEventAndId) {
  for (const char* bad : {"a\nb", "a\rb", "a\r\nb", "\n"}) {
    Message m = data_message("x");
    m.event = bad;
    EXPECT_EQ(encode(m).error, EncodeError::line_break_in_event) << bad;
    EXPECT_EQ(encode(m).bytes, "");
    m.event.reset();
    m.id = bad;
    EXPECT_EQ(encode(m).error, EncodeError::line_break_in_id) << bad;
  }
}

TEST(Encoder, RefusesNulInId) {
  Message m = data_message("x");
  m.id = std::string("a\0b", 3);
  EXPECT_EQ(encode(m).error, EncodeError::null_in_id);
  EXPECT_STREQ(to_string(EncodeError::null_in_id), "the id holds U+0000 NULL");
}

TEST(Encoder, AllowsNulInDataAndEvent) {
  Message m = data_message(std::string("a\0b", 3));
  m.event = std::string("t\0", 2);
  EXPECT_EQ(collect(bytes_of(m)), std::vector<Observation>{event(std::string("t\0", 2), std::string("a\0b", 3), "")});
}

TEST(Encoder, EmptyIdIsWrittenAndResetsTheLastEventId) {
  Message first = data_message("1");
  first.id = "7";
  Message second = data_message("2");
  second.id = "";
  EXPECT_EQ(bytes_of(second), "id:\ndata: 2\n\n");
  EXPECT_EQ(collect(bytes_of(first) + bytes_of(second)),
            (std::vector<Observation>{event("message", "1", "7"), event("message", "2", "")}));
}

TEST(Encoder, SplitsCommentsIntoCommentLines) {
  Message m;
  m.comment = "one\ntwo\r\nthree\r";
  EXPECT_EQ(bytes_of(m), ": one\n: two\n: three\n:\n\n");
  EXPECT_TRUE(collect(bytes_of(m)).empty());
}

TEST(Encoder, WritesRetryAsDigits) {
  Message m;
  m.retry = 0;
  EXPECT_EQ(bytes_of(m), "retry: 0\n\n");
  m.retry = 18446744073709551615u;
  EXPECT_EQ(bytes_of(m), "retry: 18446744073709551615\n\n");
}

TEST(Encoder, AllFieldsInOneEvent) {
  Message m = data_message("d");
  m.event = "tick";
  m.id = "42";
  m.retry = 1500;
  m.comment = "hi";
  EXPECT_EQ(bytes_of(m), ": hi\nevent: tick\nid: 42\nretry: 1500\ndata: d\n\n");
  EXPECT_EQ(collect(bytes_of(m)), (std::vector<Observation>{{Observation::Kind::retry, "", "", "", 1500}, event("tick", "d", "42")}));
}

TEST(Encoder, MessageWithoutDataEndsItsEventButDispatchesNothing) {
  Message m;
  m.event = "tick";
  m.id = "5";
  Parser parser;
  struct Count : EventSink {
    int events = 0;
    void on_event(const Event&) override { ++events; }
  } sink;
  parser.feed(bytes_of(m), sink);
  EXPECT_EQ(sink.events, 0);
  EXPECT_FALSE(parser.mid_event());
  EXPECT_EQ(parser.last_event_id(), "5");
  // The event type does not leak into the next message.
  EXPECT_EQ(collect(bytes_of(m) + bytes_of(data_message("x"))), std::vector<Observation>{event("message", "x", "5")});
}

// Any data, event and id over a small alphabet of the characters that matter comes back intact.
TEST(Encoder, RandomMessagesRoundTrip) {
  std::mt19937 random(16);
  const std::vector<std::string> alphabet{"a", "b", " ", ":", "\r", "\n", std::string(1, '\0'), "\xef\xbb\xbf"};
  const auto text = [&](int max) {
    std::string s;
    for (int n = std::uniform_int_distribution<int>(0, max)(random); n > 0; --n) {
      s += alphabet[std::uniform_int_distribution<std::size_t>(0, alphabet.size() - 1)(random)];
    }
    return s;
  };
  for (int i = 0; i < 2000; ++i) {
    Message m = data_message(text(12));
    m.event = text(4);
    m.id = text(4);
    m.comment = text(6);
    const Encoded e = encode(m);
    const bool bad_event = m.event->find_first_of("\r\n") != std::string::npos;
    const bool bad_id = m.id->find_first_of(std::string("\r\n\0", 3)) != std::string::npos;
    ASSERT_EQ(e.error == EncodeError::none, !bad_event && !bad_id) << i;
    if (e.error != EncodeError::none) continue;
    // A prime in front, so that a BOM at the start of the data is not the stream's BOM.
    const auto seen = collect("id: prev\n\n" + e.bytes);
    const std::string type = m.event->empty() ? "message" : *m.event;
    ASSERT_EQ(seen, std::vector<Observation>{event(type, with_lf_line_breaks(*m.data), *m.id)}) << i;
  }
}

}  // namespace
}  // namespace ssespec
