// The client runner: scenario fixtures load, misbehaving adapters get verdicts (never a hang),
// and deliberately broken clients are caught by failing cases.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <set>

#include "runner/client_runner.hpp"
#include "runner/grader.hpp"
#include "runner/persistent_adapter.hpp"
#include "runner/subprocess.hpp"
#include "server/reference_server.hpp"

#ifndef SSESPEC_FIXTURES_DIR
#error "SSESPEC_FIXTURES_DIR must name the fixtures folder"
#endif
#ifndef SSESPEC_BIN
#error "SSESPEC_BIN must name the ssespec executable"
#endif
#ifndef BROKEN_ADAPTER_BIN
#error "BROKEN_ADAPTER_BIN must name the broken_adapter executable"
#endif

namespace ssespec {
namespace {

class ClientRunnerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new server::ReferenceServer;
    server_->start();
    for (ClientCase& c : load_all_client_cases(SSESPEC_FIXTURES_DIR)) cases_[c.full_id()] = std::move(c);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static const ClientCase& find(const std::string& id) {
    const auto it = cases_.find(id);
    if (it == cases_.end()) throw std::runtime_error("no such case: " + id);
    return it->second;
  }
  static CaseResult run(const std::string& id, std::vector<std::string> command, double timeout_s = 5,
                        std::set<std::string> cannot_report = {}) {
    ClientRunOptions options;
    options.command = std::move(command);
    options.timeout_s = timeout_s;
    options.cannot_report = std::move(cannot_report);
    return run_client_case(find(id), *server_, options);
  }
  static inline server::ReferenceServer* server_ = nullptr;
  static inline std::map<std::string, ClientCase> cases_;
};

TEST_F(ClientRunnerTest, AtLeastSixtyScenarioCasesWithUniqueIds) {
  const auto client = load_client_cases(SSESPEC_FIXTURES_DIR);
  EXPECT_GE(client.size(), 60u);
  std::set<std::string> ids;
  for (const ClientCase& c : client) {
    EXPECT_TRUE(ids.insert(c.full_id()).second) << c.full_id();
    EXPECT_LT(c.description.size(), 70u) << c.full_id();
    EXPECT_FALSE(c.trace.empty()) << c.full_id();
  }
}

TEST_F(ClientRunnerTest, ParseCasesBecomeOneResponseScenarios) {
  const ParseCase parse{"parse/x", "y", "d", {}, {"retry: 5\n", "event: t\ndata: a\n\n"},
                        {{Observation::Kind::retry, {}, {}, {}, 5}, {Observation::Kind::event, "t", "a", "", 0}}, false, ""};
  const ClientCase c = client_case_from_parse(parse);
  ASSERT_EQ(c.trace.size(), 2u);  // open, the event; the retry is invisible to clients
  EXPECT_EQ(c.trace[0].kind, "open");
  EXPECT_EQ(c.trace[1].type, "t");
  EXPECT_EQ(c.listen, std::vector<std::string>{"t"});
  EXPECT_EQ(c.connections.at(0).response.end, server::End::hang);
}

TEST_F(ClientRunnerTest, ParseCaseChunksArriveAsSeparateReads) {
  // A raw socket reader, reading as fast as it can, sees each chunk as its own read: the chunk
  // boundaries of parse cases survive HTTP.
  const ParseCase parse{"parse/x", "y", "d", {}, {"data: a\r", "\ndata: b\n", "\n", ":c\n", "data: d\n\n"}, {}, false, ""};
  const std::string session = server_->create_session(client_case_from_parse(parse).script());
  Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", server_->port()));
  socket.setReceiveTimeout(Poco::Timespan(5, 0));
  const std::string request = "GET " + server::ReferenceServer::stream_path(session) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  socket.sendBytes(request.data(), static_cast<int>(request.size()));
  std::string head;
  std::vector<std::string> reads;
  char buffer[4096];
  std::string body;
  std::string joined;
  for (const std::string& c : parse.chunks) joined += c;
  while (body.size() < joined.size()) {
    const int n = socket.receiveBytes(buffer, sizeof buffer);
    ASSERT_GT(n, 0);
    std::string got(buffer, static_cast<std::size_t>(n));
    if (head.find("\r\n\r\n") == std::string::npos) {
      head += got;
      const auto end = head.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      got = head.substr(end + 4);  // the head and the first chunk may share a read
      if (got.empty()) continue;
    }
    reads.push_back(got);
    body += got;
  }
  server_->end_session(session);
  EXPECT_EQ(body, joined);
  ASSERT_EQ(reads.size(), parse.chunks.size()) << "chunks were merged or split in transit";
  for (std::size_t i = 0; i < reads.size(); ++i) EXPECT_EQ(reads[i], parse.chunks[i]) << "read " << i;
}

TEST(ClientGrader, LargeValueMismatchShowsLengthAndFirstDifference) {
  TraceEntry want{"message", "message", std::string(1 << 20, 'x'), "", -1};
  TraceEntry got = want;
  got.data.pop_back();
  const std::string problem = trace_entry_problem(expected_entries({want}), 0, got, std::nullopt);
  EXPECT_LT(problem.size(), 1000u) << problem.substr(0, 2000);
  EXPECT_NE(problem.find("1048576 bytes"), std::string::npos) << problem;
  EXPECT_NE(problem.find("lengths 1048576 and 1048575, first difference at byte 1048575"), std::string::npos) << problem;
}

TEST_F(ClientRunnerTest, MissingEventSaysTheServerSentItNotJustTimedOut) {
  // The client reports open and never the message (as when it dispatches it under another
  // type): the failure says the server had sent it all.
  const CaseResult r = run("client/open/open-before-first-message",
                           {"sh", "-c", "\"$0\" connect \"$1\" | head -n 1; sleep 5", SSESPEC_BIN}, 1);
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.message.find("waiting for trace entry #2"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("the server had sent every scripted byte"), std::string::npos) << r.message;
}

TEST(ChunkedScript, OnlyCloseDelimited200ResponsesAreChunked) {
  ClientCase c;
  const auto response = [](int status, std::vector<std::pair<std::string, std::string>> headers, bool head = true) {
    server::ScriptedResponse r;
    r.status = status;
    r.headers = std::move(headers);
    r.send_head = head;
    r.steps = {{"data: a\n\n", 0}, {{}, 20}, {"data: b\n\n", 0}};
    return ClientConnection{r, std::nullopt};
  };
  const std::pair<std::string, std::string> type{"Content-Type", "text/event-stream"};
  c.connections = {response(200, {type}), response(204, {}), response(200, {type, {"Content-Length", "9"}}),
                   response(200, {type, {"transfer-encoding", "chunked"}}), response(200, {}, false)};
  c.connections.front().response.end = server::End::close;
  const server::Script s = chunked_script(c);
  ASSERT_EQ(s.connections.size(), 5u);
  const server::ScriptedResponse& chunked = s.connections[0];
  EXPECT_EQ(chunked.headers.back(), (std::pair<std::string, std::string>{"Transfer-Encoding", "chunked"}));
  ASSERT_EQ(chunked.steps.size(), 4u);  // each bytes step one HTTP chunk, the pause kept, the last-chunk
  EXPECT_EQ(chunked.steps[0].bytes, "9\r\ndata: a\n\n\r\n");
  EXPECT_EQ(chunked.steps[1].delay_ms, 20);
  EXPECT_EQ(chunked.steps[3].bytes, "0\r\n\r\n");
  for (std::size_t i = 1; i < s.connections.size(); ++i) {  // a 204, a length, already chunked, raw
    EXPECT_EQ(s.connections[i].steps.front().bytes, "data: a\n\n") << "connection " << i;
    EXPECT_EQ(s.connections[i].headers, c.connections[i].response.headers) << "connection " << i;
  }
}

TEST_F(ClientRunnerTest, ReferenceClientPassesACase) {
  const CaseResult r = run("client/last-event-id/persists-across-reconnects", {SSESPEC_BIN, "connect"});
  EXPECT_EQ(r.verdict, Verdict::pass) << r.message << "\n" << r.observed;
}

TEST_F(ClientRunnerTest, HangingAdapterTimesOut) {
  const auto started = std::chrono::steady_clock::now();
  ClientRunOptions options;
  options.command = {"sh", "-c", "sleep 30"};
  options.startup_s = 1;
  const CaseResult r = run_client_case(find("client/open/open-before-first-message"), *server_, options);
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.message.find("start-up limit"), std::string::npos) << r.message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4));
}

TEST_F(ClientRunnerTest, CrashingAdapterFails) {
  const CaseResult r = run("client/open/open-before-first-message", {"sh", "-c", "echo '{\"open\":{}}'; kill -SEGV $$"});
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.message.find("signal 11"), std::string::npos) << r.message;
}

TEST_F(ClientRunnerTest, CrashAfterTheWholeTraceFailsWithStderrTail) {
  // Every expected line arrives, then the adapter dies: still a failure, with its last words.
  for (const char* id : {"client/close/close-in-handler-same-chunk", "client/close/close-between-chunks-from-outside"}) {
    const CaseResult r = run(id, {BROKEN_ADAPTER_BIN, "panic-after-close"});
    EXPECT_EQ(r.verdict, Verdict::fail) << id;
    EXPECT_NE(r.message.find("crashed"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("signal 6"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("send on closed channel"), std::string::npos) << r.message;
  }
}

TEST_F(ClientRunnerTest, NonZeroExitWhenToldToStopFails) {
  // The trace is complete and the adapter exits when stdin closes, but with status 3.
  const CaseResult r = run("client/open/open-before-first-message",
                           {"sh", "-c", "\"$0\" connect \"$1\"; echo bye >&2; exit 3", SSESPEC_BIN});
  EXPECT_EQ(r.verdict, Verdict::fail) << r.observed;
  EXPECT_NE(r.message.find("exit 3"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("bye"), std::string::npos) << r.message;
}

TEST_F(ClientRunnerTest, CaseClockStartsAtTheFirstRequest) {
  // An adapter that takes 1.5 s to start, under a 1 s case limit: start-up is not the case's time.
  const CaseResult r = run("client/last-event-id/persists-across-reconnects",
                           {"sh", "-c", "sleep 1.5; exec \"$0\" connect \"$1\"", SSESPEC_BIN}, 1);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.message << "\n" << r.observed;
}

TEST_F(ClientRunnerTest, SlowClientThatKeepsProgressingPasses) {
  // Each of the 9 trace lines reaches the runner 0.4 s after the one before: 3.6 s in all,
  // under a 1 s limit that counts time without progress, not time since the first request.
  const CaseResult r = run("client/last-event-id/persists-across-reconnects",
                           {"sh", "-c", "\"$0\" connect \"$1\" | while read -r line; do sleep 0.4; echo \"$line\"; done",
                            SSESPEC_BIN},
                           1);
  EXPECT_EQ(r.verdict, Verdict::pass) << r.message << "\n" << r.observed;
}

TEST_F(ClientRunnerTest, StalledClientTimesOutNamingItsLastProgress) {
  // open, then silence: the case ends 1 s after the last progress, and says what that was.
  const CaseResult r = run("client/open/open-before-first-message",
                           {"sh", "-c", "\"$0\" connect \"$1\" | { read -r line; echo \"$line\"; sleep 30; }", SSESPEC_BIN},
                           1);
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.message.find("timed out: no progress for 1 s (--timeout); the last: "), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("waiting for trace entry #2"), std::string::npos) << r.message;
}

TEST_F(ClientRunnerTest, ProgressWithoutTheTraceStopsAtTheCap) {
  // A comment every 0.1 s is progress, but the trace never comes: the cap (10 x 0.5 s) ends it.
  const auto started = std::chrono::steady_clock::now();
  const CaseResult r = run("client/open/open-before-first-message",
                           {"sh", "-c",
                            "exec 3<&0; \"$0\" connect \"$1\" <&3 >/dev/null & for i in $(seq 200); do echo '{\"comment\":{\"text\":\"x\"}}'; "
                            "sleep 0.1; done",
                            SSESPEC_BIN},
                           0.5);
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.message.find("timed out: the cap of 5 s (10 x --timeout) after the first request ran out"), std::string::npos)
      << r.message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(15));
}

TEST_F(ClientRunnerTest, AdapterThatNeverConnectsHitsTheStartupLimit) {
  ClientRunOptions options;
  options.command = {"sh", "-c", "sleep 30"};
  options.startup_s = 0.5;
  const CaseResult r = run_client_case(find("client/open/open-before-first-message"), *server_, options);
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.message.find("start-up limit"), std::string::npos) << r.message;
}

TEST_F(ClientRunnerTest, AdapterThatExitsAtOnceFailsWithoutSigpipe) {
  // The case writes "close" to stdin at start: the adapter is already gone (EPIPE, not SIGPIPE).
  const CaseResult r = run("client/close/close-before-open", {"true"});
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.message.find("ended its output early"), std::string::npos) << r.message;
}

TEST_F(ClientRunnerTest, MissingAdapterFails) {
  const CaseResult r = run("client/open/open-before-first-message", {"/nonexistent/ssespec-adapter"});
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.message.find("cannot start"), std::string::npos) << r.message;
}

TEST_F(ClientRunnerTest, OutputOutsideTheProtocolFails) {
  const CaseResult r = run("client/open/open-before-first-message", {"sh", "-c", "echo hello; sleep 5"});
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.message.find("outside the protocol"), std::string::npos) << r.message;
}

TEST_F(ClientRunnerTest, MissingCapabilityIsSkippedWithReason) {
  ClientRunOptions options;
  options.command = {SSESPEC_BIN, "connect"};
  options.capabilities = {"close"};
  const CaseResult r = run_client_case(find("client/close/close-in-handler-same-chunk"), *server_, options);
  EXPECT_EQ(r.verdict, Verdict::skip);
  EXPECT_NE(r.message.find("close-in-handler"), std::string::npos) << r.message;
}

TEST_F(ClientRunnerTest, StrictCaseIsSkippedUnlessStrict) {
  ClientRunOptions options;
  options.command = {SSESPEC_BIN, "connect"};
  EXPECT_EQ(run_client_case(find("client/request-headers/accept-event-stream"), *server_, options).verdict, Verdict::skip);
  options.strict = true;
  EXPECT_EQ(run_client_case(find("client/request-headers/accept-event-stream"), *server_, options).verdict, Verdict::pass);
}

TEST_F(ClientRunnerTest, BadFixtureNamesFileAndField) {
  const auto dir = std::filesystem::temp_directory_path() / "ssespec-client-fixture-test";
  std::filesystem::create_directories(dir);
  const auto file = dir / "bad.json";
  std::ofstream(file) << R"({"description": "x", "cases": [{"id": "a", "description": "d",
    "spec": [{"url": "https://html.spec.whatwg.org/multipage/server-sent-events.html#dom-eventsource"}],
    "connections": [{"response": {"end": "explode"}}], "expect": {"trace": []}}]})";
  try {
    load_client_file(file, "client/bad");
    FAIL() << "no error";
  } catch (const FixtureError& e) {
    EXPECT_NE(std::string(e.what()).find("fixtures/client/bad.json"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("cases[0].connections[0].response.end"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

TEST_F(ClientRunnerTest, RestartAfterTakesOnlyMessageCounts) {
  const auto dir = std::filesystem::temp_directory_path() / "ssespec-client-restart-test";
  std::filesystem::create_directories(dir);
  const auto file = dir / "restart.json";
  const auto write = [&](const std::string& after) {
    std::ofstream(file) << R"({"description": "x", "cases": [{"id": "a", "description": "d",
      "spec": [{"url": "https://html.spec.whatwg.org/multipage/server-sent-events.html#dom-eventsource"}],
      "options": {"restartAfter": ")" << after << R"("}, "connections": [{"response": {}}], "expect": {"trace": []}}]})";
  };
  write("message:2");
  const std::vector<ClientCase> cases = load_client_file(file, "client/restart");
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].config.restart_after, 2);
  EXPECT_NE(std::find(cases[0].requires_caps.begin(), cases[0].requires_caps.end(), "restart"), cases[0].requires_caps.end());
  for (const char* bad : {"open:1", "message:0", "message:", "message:x1"}) {
    write(bad);
    try {
      load_client_file(file, "client/restart");
      ADD_FAILURE() << bad << ": no error";
    } catch (const FixtureError& e) {
      EXPECT_NE(std::string(e.what()).find("cases[0].options.restartAfter"), std::string::npos) << e.what();
    }
  }
  std::filesystem::remove_all(dir);
}

// A broken client, a case that must catch it, and a case it still passes (so the failure is
// the fault's, not the harness's).
struct BrokenAdapter {
  const char* fault;
  const char* caught_by;
  const char* still_passes;
};

void PrintTo(const BrokenAdapter& b, std::ostream* out) { *out << b.fault << " / " << b.caught_by; }

class BrokenAdapterTest : public ClientRunnerTest, public ::testing::WithParamInterface<BrokenAdapter> {};

TEST_P(BrokenAdapterTest, IsCaughtByAFailingCase) {
  const BrokenAdapter& b = GetParam();
  const CaseResult caught = run(b.caught_by, {BROKEN_ADAPTER_BIN, b.fault});
  EXPECT_EQ(caught.verdict, Verdict::fail) << b.fault << " was not caught by " << b.caught_by;
  const CaseResult passes = run(b.still_passes, {BROKEN_ADAPTER_BIN, b.fault});
  EXPECT_EQ(passes.verdict, Verdict::pass) << passes.message << "\n" << passes.observed;
}

INSTANTIATE_TEST_SUITE_P(
    Faults, BrokenAdapterTest,
    ::testing::Values(
        BrokenAdapter{"keep-leading-space", "client/open/open-before-first-message", "client/status/status-404-fails"},
        BrokenAdapter{"keep-leading-space", "parse/field-parsing/colon-then-space", "client/open/open-on-200-event-stream"},
        BrokenAdapter{"no-last-event-id", "client/last-event-id/sent-after-id", "client/reconnect/after-clean-close"},
        BrokenAdapter{"no-last-event-id", "client/last-event-id/persists-across-reconnects", "client/open/open-before-first-message"},
        BrokenAdapter{"reconnect-after-error", "client/status/status-500-fails", "client/open/open-before-first-message"},
        BrokenAdapter{"reconnect-after-error", "client/reconnect/no-reconnect-after-failure", "client/reconnect/after-reset"},
        BrokenAdapter{"dispatch-after-close", "client/close/close-in-handler-same-chunk", "client/open/open-before-first-message"},
        BrokenAdapter{"dispatch-after-close", "client/close/close-between-chunks-from-outside", "client/reconnect/after-clean-close"}),
    [](const ::testing::TestParamInfo<BrokenAdapter>& info) {
      std::string name = std::string(info.param.fault) + "_" + std::to_string(info.index);
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });


TEST(ExceptionLine, FindsTheLineThatNamesTheException) {
  // Node: the source excerpt first, the stack after; Python: the Traceback's last line; PHP; Go.
  EXPECT_EQ(exception_line("file:///a.mjs:3\n  throw new Error(\"boom\");\n  ^\n\nError: boom\n    at f (file:///a.mjs:3:9)\n\nNode.js v20.19.2\n"),
            "Error: boom");
  EXPECT_EQ(exception_line("TypeError [ERR_INVALID_URL]: Invalid URL\n    at new URL (node:internal/url:816:29)\n"),
            "TypeError [ERR_INVALID_URL]: Invalid URL");
  EXPECT_EQ(exception_line("Traceback (most recent call last):\n  File \"a.py\", line 1, in <module>\n    raise ValueError(\"bad\")\n"
                           "ValueError: bad\n"),
            "ValueError: bad");
  EXPECT_EQ(exception_line("PHP Fatal error:  Uncaught RuntimeException: gone in /a.php:3\nStack trace:\n#0 {main}\n  thrown in /a.php on line 3\n"),
            "PHP Fatal error:  Uncaught RuntimeException: gone in /a.php:3");
  EXPECT_EQ(exception_line("panic: send on closed channel\n\ngoroutine 7 [running]:\nmain.main()\n"), "panic: send on closed channel");
  EXPECT_EQ(exception_line("connecting...\nretrying: timeout\n"), "");
  // Python names its exception after the frames, even one not called *Error or *Exception.
  EXPECT_EQ(exception_line("Traceback (most recent call last):\n  File \"a.py\", line 3, in read\n    r.read()\n"
                           "requests.exceptions.ReadTimeout: read timed out\n"),
            "requests.exceptions.ReadTimeout: read timed out");
}

// A real interpreter's crash, its exception raised 60 calls deep: the stack trace pushes the
// exception line out of stderr's tail (PHP prints it first, Python last but after frames).
bool has_program(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

TEST_F(ClientRunnerTest, PhpCrashMessageQuotesItsUncaughtException) {
  if (!has_program("php")) GTEST_SKIP() << "php is not installed";
  const CaseResult r = run("client/open/open-before-first-message",
                           {"php", "-d", "log_errors=1", "-d", "display_errors=0", "-r",
                            "function f($n) { if ($n === 0) throw new RuntimeException('stream gone'); f($n - 1); } f(60);"});
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.message.find("crashed (exit 255): PHP Fatal error:  Uncaught RuntimeException: stream gone"), std::string::npos)
      << r.message;
}

TEST_F(ClientRunnerTest, PythonCrashMessageQuotesItsException) {
  if (!has_program("python3")) GTEST_SKIP() << "python3 is not installed";
  const CaseResult r = run("client/open/open-before-first-message",
                           {"python3", "-c",
                            "class ReadTimeout(OSError): pass\n"
                            "def f(n):\n    if n == 0: raise ReadTimeout('read timed out')\n    f(n - 1)\n"
                            "f(60)\n"});
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.message.find("crashed (exit 1): ReadTimeout: read timed out; stderr ends: "), std::string::npos) << r.message;
}

// An adapter whose API cannot report something declares it (--cannot-report): the reference
// client with its open lines removed, or with every error's readyState reported as 2 (an API
// that only tells that it gave up).
std::vector<std::string> reference_client_through(const std::string& sed_script) {
  return {"sh", "-c", std::string(SSESPEC_BIN) + " connect \"$1\" | sed -u '" + sed_script + "'", "sh"};
}

TEST_F(ClientRunnerTest, CannotReportOpenDropsTheOpenLinesAndSkipsCloseAfterOpen) {
  const auto no_open = reference_client_through("/^{\"open\"/d");
  EXPECT_EQ(run("client/open/open-before-first-message", no_open).verdict, Verdict::fail);
  const CaseResult declared = run("client/open/open-before-first-message", no_open, 5, {"open"});
  EXPECT_EQ(declared.verdict, Verdict::pass) << declared.message;
  const CaseResult close_after_open = run("client/close/close-in-open-handler", no_open, 5, {"open"});
  EXPECT_EQ(close_after_open.verdict, Verdict::skip);
  EXPECT_EQ(close_after_open.message, "the adapter declares --cannot-report open: its API reports no open event to close after");
}

TEST_F(ClientRunnerTest, CannotReportReadyStateSkipsCasesThatGradeIt) {
  const auto always_closed = reference_client_through("s/\"readyState\":0/\"readyState\":2/");
  EXPECT_EQ(run("client/reconnect/after-clean-close", always_closed).verdict, Verdict::fail);
  const CaseResult declared = run("client/reconnect/after-clean-close", always_closed, 5, {"ready-state"});
  EXPECT_EQ(declared.verdict, Verdict::skip);
  EXPECT_EQ(declared.message, "the adapter declares --cannot-report ready-state: its API reports no readyState with its errors");
}

TEST_F(ClientRunnerTest, CrashMessageQuotesTheExceptionLinePastTheTail) {
  // The exception line comes before 2 KiB of stack: the tail alone would not show it.
  const CaseResult r = run("client/open/open-before-first-message",
                           {"sh", "-c",
                            "echo 'Traceback (most recent call last):' >&2; echo 'ValueError: bad header' >&2; "
                            "for i in $(seq 100); do echo '  File \"lib.py\", line 12, in helper' >&2; done; exit 1"});
  EXPECT_EQ(r.verdict, Verdict::fail);
  EXPECT_NE(r.message.find("crashed (exit 1): ValueError: bad header; stderr ends: "), std::string::npos) << r.message;
}

TEST(PersistentOpenLine, CarriesOnlyTheFieldsTheCaseUses) {
  ClientCase c;
  c.listen = {"tick"};
  c.config.headers = {{"X-A", "1"}};
  c.config.read_timeout_ms = 500;
  EXPECT_EQ(persistent_open_line(c, "g/x", "http://h/s"),
            R"({"open":{"case":"g/x","url":"http://h/s","listen":["tick"],"headers":{"X-A":"1"},"readTimeoutMs":500}})");
}

// A persistent adapter in sh for one case: it runs the reference client on the URL of the
// first "open" and tags its lines with the case id.
std::vector<std::string> persistent_sh(const std::string& id) {
  return {"sh", "-c",
          "read -r line; url=$(printf '%s' \"$line\" | sed 's/.*\"url\":\"\\([^\"]*\\)\".*/\\1/'); "
          "\"$0\" connect \"$url\" | sed -u 's|^{|{\"case\":\"" + id + "\",|'",
          SSESPEC_BIN};
}

TEST(PersistentRun, LinesReachTheirCase) {
  const std::string id = "client/last-event-id/persists-across-reconnects";
  ClientRunOptions options;
  options.persistent = true;
  options.command = persistent_sh(id);
  ReportOptions report;
  report.quiet = true;
  std::vector<ClientCase> cases;
  for (ClientCase& c : load_all_client_cases(SSESPEC_FIXTURES_DIR)) {
    if (c.full_id() == id) cases.push_back(std::move(c));
  }
  ASSERT_EQ(cases.size(), 1u);
  const RunResult run = run_client_cases(cases, options, report);
  ASSERT_EQ(run.cases.size(), 1u);
  EXPECT_EQ(run.cases[0].verdict, Verdict::pass) << run.cases[0].message << "\n" << run.cases[0].observed;
}

TEST(PersistentRun, ACrashFailsTheRunningCaseAndStopsTheRun) {
  ClientRunOptions options;
  options.persistent = true;
  options.jobs = 1;
  options.command = {"sh", "-c", "read -r line; echo 'Error: adapter bug' >&2; echo '    at x (a.mjs:1:1)' >&2; exit 1"};
  ReportOptions report;
  report.quiet = true;
  std::vector<ClientCase> cases;
  for (ClientCase& c : load_all_client_cases(SSESPEC_FIXTURES_DIR)) {
    if (c.group == "client/open") cases.push_back(std::move(c));
  }
  ASSERT_GE(cases.size(), 3u);
  try {
    run_client_cases(cases, options, report);
    FAIL() << "the run went on after the adapter crashed";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("the persistent adapter crashed (exit 1): Error: adapter bug"), std::string::npos) << message;
    EXPECT_NE(message.find("the run stopped after 1 of " + std::to_string(cases.size()) + " cases"), std::string::npos) << message;
  }
}

// A crash the adapter pins on one case ({"case":ID,"crashed":{"stderr":...}}, protocol.mjs's
// worker per case) fails that case with a per-process crash's message, and the run goes on.
TEST(PersistentRun, ACaseCrashFailsThatCaseAndTheRunGoesOn) {
  ClientRunOptions options;
  options.persistent = true;
  options.jobs = 1;
  options.command = {"sh", "-c",
                     "while read -r line; do case \"$line\" in *'\"open\"'*) "
                     "id=$(printf '%s' \"$line\" | sed 's/.*\"case\":\"\\([^\"]*\\)\".*/\\1/'); "
                     "printf '{\"case\":\"%s\",\"crashed\":{\"stderr\":\"TypeError: Invalid URL\\\\n    at x (a.mjs:1:1)\"}}\\n' \"$id\";; "
                     "esac; done"};
  ReportOptions report;
  report.quiet = true;
  std::vector<ClientCase> cases;
  for (ClientCase& c : load_all_client_cases(SSESPEC_FIXTURES_DIR)) {
    if (c.group == "client/open") cases.push_back(std::move(c));
  }
  ASSERT_GE(cases.size(), 2u);
  const RunResult run = run_client_cases(cases, options, report);
  ASSERT_EQ(run.cases.size(), cases.size());
  for (const CaseResult& c : run.cases) {
    EXPECT_EQ(c.verdict, Verdict::fail) << c.id;
    EXPECT_NE(c.message.find("the adapter crashed (this case's worker ended by an uncaught exception): TypeError: Invalid URL; "
                             "stderr ends: "),
              std::string::npos)
        << c.id << ": " << c.message;
  }
}

}  // namespace
}  // namespace ssespec
