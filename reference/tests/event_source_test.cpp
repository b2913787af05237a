// The EventSource state machine against a scripted fake transport and a timer that never sleeps.
#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "ssespec/event_source.hpp"

namespace ssespec {
namespace {

struct FakeConnection {
  bool network_error = false;  // fetch() fails
  int status = 200;
  std::vector<std::string> content_types = {"text/event-stream"};  // one per Content-Type field
  std::vector<std::string> chunks;
  bool reset_at_end = false;  // the body ends in a network error
};

class FakeResponse final : public HttpResponse {
 public:
  explicit FakeResponse(FakeConnection c) : c_(std::move(c)) {}
  int status() const override { return c_.status; }
  std::vector<std::string> content_type_values() const override { return c_.content_types; }
  std::string final_url() const override { return "http://example.test:8080/stream"; }
  Read read(std::string& bytes) override {
    if (next_ < c_.chunks.size()) {
      bytes = c_.chunks[next_++];
      return Read::data;
    }
    return c_.reset_at_end ? Read::network_error : Read::end;
  }

 private:
  FakeConnection c_;
  std::size_t next_ = 0;
};

class FakeTransport final : public Transport {
 public:
  std::deque<FakeConnection> script;
  std::vector<HttpRequest> requests;
  bool aborted = false;

  std::unique_ptr<HttpResponse> fetch(const HttpRequest& request, std::string& error) override {
    requests.push_back(request);
    if (script.empty() || aborted) {
      error = "script exhausted";
      return nullptr;
    }
    FakeConnection c = std::move(script.front());
    script.pop_front();
    if (c.network_error) {
      error = "refused";
      return nullptr;
    }
    return std::make_unique<FakeResponse>(std::move(c));
  }
  void abort() override { aborted = true; }
};

class FakeTimer final : public Timer {
 public:
  std::vector<long long> waits;
  std::size_t max_waits = 10;  // bounds every test loop
  bool interrupted = false;
  bool wait(std::chrono::milliseconds delay) override {
    waits.push_back(delay.count());
    return !interrupted && waits.size() <= max_waits;
  }
  void interrupt() override { interrupted = true; }
};

const std::string* header(const HttpRequest& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return &v;
  }
  return nullptr;
}

// Records the trace the way the adapter protocol prints it.
struct Recorder {
  std::vector<std::string> trace;
  EventSource* source = nullptr;
  std::function<void(const MessageEvent&)> extra;

  EventSourceHandlers handlers() {
    return {[this] { trace.push_back("open"); },
            [this](const MessageEvent& e) {
              trace.push_back(e.type + ":" + e.data + "#" + e.last_event_id);
              if (extra) extra(e);
            },
            [this](ReadyState s) { trace.push_back(std::string("error:") + to_string(s)); },
            {}};
  }
};

FakeConnection stream(std::vector<std::string> chunks) {
  FakeConnection c;
  c.chunks = std::move(chunks);
  return c;
}

TEST(EventSourceTest, OpensDispatchesAndReconnectsAfterEndOfBody) {
  FakeTransport transport;
  FakeTimer timer;
  timer.max_waits = 1;
  transport.script.push_back(stream({"retry: 70\ndata: a\nid: 7\n\n"}));
  Recorder r;
  EventSource source("http://example.test:8080/stream", transport, timer, r.handlers());
  source.run();
  // Reconnected once (script exhausted: a network error), then the timer stopped it.
  EXPECT_EQ(r.trace, (std::vector<std::string>{"open", "message:a#7", "error:CONNECTING", "error:CONNECTING"}));
  ASSERT_EQ(timer.waits.size(), 2u);
  EXPECT_EQ(timer.waits[0], 70);
  ASSERT_EQ(transport.requests.size(), 2u);
  EXPECT_EQ(header(transport.requests[0], "Last-Event-ID"), nullptr);
  ASSERT_NE(header(transport.requests[1], "Last-Event-ID"), nullptr);
  EXPECT_EQ(*header(transport.requests[1], "Last-Event-ID"), "7");
  EXPECT_EQ(*header(transport.requests[0], "Accept"), "text/event-stream");
  EXPECT_EQ(*header(transport.requests[0], "Cache-Control"), "no-cache");
}

TEST(EventSourceTest, DefaultReconnectionTimeIsAFewSeconds) {
  FakeTransport transport;
  FakeTimer timer;
  timer.max_waits = 0;
  transport.script.push_back(stream({"data: a\n\n"}));
  Recorder r;
  EventSource source("http://example.test:8080/stream", transport, timer, r.handlers());
  source.run();
  ASSERT_EQ(timer.waits.size(), 1u);
  EXPECT_EQ(timer.waits[0], 3000);
}

TEST(EventSourceTest, NonOkStatusFailsWithoutReconnecting) {
  for (const int status : {204, 301, 404, 500, 503}) {
    FakeTransport transport;
    FakeTimer timer;
    FakeConnection c = stream({"data: a\n\n"});
    c.status = status;
    transport.script.push_back(c);
    Recorder r;
    EventSource source("http://example.test:8080/stream", transport, timer, r.handlers());
    source.run();
    EXPECT_EQ(r.trace, (std::vector<std::string>{"error:CLOSED"})) << status;
    EXPECT_EQ(source.ready_state(), ReadyState::closed);
    EXPECT_TRUE(timer.waits.empty());
    EXPECT_EQ(transport.requests.size(), 1u);
  }
}

TEST(EventSourceTest, ContentTypeEssenceDecides) {
  using Values = std::vector<std::string>;  // one per Content-Type field, in order
  const std::vector<std::pair<Values, bool>> cases = {
      {{"text/event-stream"}, true},
      {{"text/event-stream; charset=utf-8"}, true},
      {{"TEXT/Event-Stream"}, true},
      {{" text/event-stream ;foo=bar"}, true},
      {{"text/event-stream;"}, true},
      {{"text/plain"}, false},
      {{"text/event-stream-x"}, false},
      {{"text/ event-stream"}, false},
      {{""}, false},
      {{}, false},
      // fetch's "extract a MIME type": every field counts and the last value that parses decides.
      {{"text/plain", "text/event-stream"}, true},
      {{"text/event-stream", "text/plain"}, false},
      {{"text/html, text/event-stream"}, true},
      {{"text/event-stream", "*/*"}, true},
      {{"text/event-stream", "nonsense"}, true},
  };
  for (const auto& [types, ok] : cases) {
    FakeTransport transport;
    FakeTimer timer;
    timer.max_waits = 0;
    FakeConnection c = stream({"data: a\n\n"});
    c.content_types = types;
    transport.script.push_back(c);
    Recorder r;
    EventSource source("http://example.test:8080/stream", transport, timer, r.handlers());
    source.run();
    const std::vector<std::string> expected =
        ok ? std::vector<std::string>{"open", "message:a#", "error:CONNECTING"} : std::vector<std::string>{"error:CLOSED"};
    std::string shown;
    for (const std::string& type : types) shown += "[" + type + "]";
    EXPECT_EQ(r.trace, expected) << (types.empty() ? "(none)" : shown);
  }
}

TEST(EventSourceTest, NetworkErrorBeforeResponseReestablishes) {
  FakeTransport transport;
  FakeTimer timer;
  timer.max_waits = 1;
  FakeConnection refused;
  refused.network_error = true;
  transport.script.push_back(refused);
  transport.script.push_back(stream({"data: b\n\n"}));
  Recorder r;
  EventSource source("http://example.test:8080/stream", transport, timer, r.handlers());
  source.run();
  EXPECT_EQ(r.trace, (std::vector<std::string>{"error:CONNECTING", "open", "message:b#", "error:CONNECTING"}));
}

TEST(EventSourceTest, IncompleteEventIsDiscardedAndItsIdNotSent) {
  FakeTransport transport;
  FakeTimer timer;
  timer.max_waits = 1;
  FakeConnection first = stream({"id: 1\ndata: a\n\nid: 2\ndata: half"});
  first.reset_at_end = true;
  transport.script.push_back(first);
  Recorder r;
  EventSource source("http://example.test:8080/stream", transport, timer, r.handlers());
  source.run();
  EXPECT_EQ(r.trace[1], "message:a#1");
  ASSERT_GE(transport.requests.size(), 2u);
  EXPECT_EQ(*header(transport.requests[1], "Last-Event-ID"), "1");
}

TEST(EventSourceTest, EmptyIdClearsLastEventIdHeader) {
  FakeTransport transport;
  FakeTimer timer;
  timer.max_waits = 2;
  transport.script.push_back(stream({"id: 5\ndata: a\n\n"}));
  transport.script.push_back(stream({"id\ndata: b\n\n"}));
  Recorder r;
  EventSource source("http://example.test:8080/stream", transport, timer, r.handlers());
  source.run();
  ASSERT_EQ(transport.requests.size(), 3u);
  EXPECT_EQ(*header(transport.requests[1], "Last-Event-ID"), "5");
  EXPECT_EQ(header(transport.requests[2], "Last-Event-ID"), nullptr);
}

TEST(EventSourceTest, CloseInHandlerStopsEventsInTheSameChunk) {
  FakeTransport transport;
  FakeTimer timer;
  transport.script.push_back(stream({"data: 1\n\ndata: 2\n\ndata: 3\n\n", "data: 4\n\n"}));
  Recorder r;
  EventSource source("http://example.test:8080/stream", transport, timer, r.handlers());
  r.extra = [&](const MessageEvent&) { source.close(); };
  source.run();
  EXPECT_EQ(r.trace, (std::vector<std::string>{"open", "message:1#"}));
  EXPECT_EQ(source.ready_state(), ReadyState::closed);
  EXPECT_TRUE(timer.waits.empty());
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST(EventSourceTest, CloseInErrorHandlerPreventsReconnect) {
  FakeTransport transport;
  FakeTimer timer;
  transport.script.push_back(stream({"data: 1\n\n"}));
  transport.script.push_back(stream({"data: 2\n\n"}));
  Recorder r;
  EventSourceHandlers h = r.handlers();
  EventSource* self = nullptr;
  auto on_error = h.on_error;
  h.on_error = [&](ReadyState s) {
    on_error(s);
    self->close();
  };
  EventSource source("http://example.test:8080/stream", transport, timer, h);
  self = &source;
  source.run();
  EXPECT_EQ(r.trace, (std::vector<std::string>{"open", "message:1#", "error:CONNECTING"}));
  EXPECT_EQ(transport.requests.size(), 1u);
}

TEST(EventSourceTest, CloseBeforeRunDoesNothing) {
  FakeTransport transport;
  FakeTimer timer;
  transport.script.push_back(stream({"data: 1\n\n"}));
  Recorder r;
  EventSource source("http://example.test:8080/stream", transport, timer, r.handlers());
  source.close();
  source.run();
  EXPECT_TRUE(r.trace.empty());
  EXPECT_TRUE(transport.requests.empty());
}

TEST(EventSourceTest, OriginIsTheFinalUrlsOrigin) {
  FakeTransport transport;
  FakeTimer timer;
  timer.max_waits = 0;
  transport.script.push_back(stream({"data: 1\n\n"}));
  std::string origin;
  EventSourceHandlers h;
  h.on_message = [&](const MessageEvent& e) { origin = e.origin; };
  EventSource source("http://example.test:8080/start", transport, timer, h);
  source.run();
  EXPECT_EQ(origin, "http://example.test:8080");
}

}  // namespace
}  // namespace ssespec
