// The reference server and the reference client's POCO transport, end to end on 127.0.0.1.
#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <thread>

#include "client/http_transport.hpp"
#include "raw_http.hpp"
#include "server/reference_server.hpp"
#include "server/stream_pump.hpp"
#include "ssespec/event_source.hpp"
#include "tests/eventually.hpp"

namespace ssespec {
namespace {

using server::ReferenceServer;
using server::Script;

std::pair<int, std::string> http_get(std::uint16_t port, const std::string& path) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path, Poco::Net::HTTPMessage::HTTP_1_1);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::string body;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
  return {static_cast<int>(response.getStatus()), body};
}

struct Trace {
  std::mutex mutex;
  std::vector<std::string> lines;
  void add(std::string line) {
    std::lock_guard<std::mutex> lock(mutex);
    lines.push_back(std::move(line));
  }
  std::vector<std::string> get() {
    std::lock_guard<std::mutex> lock(mutex);
    return lines;
  }
};

TEST(ReferenceServerTest, UnknownPathIs404) {
  ReferenceServer server;
  server.start();
  EXPECT_NE(server.port(), 0);
  EXPECT_EQ(http_get(server.port(), "/nope").first, 404);
  EXPECT_EQ(http_get(server.port(), "/s/unknown/stream").first, 404);
  EXPECT_EQ(http_get(server.port(), "/demo").first, 200);
}

// Runs the reference EventSource over the POCO transport until it is CLOSED: by close() once
// an event with data `last_data` arrives, or by a failed connection. The trace: "open", each
// event as data#lastEventId, "error:" and the readyState.
std::vector<std::string> run_traced(const std::string& url, const std::string& last_data) {
  client::HttpTransport transport;
  SteadyTimer timer;
  Trace trace;
  EventSource* self = nullptr;
  EventSourceHandlers handlers{[&] { trace.add("open"); },
                               [&](const MessageEvent& e) {
                                 trace.add(e.data + "#" + e.last_event_id);
                                 if (e.data == last_data) self->close();
                               },
                               [&](ReadyState s) { trace.add(std::string("error:") + to_string(s)); },
                               {}};
  EventSource source(url, transport, timer, handlers);
  self = &source;
  source.run();
  return trace.get();
}

TEST(ReferenceServerTest, PlaysScriptAndRecordsRequests) {
  ReferenceServer server;
  server.start();
  const Script script = server::script_from_json(R"({"connections": [
      {"status": 200, "headers": [["Content-Type", "text/event-stream"]],
       "chunks": ["retry: 30\nid: 1\ndata: a\n\n", {"delayMs": 20}, "data: b\n\n"], "end": "close"},
      {"status": 200, "headers": [["Content-Type", "text/event-stream"]], "chunks": ["data: c\n\n"], "end": "hang"}]})");
  const std::string id = server.create_session(script);
  EXPECT_EQ(run_traced(server.base_url() + ReferenceServer::stream_path(id), "c"),
            (std::vector<std::string>{"open", "a#1", "b#1", "error:CONNECTING", "open", "c#1"}));
  const auto requests = server.requests(id);
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].header("last-event-id"), nullptr);
  ASSERT_NE(requests[1].header("Last-Event-ID"), nullptr);
  EXPECT_EQ(*requests[1].header("Last-Event-ID"), "1");
  EXPECT_EQ(*requests[0].header("accept"), "text/event-stream");
  ASSERT_GE(requests[0].ended_at_ms, 0);
  EXPECT_GE(requests[1].at_ms - requests[0].ended_at_ms, 25.0);  // retry: 30, less timer slack
  server.end_session(id);
}

// fetch's "extract a MIME type" over the wire: both Content-Type fields reach the client, in
// order, and the last one that parses decides.
std::vector<std::string> trace_of_two_content_types(const std::string& first, const std::string& second) {
  ReferenceServer server;
  server.start();
  const std::string id = server.create_session(server::script_from_json(
      R"({"connections": [{"status": 200, "headers": [["Content-Type", ")" + first + R"("], ["Content-Type", ")" +
      second + R"("]], "chunks": ["data: a\n\n"], "end": "hang"}]})"));
  return run_traced(server.base_url() + ReferenceServer::stream_path(id), "a");
}

TEST(ReferenceServerTest, TextPlainThenEventStreamIsAnEventStream) {
  EXPECT_EQ(trace_of_two_content_types("text/plain", "text/event-stream"), (std::vector<std::string>{"open", "a#"}));
  EXPECT_EQ(trace_of_two_content_types("text/event-stream", "text/plain"), (std::vector<std::string>{"error:CLOSED"}));
}

TEST(ReferenceServerTest, CloseFromAnotherThreadStopsAHangingStream) {
  ReferenceServer server;
  server.start();
  const std::string id = server.create_session(server::script_from_json(
      R"({"connections": [{"status": 200, "headers": [["Content-Type", "text/event-stream"]], "end": "hang"}]})"));
  client::HttpTransport transport;
  SteadyTimer timer;
  std::atomic<bool> opened{false};
  EventSourceHandlers handlers;
  handlers.on_open = [&] { opened = true; };
  EventSource source(server.base_url() + ReferenceServer::stream_path(id), transport, timer, handlers);
  std::thread worker([&] { source.run(); });
  EXPECT_TRUE(testing::eventually([&] { return opened.load(); })) << "the stream did not open within 30 s";
  source.close();
  worker.join();
  EXPECT_EQ(source.ready_state(), ReadyState::closed);
}

TEST(ReferenceServerTest, RedirectIsFollowedToAnotherPath) {
  ReferenceServer server;
  server.start();
  const std::string id = server.create_session(server::script_from_json(R"({"connections": [
      {"status": 307, "headers": [["Location", "moved"]]},
      {"status": 200, "headers": [["Content-Type", "text/event-stream"]], "chunks": ["data: x\n\n"], "end": "hang"}]})"));
  client::HttpTransport transport;
  SteadyTimer timer;
  std::string data;
  EventSource* self = nullptr;
  EventSourceHandlers handlers;
  handlers.on_message = [&](const MessageEvent& e) {
    data = e.data;
    self->close();
  };
  EventSource source(server.base_url() + ReferenceServer::stream_path(id), transport, timer, handlers);
  self = &source;
  source.run();
  EXPECT_EQ(data, "x");
  const auto requests = server.requests(id);
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].path, "/s/" + id + "/moved");
}

TEST(ReferenceServerTest, IdleStreamsDoNotHoldPoolThreads) {
  server::ServerOptions options;
  options.max_threads = 2;
  ReferenceServer server(options);
  server.start();
  const std::string id = server.create_session(server::script_from_json(R"({"connections": [
      {"status": 200, "headers": [["Content-Type", "text/event-stream"]], "end": "hang"},
      {"status": 200, "headers": [["Content-Type", "text/event-stream"]], "end": "hang"},
      {"status": 200, "headers": [["Content-Type", "text/event-stream"]], "end": "hang"},
      {"status": 200, "headers": [["Content-Type", "text/event-stream"]], "end": "hang"},
      {"status": 200, "headers": [["Content-Type", "text/event-stream"]], "end": "hang"},
      {"status": 200, "headers": [["Content-Type", "text/event-stream"]], "end": "hang"}]})"));
  // Six held streams on a two-thread pool, and the API still answers.
  std::vector<std::unique_ptr<Poco::Net::StreamSocket>> clients;
  for (int i = 0; i < 6; ++i) {
    auto socket = std::make_unique<Poco::Net::StreamSocket>(Poco::Net::SocketAddress("127.0.0.1", server.port()));
    const std::string request = "GET " + ReferenceServer::stream_path(id) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    socket->sendBytes(request.data(), static_cast<int>(request.size()));
    char buffer[256];
    socket->setReceiveTimeout(Poco::Timespan(5, 0));
    EXPECT_GT(socket->receiveBytes(buffer, sizeof buffer), 0);
    clients.push_back(std::move(socket));
  }
  EXPECT_EQ(http_get(server.port(), "/sessions/" + id + "/requests").first, 200);
  EXPECT_EQ(server.requests(id).size(), 6u);
  testing::eventually([&] { return server.active_streams() >= 6; });
  EXPECT_EQ(server.active_streams(), 6u) << "after 30 s";
  clients.clear();  // the clients leave: the pump notices and drops their streams
  testing::eventually([&] { return server.active_streams() == 0; });
  EXPECT_EQ(server.active_streams(), 0u) << "after 30 s";
}

// The demo clock's first event after a request with `extra_headers`, parsed by the reference parser.
std::vector<Observation> demo_clock_events(const std::string& extra_headers, std::string* received_out = nullptr) {
  ReferenceServer server;
  server.start();
  Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", server.port()));
  const std::string request = "GET /demo/clock HTTP/1.1\r\nHost: x\r\n" + extra_headers + "\r\n";
  socket.sendBytes(request.data(), static_cast<int>(request.size()));
  socket.setReceiveTimeout(Poco::Timespan(3, 0));
  std::string received;
  char buffer[512];
  for (int i = 0; i < 20 && received.find("data: ") == std::string::npos; ++i) {
    const int n = socket.receiveBytes(buffer, sizeof buffer);
    if (n <= 0) break;
    received.append(buffer, static_cast<std::size_t>(n));
  }
  if (received_out) *received_out = received;
  const auto body = received.find("\r\n\r\n");
  return body == std::string::npos ? std::vector<Observation>{} : collect(received.substr(body + 4));
}

TEST(ReferenceServerTest, DemoClockResumesAfterLastEventId) {
  const long long now = static_cast<long long>(std::time(nullptr));
  std::vector<Observation> events;
  for (const Observation& o : demo_clock_events("Last-Event-ID: " + std::to_string(now) + "\r\n")) {
    if (o.kind == Observation::Kind::event) events.push_back(o);
  }
  ASSERT_FALSE(events.empty());
  EXPECT_GT(std::stoll(events.front().last_event_id), now) << "the tick of the last seen second is not sent again";
}

TEST(ReferenceServerTest, DemoClockSendsTerminatedEvents) {
  std::string received;
  const auto observations = demo_clock_events("", &received);
  EXPECT_NE(received.find("Content-Type: text/event-stream"), std::string::npos);
  const auto is_event = [](const Observation& o) { return o.kind == Observation::Kind::event; };
  EXPECT_TRUE(std::any_of(observations.begin(), observations.end(), is_event)) << "no dispatched event in:\n" << received;
}

}  // namespace
}  // namespace ssespec

namespace ssespec {
namespace {

using server::ReferenceServer;

TEST(ReferenceServerHardeningTest, SlowReaderDoesNotStopAnotherStream) {
  ReferenceServer server;
  server.start();
  // 32 MiB in 1 MiB chunks for a client that reads 16 KiB every 20 ms (about 40 s in all).
  server::Script big;
  big.connections.push_back({});
  big.connections[0].headers = {{"Content-Type", "text/event-stream"}};
  for (int i = 0; i < 32; ++i) big.connections[0].steps.push_back({"data: " + std::string(1 << 20, 'x') + "\n\n", 0});
  const std::string slow_id = server.create_session(big);
  const std::string fast_id = server.create_session(server::script_from_json(R"({"connections": [
      {"status": 200, "headers": [["Content-Type", "text/event-stream"]],
       "chunks": ["data: 1\n\n", {"delayMs": 20}, "data: 2\n\n", {"delayMs": 20}, "data: 3\n\n",
                  {"delayMs": 20}, "data: 4\n\n", {"delayMs": 20}, "data: 5\n\n"], "end": "close"}]})"));

  auto slow = raw_request(server.port(), "GET " + ReferenceServer::stream_path(slow_id) + " HTTP/1.1\r\nHost: x\r\n\r\n");
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> slow_received{0};
  std::thread slow_reader([&] {
    char buffer[16 * 1024];
    while (!stop) {
      try {
        const int n = slow->receiveBytes(buffer, sizeof buffer);
        if (n <= 0) break;
        slow_received += static_cast<std::size_t>(n);
      } catch (const Poco::Exception&) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  ASSERT_TRUE(testing::eventually([&] { return slow_received > 0; })) << "the slow reader got no byte within 30 s";

  auto fast = raw_request(server.port(), "GET " + ReferenceServer::stream_path(fast_id) + " HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string received = read_all(*fast);
  const std::size_t slow_at_end = slow_received;
  stop = true;
  slow->shutdown();
  slow_reader.join();

  const auto body = received.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos) << received;
  std::vector<std::string> data;
  for (const Observation& o : collect(received.substr(body + 4))) {
    if (o.kind == Observation::Kind::event) data.push_back(o.data);
  }
  EXPECT_EQ(data, (std::vector<std::string>{"1", "2", "3", "4", "5"}));
  EXPECT_LT(slow_at_end, 32u << 20) << "the other stream finished while the slow one was still being read";
}

// POST /sessions with a one-connection script; returns the status.
int post_session(std::uint16_t port) {
  const std::string body = R"({"connections": [{"status": 204, "end": "close"}]})";
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, "/sessions", Poco::Net::HTTPMessage::HTTP_1_1);
  request.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  std::string ignored;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), ignored);
  return static_cast<int>(response.getStatus());
}

TEST(ReferenceServerHardeningTest, AClientThatStopsReadingIsDroppedAfterTheStallBound) {
  server::ServerOptions options;
  options.max_stall = std::chrono::milliseconds(200);
  ReferenceServer server(options);
  server.start();
  server::Script big;
  big.connections.push_back({});
  big.connections[0].headers = {{"Content-Type", "text/event-stream"}};
  for (int i = 0; i < 16; ++i) big.connections[0].steps.push_back({"data: " + std::string(1 << 20, 'x') + "\n\n", 0});
  big.connections[0].end = server::End::hang;
  const std::string id = server.create_session(big);
  auto never_reads = raw_request(server.port(), "GET " + ReferenceServer::stream_path(id) + " HTTP/1.1\r\nHost: x\r\n\r\n");
  testing::eventually([&] { return server.active_streams() > 0; });
  ASSERT_EQ(server.active_streams(), 1u) << "after 30 s";
  // The pump gives up on it after the stall bound (200 ms); the wait allows 30 s.
  testing::eventually([&] { return server.active_streams() == 0; });
  EXPECT_EQ(server.active_streams(), 0u) << "after 30 s";
  EXPECT_EQ(server.pump().dropped_behind(), 1u);
}

TEST(ReferenceServerHardeningTest, SessionsBeyondTheCapAnswer503) {
  server::ServerOptions options;
  options.max_sessions = 2;
  ReferenceServer server(options);
  server.start();
  EXPECT_EQ(post_session(server.port()), 201);
  EXPECT_EQ(post_session(server.port()), 201);
  EXPECT_EQ(post_session(server.port()), 503);
  EXPECT_EQ(server.session_count(), 2u);
}

TEST(ReferenceServerHardeningTest, IdleSessionsExpireAndFreeTheirPlaces) {
  server::ServerOptions options;
  options.session_ttl = std::chrono::milliseconds(100);
  options.max_sessions = 1;
  ReferenceServer server(options);
  server.start();
  const std::string id = server.create_session(server::script_from_json(R"({"connections": [{"status": 204, "end": "close"}]})"));
  EXPECT_TRUE(testing::eventually([&] { return server.session_count() == 0; })) << "the idle session did not expire within 30 s";
  EXPECT_EQ(http_get(server.port(), "/sessions/" + id + "/requests").first, 404);
  EXPECT_EQ(http_get(server.port(), ReferenceServer::stream_path(id)).first, 404);
  EXPECT_EQ(server.session_count(), 0u);
  EXPECT_EQ(post_session(server.port()), 201) << "the expired session freed its place under the cap of 1";
}

TEST(ReferenceServerHardeningTest, ASessionWithAnOpenStreamDoesNotExpire) {
  server::ServerOptions options;
  options.session_ttl = std::chrono::milliseconds(100);
  ReferenceServer server(options);
  server.start();
  const std::string id = server.create_session(server::script_from_json(
      R"({"connections": [{"status": 200, "headers": [["Content-Type", "text/event-stream"]], "end": "hang"}]})"));
  Poco::Net::StreamSocket stream(Poco::Net::SocketAddress("127.0.0.1", server.port()));
  const std::string request = "GET " + ReferenceServer::stream_path(id) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  stream.sendBytes(request.data(), static_cast<int>(request.size()));
  char buffer[256];
  stream.setReceiveTimeout(Poco::Timespan(5, 0));
  ASSERT_GT(stream.receiveBytes(buffer, sizeof buffer), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(server.session_count(), 1u) << "its stream is still open";
}

TEST(ReferenceServerHardeningTest, StatusLineIsHttp11WithTheRightReason) {
  ReferenceServer server;
  server.start();
  auto socket = raw_request(server.port(), "GET /nope FOO/BAR\r\nHost: x\r\n\r\n");
  const std::string received = read_all(*socket);
  EXPECT_EQ(received.substr(0, received.find("\r\n")), "HTTP/1.1 404 Not Found");
}

TEST(ReferenceServerTest, WaitPlayedWakesOnceTheRequestsCameAndTheScriptWasSent) {
  ReferenceServer server;
  server.start();
  const std::string id = server.create_session(server::script_from_json(
      R"({"connections": [{"chunks": ["data: a\n\n", {"delayMs": 300}, "data: b\n\n"], "end": "close"}]})"));
  using Steady = std::chrono::steady_clock;
  EXPECT_TRUE(server.wait_played(id, 0, Steady::now())) << "nothing asked, nothing to send";
  auto started = Steady::now();
  EXPECT_FALSE(server.wait_played(id, 1, started + std::chrono::milliseconds(100))) << "no request yet";
  EXPECT_GE(Steady::now() - started, std::chrono::milliseconds(100));

  started = Steady::now();
  auto socket = raw_request(server.port(), "GET " + ReferenceServer::stream_path(id) + " HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(server.wait_played(id, 1, started + std::chrono::seconds(20))) << "the request was not seen, or not played";
  EXPECT_GE(Steady::now() - started, std::chrono::milliseconds(300)) << "woke before the pause and the last chunk";
  EXPECT_TRUE(server.session_played(id));
  EXPECT_EQ(server.requests(id).size(), 1u);
  EXPECT_NE(read_all(*socket).find("data: b\n\n"), std::string::npos);

  server.end_session(id);
  started = Steady::now();
  EXPECT_FALSE(server.wait_played(id, 1, started + std::chrono::milliseconds(50))) << "a forgotten session gets no request";
  EXPECT_GE(Steady::now() - started, std::chrono::milliseconds(50));
}

// Every answer's status line carries its own reason phrase (setStatus() alone would say "404 OK").
TEST(ReferenceServerRepliesTest, ApiAndDemoAnswersCarryTheirReasonPhrase) {
  server::ServerOptions options;
  options.max_sessions = 1;
  ReferenceServer server(options);
  server.start();
  const std::uint16_t port = server.port();
  EXPECT_EQ(status_line(raw_exchange(port, "GET", "/nope")), "HTTP/1.1 404 Not Found");
  EXPECT_EQ(status_line(raw_exchange(port, "GET", "/sessions/s999/requests")), "HTTP/1.1 404 Not Found");
  EXPECT_EQ(status_line(raw_exchange(port, "POST", "/sessions?script=nope")), "HTTP/1.1 404 Not Found");
  const std::string bad = raw_exchange(port, "POST", "/sessions", R"({"connections": [{"status": 99}]})");
  EXPECT_EQ(status_line(bad), "HTTP/1.1 400 Bad Request");
  EXPECT_NE(bad.find(R"({"error":"script: connections[0].status: expected 100..999"})"), std::string::npos) << bad;
  const std::string created = raw_exchange(port, "POST", "/sessions", R"({"connections": [{}]})");
  EXPECT_EQ(status_line(created), "HTTP/1.1 201 Created");
  EXPECT_EQ(status_line(raw_exchange(port, "POST", "/sessions", R"({"connections": [{}]})")), "HTTP/1.1 503 Service Unavailable");
  EXPECT_EQ(status_line(raw_exchange(port, "GET", "/scripts")), "HTTP/1.1 200 OK");
  EXPECT_EQ(status_line(raw_exchange(port, "GET", "/demo")), "HTTP/1.1 200 OK");
  const std::string preflight = raw_exchange(port, "OPTIONS", "/sessions");
  EXPECT_EQ(status_line(preflight), "HTTP/1.1 204 No Content");
  const std::string deleted = raw_exchange(port, "DELETE", "/sessions/s1");
  EXPECT_EQ(status_line(deleted), "HTTP/1.1 204 No Content");
  // RFC 9110 8.6: no Content-Length in a 204.
  EXPECT_EQ(head_of(deleted).find("Content-Length"), std::string::npos) << deleted;
  EXPECT_EQ(head_of(preflight).find("Content-Length"), std::string::npos) << preflight;
  EXPECT_NE(head_of(preflight).find("Access-Control-Allow-Methods: GET, POST, DELETE"), std::string::npos) << preflight;
}

TEST(ReferenceServerHardeningTest, SlowHeadsDoNotBlockANewClientAndMeetTheirDeadline) {
  server::ServerOptions options;
  options.max_threads = 2;
  options.head_deadline = std::chrono::milliseconds(300);
  ReferenceServer server(options);
  server.start();
  std::vector<std::unique_ptr<Poco::Net::StreamSocket>> slow;
  for (int i = 0; i < 16; ++i) slow.push_back(raw_request(server.port(), "GET /demo HT"));  // slowloris
  for (int i = 0; i < 16; ++i) slow.push_back(raw_request(server.port(), ""));             // idle
  EXPECT_EQ(http_get(server.port(), "/demo").first, 200);
  const std::string answer = read_all(*slow.front());
  EXPECT_EQ(answer.substr(0, answer.find("\r\n")), "HTTP/1.1 408 Request Timeout");
}

}  // namespace
}  // namespace ssespec
