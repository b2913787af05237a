// The I/O-free HTTP/2 client session against an nghttp2 server session, in memory: what the
// server sends arrives as events, unjudged (uppercase and connection-specific names kept).
#include <gtest/gtest.h>

#include <nghttp2/nghttp2.h>

#include "h2_server_session.hpp"
#include "server_check/h2/h2_session.hpp"

namespace ssespec::h2 {
namespace {

using test::Request;
using test::ServerSession;

// Moves bytes both ways until neither side has any to send; returns the client's events.
// `piece` > 0 feeds the client that many bytes at a time.
std::vector<Event> pump(ClientSession& client, ServerSession& server, std::vector<Request>* requests = nullptr,
                        std::size_t piece = 0) {
  std::vector<Event> events;
  for (int round = 0; round < 100; ++round) {
    const std::string to_server = client.take_output();
    std::vector<Request> got = server.feed(to_server);
    if (requests != nullptr) requests->insert(requests->end(), got.begin(), got.end());
    const std::string to_client = server.take_output();
    if (to_server.empty() && to_client.empty()) break;
    for (std::size_t at = 0; at < to_client.size();) {
      const std::size_t n = piece == 0 ? to_client.size() : std::min(piece, to_client.size() - at);
      for (Event& e : client.feed(std::string_view(to_client).substr(at, n))) events.push_back(std::move(e));
      at += n;
    }
  }
  return events;
}

std::vector<Event> of_kind(const std::vector<Event>& events, EventKind kind) {
  std::vector<Event> out;
  for (const Event& e : events)
    if (e.kind == kind) out.push_back(e);
  return out;
}

std::string data_of(const std::vector<Event>& events) {
  std::string data;
  for (const Event& e : of_kind(events, EventKind::data)) data += e.data;
  return data;
}

const Fields kStream{{":status", "200"}, {"content-type", "text/event-stream"}};

TEST(H2Session, SendsTheRequestAndReceivesTheHeadAsSent) {
  ClientSession client;
  ServerSession server;
  const std::int32_t id = client.get("https", "example.test:8443", "/events", {{"accept", "text/event-stream"}});
  std::vector<Request> requests;
  pump(client, server, &requests);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].stream, id);
  EXPECT_EQ(requests[0].field(":path"), "/events");
  EXPECT_EQ(requests[0].field(":authority"), "example.test:8443");
  EXPECT_EQ(requests[0].field("accept"), "text/event-stream");

  Fields head = kStream;
  head.emplace_back("Connection", "keep-alive");  // forbidden in h2, and uppercase: still delivered
  head.emplace_back("transfer-encoding", "chunked");
  server.respond(id, head);
  server.send(id, "data: a\n\n");
  const std::vector<Event> events = pump(client, server);
  const auto heads = of_kind(events, EventKind::headers);
  ASSERT_EQ(heads.size(), 1u);
  EXPECT_EQ(heads[0].stream, id);
  EXPECT_EQ(heads[0].fields, head);
  EXPECT_EQ(data_of(events), "data: a\n\n");
  EXPECT_TRUE(of_kind(events, EventKind::end_stream).empty());
  EXPECT_TRUE(client.alive());
}

TEST(H2Session, EndStreamAndResetsAreEvents) {
  ClientSession client;
  ServerSession server;
  const std::int32_t a = client.get("https", "h", "/a", {});
  const std::int32_t b = client.get("https", "h", "/b", {});
  pump(client, server);
  server.respond(a, kStream);
  server.send(a, "data: x\n\n", true);
  server.respond(b, kStream);
  server.reset(b, NGHTTP2_INTERNAL_ERROR);
  const std::vector<Event> events = pump(client, server);
  const auto ends = of_kind(events, EventKind::end_stream);
  ASSERT_EQ(ends.size(), 1u);
  EXPECT_EQ(ends[0].stream, a);
  const auto resets = of_kind(events, EventKind::reset);
  ASSERT_EQ(resets.size(), 1u);
  EXPECT_EQ(resets[0].stream, b);
  EXPECT_EQ(error_name(resets[0].code), "INTERNAL_ERROR");
}

TEST(H2Session, GoawayAndSettingsAreEvents) {
  ClientSession client;
  ServerSession server(2);
  client.get("https", "h", "/", {});
  const std::vector<Event> first = pump(client, server);
  EXPECT_FALSE(of_kind(first, EventKind::settings).empty());
  EXPECT_EQ(client.max_concurrent_streams(), 2u);
  server.goaway(NGHTTP2_NO_ERROR);
  const auto goaways = of_kind(pump(client, server), EventKind::goaway);
  ASSERT_EQ(goaways.size(), 1u);
  EXPECT_EQ(goaways[0].code, 0u);
  EXPECT_EQ(goaways[0].last_stream, 1);
}

TEST(H2Session, NoMaxConcurrentStreamsMeansUnlimited) {
  ClientSession client;
  ServerSession server;
  client.get("https", "h", "/", {});
  pump(client, server);
  EXPECT_EQ(client.max_concurrent_streams(), 0xffffffffu);
}

TEST(H2Session, CancelResetsTheStreamAtTheServer) {
  ClientSession client;
  ServerSession server;
  const std::int32_t id = client.get("https", "h", "/", {});
  pump(client, server);
  server.respond(id, kStream);
  pump(client, server);
  client.cancel(id);
  pump(client, server);
  ASSERT_EQ(server.closed().size(), 1u);
  EXPECT_EQ(server.closed()[0], id);
}

TEST(H2Session, ManualWindowHoldsDataUntilGranted) {
  SessionOptions options;
  options.initial_window = 16;
  options.manual_window = true;
  ClientSession client(options);
  ServerSession server;
  const std::int32_t id = client.get("https", "h", "/", {});
  pump(client, server);
  server.respond(id, kStream);
  server.send(id, std::string(100, 'x'));
  EXPECT_EQ(data_of(pump(client, server)).size(), 16u);
  client.grant(id, 84);
  EXPECT_EQ(data_of(pump(client, server)).size(), 84u);
}

TEST(H2Session, ByteByByteGivesTheSameEvents) {
  for (const std::size_t piece : {std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{0}}) {
    ClientSession client;
    ServerSession server;
    const std::int32_t id = client.get("https", "h", "/", {});
    pump(client, server, nullptr, piece);
    server.respond(id, kStream);
    server.send(id, "id: 1\ndata: hello\n\n", true);
    const std::vector<Event> events = pump(client, server, nullptr, piece);
    ASSERT_EQ(of_kind(events, EventKind::headers).size(), 1u) << "piece " << piece;
    EXPECT_EQ(of_kind(events, EventKind::headers)[0].fields, kStream) << "piece " << piece;
    EXPECT_EQ(data_of(events), "id: 1\ndata: hello\n\n") << "piece " << piece;
    EXPECT_EQ(of_kind(events, EventKind::end_stream).size(), 1u) << "piece " << piece;
  }
}

// nghttp2's CONTINUATION limit counts reads, not frames (nghttp2/nghttp2#2817): one CONTINUATION whose
// frame header arrives byte by byte goes over the limit of 8. h2_session_fuzz exempts such inputs
// from its whole-versus-pieces comparison; when this test fails, nghttp2 is fixed and the
// exemption should go.
TEST(H2Session, NghttpCountsEachReadOfAContinuationHeader) {
  using namespace std::string_literals;
  const std::string frames = "\0\0\0\x04\0\0\0\0\0"s        // SETTINGS, empty
                             "\0\0\0\x01\0\0\0\0\x01"s      // HEADERS, empty, no END_HEADERS, stream 1
                             "\0\0\0\x09\x04\0\0\0\x01"s;   // CONTINUATION, empty, END_HEADERS
  for (const std::size_t piece : {frames.size(), std::size_t{1}}) {
    ClientSession client;
    client.get("https", "h", "/", {});
    client.take_output();
    std::vector<Event> events;
    for (std::size_t at = 0; at < frames.size(); at += piece) {
      for (Event& e : client.feed(std::string_view(frames).substr(at, piece))) events.push_back(std::move(e));
    }
    if (piece == 1) {
      const auto errors = of_kind(events, EventKind::session_error);
      ASSERT_EQ(errors.size(), 1u);
      EXPECT_EQ(errors[0].text, nghttp2_strerror(NGHTTP2_ERR_TOO_MANY_CONTINUATIONS));
    } else {
      EXPECT_EQ(of_kind(events, EventKind::headers).size(), 1u);
      EXPECT_TRUE(of_kind(events, EventKind::session_error).empty());
    }
  }
}

TEST(H2Session, NotHttp2IsASessionError) {
  ClientSession client;
  client.get("https", "h", "/", {});
  client.take_output();
  const std::vector<Event> events = client.feed("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n");
  const auto errors = of_kind(events, EventKind::session_error);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_FALSE(errors[0].text.empty());
  EXPECT_FALSE(client.alive());
}

}  // namespace
}  // namespace ssespec::h2
