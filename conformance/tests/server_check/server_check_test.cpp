// `ssespec server` checks against a well-behaved server and against servers broken on purpose
// (conformance/tests/servers/), each caught by the check that names its fault.
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <map>

#include "node_server.hpp"
#include "server_check/server_checks.hpp"

namespace ssespec {
namespace {

const std::string kServers = SSESPEC_TEST_SERVERS_DIR;

struct Outcome {
  std::map<std::string, CaseResult> by_id;
  double seconds = 0;

  Verdict verdict(const std::string& id) const {
    const auto it = by_id.find(id);
    if (it == by_id.end()) {
      ADD_FAILURE() << "no result for " << id;
      return Verdict::skip;
    }
    return it->second.verdict;
  }
  std::string message(const std::string& id) const {
    const auto it = by_id.find(id);
    return it == by_id.end() ? "" : it->second.message;
  }
  std::size_t count(Verdict v) const {
    std::size_t n = 0;
    for (const auto& [id, r] : by_id) n += r.verdict == v;
    return n;
  }
  std::string all() const {
    std::string text;
    for (const auto& [id, r] : by_id) text += std::string(to_string(r.verdict)) + " " + id + ": " + r.message + "\n";
    return text;
  }
};

ServerCheckOptions quick(const std::string& url) {
  ServerCheckOptions o;
  o.url = url;
  o.timeout_s = 1.5;
  o.events = 2;
  o.clients = 5;
  return o;
}

Outcome check(const ServerCheckOptions& options) {
  Outcome outcome;
  const auto start = std::chrono::steady_clock::now();
  for (auto& r : run_server_checks(options)) outcome.by_id[r.id] = r;
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return outcome;
}

class ScenarioTest : public ::testing::Test {
 protected:
  // Starts scenarios.js SCENARIO; the server lives until the test ends.
  std::string start(const std::string& scenario) {
    server_ = std::make_unique<testing::NodeServer>(kServers + "/scenarios.js", std::vector<std::string>{scenario});
    EXPECT_GT(server_->port(), 0) << "scenarios.js " << scenario << " did not start";
    return server_->url("/events");
  }
  std::unique_ptr<testing::NodeServer> server_;
};

#define EXPECT_VERDICT(outcome, id, v) EXPECT_EQ(to_string((outcome).verdict(id)), std::string(to_string(v))) << (outcome).all()

TEST_F(ScenarioTest, WellBehavedServerPassesEveryCheck) {
  ServerCheckOptions o = quick(start("good"));
  o.idle_s = 0.5;
  o.resume = true;
  o.clients = 20;
  const Outcome r = check(o);
  EXPECT_EQ(r.count(Verdict::fail), 0u) << r.all();
  EXPECT_EQ(r.count(Verdict::warn), 0u) << r.all();
  EXPECT_EQ(r.count(Verdict::skip), 0u) << r.all();
  EXPECT_VERDICT(r, "server/stream/flushed", Verdict::pass);
  EXPECT_VERDICT(r, "server/stream/keep-alive", Verdict::pass);
  EXPECT_VERDICT(r, "server/reconnect/resume", Verdict::pass);
  EXPECT_VERDICT(r, "server/robustness/abrupt-clients", Verdict::pass);
  EXPECT_LT(r.seconds, 5.0);
}

TEST_F(ScenarioTest, WrongContentTypeFails) {
  const Outcome r = check(quick(start("wrong-content-type")));
  EXPECT_VERDICT(r, "server/headers/content-type", Verdict::fail);
}

// Issue 20: the type is Fetch's "extract a MIME type" over every Content-Type line, not the first.
TEST_F(ScenarioTest, PlainThenEventStreamIsAnEventStream) {
  const Outcome r = check(quick(start("plain-then-event-stream")));
  EXPECT_VERDICT(r, "server/headers/content-type", Verdict::pass);
  EXPECT_VERDICT(r, "server/stream/first-event", Verdict::pass);
}

TEST_F(ScenarioTest, EventStreamThenPlainFails) {
  const Outcome r = check(quick(start("event-stream-then-plain")));
  EXPECT_VERDICT(r, "server/headers/content-type", Verdict::fail);
  EXPECT_NE(r.message("server/headers/content-type").find("text/event-stream, text/plain"), std::string::npos) << r.all();
}

TEST_F(ScenarioTest, CharsetOtherThanUtf8Warns) {
  const Outcome r = check(quick(start("latin1-charset")));
  EXPECT_VERDICT(r, "server/headers/content-type", Verdict::warn);
  EXPECT_EQ(r.count(Verdict::fail), 0u) << r.all();
}

TEST_F(ScenarioTest, Status500Fails) {
  const Outcome r = check(quick(start("status-500")));
  EXPECT_VERDICT(r, "server/http/status", Verdict::fail);
  EXPECT_VERDICT(r, "server/headers/content-type", Verdict::skip);
}

TEST_F(ScenarioTest, ContentLengthFramingWarns) {
  const Outcome r = check(quick(start("content-length")));
  EXPECT_VERDICT(r, "server/headers/content-length", Verdict::warn);
}

TEST_F(ScenarioTest, MissingCacheControlWarns) {
  const Outcome r = check(quick(start("no-cache-control")));
  EXPECT_VERDICT(r, "server/headers/cache-control", Verdict::warn);
}

TEST_F(ScenarioTest, UnterminatedLastEventFails) {
  ServerCheckOptions o = quick(start("unterminated-last"));
  o.events = 1;  // fewer than it sends: the end of the response is still seen and judged
  const Outcome r = check(o);
  EXPECT_VERDICT(r, "stream/grammar/event-terminated", Verdict::fail);
}

// A finite result sent in one write after some work: the buffering SHOULD is the user agent's,
// so a WARN at most.
TEST_F(ScenarioTest, BufferedUntilEndWarns) {
  const Outcome r = check(quick(start("buffered")));
  EXPECT_VERDICT(r, "server/stream/flushed", Verdict::warn);
  EXPECT_EQ(r.count(Verdict::fail), 0u) << r.all();
}

TEST_F(ScenarioTest, WrongContentTypeSkipsStreamChecks) {
  const Outcome r = check(quick(start("wrong-content-type")));
  EXPECT_VERDICT(r, "server/headers/content-type", Verdict::fail);
  EXPECT_EQ(r.by_id.count("stream/encoding/utf-8"), 0u) << r.all();
  EXPECT_EQ(r.by_id.count("server/reconnect/resume"), 0u) << r.all();
}

TEST_F(ScenarioTest, GreetingWithoutIdThenResumePasses) {
  ServerCheckOptions o = quick(start("greeting-then-resume"));
  o.resume = true;
  const Outcome r = check(o);
  EXPECT_VERDICT(r, "server/reconnect/resume", Verdict::pass);
}

// An event every 30 s, kept alive by comments: nothing to blame within the budget.
TEST_F(ScenarioTest, SlowHonestStreamIsNotBlamed) {
  const Outcome r = check(quick(start("slow-honest")));
  EXPECT_EQ(r.count(Verdict::fail), 0u) << r.all();
  EXPECT_EQ(r.count(Verdict::warn), 0u) << r.all();
  EXPECT_VERDICT(r, "server/stream/first-event", Verdict::info);
}

TEST_F(ScenarioTest, LineThatNeverEndsFails) {
  const Outcome r = check(quick(start("endless-line")));
  EXPECT_VERDICT(r, "stream/grammar/event-terminated", Verdict::fail);
  EXPECT_NE(r.message("stream/grammar/event-terminated").find("never ended"), std::string::npos) << r.all();
  EXPECT_VERDICT(r, "server/stream/buffering", Verdict::pass);
}

TEST_F(ScenarioTest, HugeLineThatEndsOnlyWarns) {
  const Outcome r = check(quick(start("huge-line-that-ends")));
  EXPECT_VERDICT(r, "stream/limits/line-ends", Verdict::pass);
  EXPECT_VERDICT(r, "stream/limits/line-length", Verdict::warn);
}

TEST_F(ScenarioTest, PrettyPrintedJsonFails) {
  const Outcome r = check(quick(start("pretty-json")));
  EXPECT_VERDICT(r, "stream/fields/data-continuation", Verdict::fail);
  EXPECT_NE(r.message("stream/fields/data-continuation").find("  \"tick\": 1,"), std::string::npos) << r.all();
}

// Issue 13: the run has a deadline of 3 x --timeout, whatever the server stalls.
TEST_F(ScenarioTest, ServerThatAnswersOnceEndsWithinTheRunDeadline) {
  ServerCheckOptions o = quick(start("answers-once"));
  o.timeout_s = 1.0;
  o.clients = 20;
  const Outcome r = check(o);
  EXPECT_LT(r.seconds, 3 * o.timeout_s + 1.0) << r.all();
  EXPECT_VERDICT(r, "server/reconnect/last-event-id", Verdict::fail);
}

TEST_F(ScenarioTest, ServerThatStopsAcceptingGetsOneSentence) {
  const Outcome r = check(quick(start("stops-accepting")));
  EXPECT_EQ(r.count(Verdict::fail), 1u) << r.all();
  EXPECT_NE(r.all().find("stopped accepting connections after its first response"), std::string::npos) << r.all();
  EXPECT_EQ(r.all().find("Connection refused\n"), std::string::npos) << r.all();
}

TEST_F(ScenarioTest, InvalidUtf8Fails) {
  const Outcome r = check(quick(start("invalid-utf8")));
  EXPECT_VERDICT(r, "stream/encoding/utf-8", Verdict::fail);
}

TEST_F(ScenarioTest, ServerThatNeverAnswersGetsVerdictWithinTimeout) {
  ServerCheckOptions o = quick(start("never-sends"));
  o.timeout_s = 1.0;
  const Outcome r = check(o);
  EXPECT_VERDICT(r, "server/http/response", Verdict::fail);
  EXPECT_EQ(r.by_id.size(), 1u) << r.all();
  EXPECT_LT(r.seconds, 1.5);
}

TEST_F(ScenarioTest, SilentStreamWarnsOnKeepAliveAndFirstEvent) {
  ServerCheckOptions o = quick(start("silent-after-head"));
  o.timeout_s = 1.0;
  o.idle_s = 0.4;
  const Outcome r = check(o);
  EXPECT_VERDICT(r, "server/stream/keep-alive", Verdict::warn);
  EXPECT_VERDICT(r, "server/stream/first-event", Verdict::warn);
  EXPECT_LT(r.seconds, 5.0);
}

// One rule with `lint` (stream/limits/line-ends, issue 17): past the 1 MiB line limit a flood
// of one line is read on, unparsed and with nothing kept, until --timeout, and FAILs.
TEST_F(ScenarioTest, HugeLineThatNeverEndsFailsInBoundedMemory) {
  ServerCheckOptions o = quick(start("huge-line"));
  o.max_bytes = 8u << 20;
  const Outcome r = check(o);
  EXPECT_VERDICT(r, "stream/limits/line-length", Verdict::warn);
  EXPECT_VERDICT(r, "stream/limits/line-ends", Verdict::fail);
  EXPECT_NE(r.message("stream/limits/line-ends").find("had not ended when reading stopped"), std::string::npos) << r.all();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  EXPECT_LT(usage.ru_maxrss, 128 * 1024) << "peak resident set in KiB";
}

TEST_F(ScenarioTest, CrashOnLastEventIdFails) {
  const Outcome r = check(quick(start("crash-on-last-event-id")));
  EXPECT_VERDICT(r, "server/reconnect/last-event-id", Verdict::fail);
  EXPECT_VERDICT(r, "server/robustness/bogus-last-event-id", Verdict::fail);
  EXPECT_NE(r.message("server/reconnect/last-event-id").find("500"), std::string::npos);
}

TEST_F(ScenarioTest, ReplayAfterLastEventIdFailsOnlyWithResume) {
  const std::string url = start("replay");
  ServerCheckOptions o = quick(url);
  EXPECT_VERDICT(check(o), "server/reconnect/resume", Verdict::info);
  o.resume = true;
  EXPECT_VERDICT(check(o), "server/reconnect/resume", Verdict::fail);
}

// Always compressed, never flushed: nothing to compare with, so a WARN naming both readings.
TEST_F(ScenarioTest, UnflushedGzipWarns) {
  const Outcome r = check(quick(start("gzip-buffered")));
  EXPECT_VERDICT(r, "server/headers/content-encoding", Verdict::info);
  EXPECT_VERDICT(r, "server/stream/buffering", Verdict::warn);
}

// Compressed only for browsers (as compression middleware does): what a browser gets is nothing.
TEST_F(ScenarioTest, GzipForBrowsersOnlyFails) {
  const Outcome r = check(quick(start("gzip-for-browsers")));
  EXPECT_VERDICT(r, "server/headers/content-encoding", Verdict::info);
  EXPECT_NE(r.message("server/headers/content-encoding").find("browser"), std::string::npos);
  EXPECT_VERDICT(r, "server/stream/buffering", Verdict::fail);
}

TEST_F(ScenarioTest, FieldTyposAndBadRetryWarn) {
  const Outcome r = check(quick(start("lint-fields")));
  EXPECT_VERDICT(r, "stream/fields/unknown-name", Verdict::warn);
  EXPECT_VERDICT(r, "stream/fields/retry-digits", Verdict::warn);
  EXPECT_NE(r.message("stream/fields/unknown-name").find("date"), std::string::npos);
}

TEST_F(ScenarioTest, ServerThatLeaksVanishedClientsFails) {
  ServerCheckOptions o = quick(start("leaks-clients"));
  o.clients = 20;
  const Outcome r = check(o);
  EXPECT_VERDICT(r, "server/robustness/abrupt-clients", Verdict::fail);
  EXPECT_VERDICT(r, "server/http/status", Verdict::pass);
}

TEST_F(ScenarioTest, ServerGoneMidRunIsAVerdictNotAnAbort) {
  ServerCheckOptions o = quick(start("good"));
  o.timeout_s = 1.0;
  // Stop the server once the main probe is done: later probes are refused.
  const auto results = run_server_checks(o, [&](const CaseResult& r) {
    if (r.id == "server/http/status") server_.reset();
  });
  Outcome outcome;
  for (const auto& r : results) outcome.by_id[r.id] = r;
  // One FAIL, on the first check that needed a connection; the later ones are not judged.
  EXPECT_VERDICT(outcome, "server/headers/content-encoding", Verdict::fail);
  EXPECT_VERDICT(outcome, "server/robustness/abrupt-clients", Verdict::skip);
}

// --filter and --exclude pick checks by id; the other checks are neither judged nor reported.
TEST_F(ScenarioTest, FilterRunsOnlyTheSelectedChecks) {
  ServerCheckOptions o = quick(start("good"));
  o.filters = {"server/robustness", "server/headers/content-type"};
  o.excludes = {"*/abrupt-clients"};
  std::vector<std::string> ids;
  for (const CaseResult& r : run_server_checks(o)) {
    ids.push_back(r.id);
    EXPECT_EQ(r.verdict, Verdict::pass) << r.id << ": " << r.message;
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"server/headers/content-type", "server/robustness/bogus-last-event-id"}));
}

// The Express server of a widely copied tutorial, as published: `data: <time>` with no line break, and
// clearInterval() without the timer's id. No client ever dispatches one of its events.
TEST(ExpressTutorialTest, NoEventIsEverDispatched) {
  const std::string dir = kServers + "/express-tutorial";
  ASSERT_TRUE(std::filesystem::exists(dir + "/node_modules/express"))
      << "express is not installed: run  npm ci --prefix conformance/tests/servers/express-tutorial";
  testing::NodeServer server(dir + "/server.js", {});
  ASSERT_GT(server.port(), 0);
  ServerCheckOptions o = quick(server.url("/events"));
  o.timeout_s = 2.5;  // it writes once a second
  Outcome r;
  for (auto& c : run_server_checks(o)) r.by_id[c.id] = c;
  EXPECT_VERDICT(r, "stream/grammar/event-terminated", Verdict::fail);
  EXPECT_NE(r.message("stream/grammar/event-terminated").find("no client ever dispatches an event"), std::string::npos);
  EXPECT_VERDICT(r, "server/stream/first-event", Verdict::warn);
  EXPECT_VERDICT(r, "server/headers/content-type", Verdict::pass);
}

TEST(ServerCheckTest, RefusedConnectionCannotRun) {
  int port = 0;
  {
    testing::NodeServer server(kServers + "/scenarios.js", {"good"});
    port = server.port();
  }  // stopped: nothing listens on the port now
  ServerCheckOptions o = quick("http://127.0.0.1:" + std::to_string(port) + "/");
  EXPECT_THROW(run_server_checks(o), CouldNotRun);
}

TEST(ServerCheckTest, BadUrlCannotRun) {
  EXPECT_THROW(run_server_checks(quick("not a url")), CouldNotRun);
  EXPECT_THROW(run_server_checks(quick("https://127.0.0.1:1/")), CouldNotRun);
  EXPECT_THROW(run_server_checks(quick("ftp://127.0.0.1/x")), CouldNotRun);
}

}  // namespace
}  // namespace ssespec
