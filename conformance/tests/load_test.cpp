// `ssespec load` against the reference server on 127.0.0.1: what it counts must match what the
// server did (assertions on counts, not on timings).
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <stdexcept>
#include <vector>

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

// Shards' histograms, saved and read back, merge into exactly the histogram of all samples:
// the same bucket counts, so the same percentiles, to the bucket.
TEST(LoadTest, ShardHistogramsMergeExactlyThroughJson) {
  LoadOptions options;
  options.url = "http://127.0.0.1:1/x";
  LoadResult whole;
  whole.url = options.url;
  std::vector<LoadResult> shards(3);
  for (int i = 0; i < 3000; ++i) {
    const double sample = (i * 7919 % 2500) / 10.0 + (i % 13 == 0 ? 12000 : 0);  // a spread, and overflows past 10 s
    whole.lag_ms.record(sample);
    whole.events += 1;
    LoadResult& shard = shards[static_cast<std::size_t>(i % 3)];
    shard.lag_ms.record(sample);
    shard.events += 1;
  }
  LoadResult merged;
  for (std::size_t k = 0; k < shards.size(); ++k) {
    shards[k].url = options.url;
    shards[k].clients = shard_clients(10, static_cast<int>(k), 3);
    const LoadResult read = result_from_json(to_json(options, shards[k]));
    ASSERT_EQ(read.error, "");
    if (k == 0) {
      merged = read;
    } else {
      merge_into(merged, read);
    }
  }
  EXPECT_EQ(merged.shards, 3);
  EXPECT_EQ(merged.clients, 10);
  EXPECT_EQ(merged.events, whole.events);
  EXPECT_EQ(merged.lag_ms.buckets(), whole.lag_ms.buckets());
  EXPECT_EQ(merged.lag_ms.max(), whole.lag_ms.max());
  for (const double p : {50.0, 90.0, 99.0, 99.9}) EXPECT_EQ(merged.lag_ms.percentile(p), whole.lag_ms.percentile(p)) << p;
  // One shard alone does not have the whole's percentiles (the check above can fail).
  EXPECT_NE(shards[0].lag_ms.buckets(), whole.lag_ms.buckets());
}

TEST(LoadTest, ASavedResultWithBadBucketsIsRejected) {
  LoadOptions options;
  options.url = "http://127.0.0.1:1/x";
  LoadResult r;
  r.lag_ms.record(5);
  std::string json = to_json(options, r);
  EXPECT_EQ(result_from_json(json).error, "");
  const auto at = json.find("\"count\": 1");
  ASSERT_NE(at, std::string::npos);
  json.replace(at, 10, "\"count\": 2");
  EXPECT_NE(result_from_json(json).error, "") << "buckets that do not add up to the count";
  EXPECT_NE(result_from_json("{\"format\": \"ssespec-load/1\"}").error, "");
  EXPECT_NE(result_from_json("not json").error, "");
}

TEST(LoadTest, ShardSlicesAddUpToTheClients) {
  for (const int clients : {1, 7, 10, 30000}) {
    int total = 0;
    for (int k = 0; k < 4; ++k) total += shard_clients(clients, k, 4);
    EXPECT_EQ(total, clients);
  }
  EXPECT_EQ(shard_clients(10, 0, 4), 3);
  EXPECT_EQ(shard_clients(10, 3, 4), 2);
}

TEST(LoadTest, SourceAddressesAndRanges) {
  const auto addresses = parse_source_addresses("127.0.0.2,127.0.0.250-127.0.1.1");
  ASSERT_EQ(addresses.size(), 9u);
  EXPECT_EQ(ntohl(addresses[0].s_addr), 0x7f000002u);
  EXPECT_EQ(ntohl(addresses[8].s_addr), 0x7f000101u);
  EXPECT_THROW(parse_source_addresses("127.0.0.9-127.0.0.2"), std::invalid_argument);
  EXPECT_THROW(parse_source_addresses("localhost"), std::invalid_argument);
  EXPECT_THROW(parse_source_addresses(""), std::invalid_argument);
}

// Connections bound to other loopback source addresses reach the server and stream.
TEST(LoadTest, StreamsFromSeveralSourceAddresses) {
  server::ReferenceServer server;
  server.start();
  LoadOptions options;
  options.url = server.base_url() + "/demo/clock";
  options.clients = 6;
  options.duration_s = 0.5;
  options.source_addresses = parse_source_addresses("127.0.0.2-127.0.0.4");
  const LoadResult r = run_load(options);
  EXPECT_EQ(r.held_at_end, 6);
  EXPECT_EQ(r.connect_failures, 0u);
  options.source_addresses = parse_source_addresses("192.0.2.1");  // not this machine's: bind fails
  options.reconnect = false;
  EXPECT_EQ(run_load(options).connect_failures, 6u);
}

}  // namespace
}  // namespace ssespec::load
