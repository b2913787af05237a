// `ssespec load` against the reference server on 127.0.0.1: what it counts must match what the
// server did (assertions on counts, not on timings).
#include <gtest/gtest.h>

#include "load/load_run.hpp"
#include "server/reference_server.hpp"

namespace ssespec::load {
namespace {

TEST(LoadTest, HoldsEveryDemoClockStreamAndMeasuresTheTicks) {
  server::ReferenceServer server;
  server.start();
  LoadOptions options;
  options.url = server.base_url() + "/demo/clock";
  options.clients = 20;
  options.duration_s = 2.5;  // the catch-up event plus at least one whole-second tick
  const LoadResult r = run_load(options);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.held_at_end, 20);
  EXPECT_EQ(r.connect_failures, 0u);
  EXPECT_EQ(r.server_resets + r.server_closes, 0u);
  EXPECT_EQ(r.first_event_ms.count(), 20u);
  EXPECT_GE(r.events, 40u);
  EXPECT_EQ(r.lag_ms.count(), r.events - 20) << "every tick after the first carries its Unix second as id";
  EXPECT_EQ(r.spread_ms.count(), r.events - 20);
  EXPECT_EQ(r.before_timestamp, 0u) << "a tick stamped with a second sent before that second began";
}

TEST(LoadTest, CountsResetsAndReconnectsWithLastEventId) {
  server::ReferenceServer server;
  server.start();
  const std::string id = server.create_session(server::script_from_json(R"({"connections": [
      {"status": 200, "headers": [["Content-Type", "text/event-stream"]], "chunks": ["retry: 20\nid: 7\ndata: a\n\n"], "end": "reset"},
      {"status": 200, "headers": [["Content-Type", "text/event-stream"]], "chunks": ["data: b\n\n"], "end": "hang"}]})"));
  LoadOptions options;
  options.url = server.base_url() + server::ReferenceServer::stream_path(id);
  options.clients = 1;
  options.duration_s = 0.5;
  const LoadResult r = run_load(options);
  EXPECT_EQ(r.server_resets, 1u);
  EXPECT_EQ(r.reconnects, 1u);
  EXPECT_EQ(r.events, 2u);
  EXPECT_EQ(r.held_at_end, 1);
  const auto requests = server.requests(id);
  ASSERT_EQ(requests.size(), 2u);
  ASSERT_NE(requests[1].header("Last-Event-ID"), nullptr);
  EXPECT_EQ(*requests[1].header("Last-Event-ID"), "7");
}

TEST(LoadTest, ANon200AnswerIsAConnectFailure) {
  server::ReferenceServer server;
  server.start();
  LoadOptions options;
  options.url = server.base_url() + "/no-such-stream";
  options.clients = 3;
  options.duration_s = 0.3;
  options.reconnect = false;
  const LoadResult r = run_load(options);
  EXPECT_EQ(r.connect_failures, 3u);
  EXPECT_EQ(r.held_at_end, 0);
  EXPECT_EQ(r.events, 0u);
}

// One client, no reconnection, against a session playing `connection` (one response).
LoadResult load_one(const std::string& connection) {
  server::ReferenceServer server;
  server.start();
  const std::string id = server.create_session(server::script_from_json(R"({"connections": [)" + connection + "]}"));
  LoadOptions options;
  options.url = server.base_url() + server::ReferenceServer::stream_path(id);
  options.clients = 1;
  options.duration_s = 0.5;
  options.reconnect = false;
  return run_load(options);
}

TEST(LoadTest, ContentTypeIsExtractedAsFetchDoes) {
  // fetch's "extract a MIME type": the last Content-Type value that parses decides.
  const LoadResult two = load_one(R"({"status": 200, "headers": [["Content-Type", "text/plain"],
      ["Content-Type", "text/event-stream"]], "chunks": ["data: a\n\n"], "end": "hang"})");
  EXPECT_EQ(two.held_at_end, 1);
  EXPECT_EQ(two.connect_failures, 0u);
  EXPECT_EQ(two.events, 1u);
  // The essence is text/plain; the words text/event-stream in a parameter do not make a stream.
  const LoadResult parameter = load_one(R"({"status": 200, "headers": [["Content-Type",
      "text/plain;a=text/event-stream"]], "chunks": ["data: a\n\n"], "end": "hang"})");
  EXPECT_EQ(parameter.held_at_end, 0);
  EXPECT_EQ(parameter.connect_failures, 1u);
  EXPECT_EQ(parameter.events, 0u);
}

TEST(LoadTest, ChunkedBodyIsUnframedAndEndsAtTheLastChunk) {
  // A chunk split across writes, a chunk extension, then the last chunk: the body ends there
  // (a client reconnects), though the connection stays open.
  const LoadResult r = load_one(R"({"status": 200, "headers": [["Content-Type", "text/event-stream"],
      ["Transfer-Encoding", "chunked"]], "chunks": ["7;x=y\r\ndata", {"delayMs": 20}, ": a\r\n2\r\n\n\n\r\n",
      {"delayMs": 20}, "0\r\n\r\n"], "end": "hang"})");
  EXPECT_EQ(r.events, 1u);
  EXPECT_EQ(r.server_closes, 1u);
  EXPECT_EQ(r.held_at_end, 0);
  EXPECT_EQ(r.oversized, 0u);
}

TEST(LoadTest, BrokenChunkedFramingEndsTheStream) {
  const LoadResult r = load_one(R"({"status": 200, "headers": [["Content-Type", "text/event-stream"],
      ["Transfer-Encoding", "chunked"]], "chunks": ["9\r\ndata: a\n\n\r\nzz\r\n"], "end": "hang"})");
  EXPECT_EQ(r.events, 1u);
  EXPECT_EQ(r.server_closes, 1u);
  EXPECT_EQ(r.held_at_end, 0);
}

TEST(LoadTest, BadUrlIsAnErrorNotAMeasurement) {
  LoadOptions options;
  options.url = "https://127.0.0.1:1/x";
  EXPECT_NE(run_load(options).error, "");
}

TEST(LoadTest, TimestampsFromIdOrData) {
  EXPECT_EQ(timestamp_ms("1764079200", ""), 1764079200000.0);
  EXPECT_EQ(timestamp_ms("", "1764079200123"), 1764079200123.0);
  EXPECT_EQ(timestamp_ms("", "2025-11-25T14:00:00Z"), 1764079200000.0);
  EXPECT_EQ(timestamp_ms("", "2025-11-25T14:00:00.5Z"), 1764079200500.0);
  EXPECT_EQ(timestamp_ms("7", "hello"), -1);
  EXPECT_EQ(timestamp_ms("", "2025-11-25T14:00:00+01:00"), -1);
}

TEST(LoadTest, HistogramPercentiles) {
  Histogram h;
  for (int i = 1; i <= 100; ++i) h.record(i);
  EXPECT_NEAR(h.percentile(50), 50, 0.2);
  EXPECT_NEAR(h.percentile(99), 99, 0.2);
  EXPECT_EQ(h.max(), 100);
}

}  // namespace
}  // namespace ssespec::load
