// Browser cases: the fixtures/browser loader (errors name file and field), placeholders, and
// how an observed entry matches an expected one; grade_case() (grader.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "runner/browser_fixture.hpp"

namespace ssespec {
namespace {

std::string load_error(const std::string& cases_json) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("ssespec-browser-loader-" + std::string(testing::UnitTest::GetInstance()->current_test_info()->name()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "sample.json";
  std::ofstream(file) << R"({"description": "d", "cases": [)" + cases_json + "]}";
  std::string error;
  try {
    load_browser_file(file, "browser/sample");
  } catch (const FixtureError& e) {
    error = e.what();
  }
  std::filesystem::remove_all(dir);
  return error;
}

const char* const kSpec = R"("spec": [{"url": "https://html.spec.whatwg.org/multipage/server-sent-events.html#dom-eventsource", "quote": "q"}])";

std::string with(const std::string& fields) {
  return std::string(R"({"id": "a", "description": "d", )") + kSpec + ", " + fields + "}";
}

TEST(BrowserFixtureTest, ShippedCasesLoad) {
  const auto cases = load_browser_only_cases(SSESPEC_FIXTURES_DIR);
  ASSERT_GE(cases.size(), 17U);
  for (const BrowserCase& c : cases) {
    EXPECT_EQ(c.full_id().rfind("browser/", 0), 0U) << c.full_id();
    EXPECT_FALSE(c.base.spec.empty()) << c.full_id();
    EXPECT_TRUE(std::count(c.base.requires_caps.begin(), c.base.requires_caps.end(), "browser")) << c.full_id();
  }
}

TEST(BrowserFixtureTest, ErrorsNameFileAndField) {
  const std::string e1 = load_error(with(R"("stream": "third", "connections": [{"response": {}}], "expect": {"trace": []})"));
  EXPECT_NE(e1.find("fixtures/browser/sample.json"), std::string::npos) << e1;
  EXPECT_NE(e1.find("cases[0].stream"), std::string::npos) << e1;
  // A response is read by the one script loader (reference/tests/script_test.cpp has its rules).
  const std::string e2 = load_error(with(R"("connections": [{"response": {"headers": [["A"]]}}], "expect": {"trace": []})"));
  EXPECT_NE(e2.find("cases[0].connections[0].response.headers[0]: expected [name, value]"), std::string::npos) << e2;
  const std::string e3 = load_error(with(R"("connections": [{"response": {}}], "expect": {"trace": [{"error": {"readyState": []}}]})"));
  EXPECT_NE(e3.find("readyState"), std::string::npos) << e3;
  const std::string e4 = load_error(with(R"("rawUrl": "x", "connections": [{"response": {}}], "expect": {})"));
  EXPECT_NE(e4.find("rawUrl"), std::string::npos) << e4;
  const std::string e5 = load_error(with(R"("connections": [{"response": {}}], "expect": {"traces": []})"));
  EXPECT_NE(e5.find("traces"), std::string::npos) << e5;
}

TEST(BrowserFixtureTest, PageOnlyFieldsAreChecked) {
  const std::string e1 = load_error(with(R"("contexts": ["tab"], "connections": [{"response": {}}], "expect": {})"));
  EXPECT_NE(e1.find("cases[0].contexts[0]"), std::string::npos) << e1;
  const std::string e2 = load_error(with(R"("windowStop": true, "connections": [{"response": {}}], "expect": {})"));
  EXPECT_NE(e2.find("window.stop() exists only in a window"), std::string::npos) << e2;
  const std::string e3 = load_error(with(R"("register": [{"add": "message", "label": null}], "connections": [{"response": {}}], "expect": {})"));
  EXPECT_NE(e3.find("only a handler can be set to null"), std::string::npos) << e3;
  const std::string e4 = load_error(with(R"("register": [{"handler": "onclose", "label": "x"}], "connections": [{"response": {}}], "expect": {})"));
  EXPECT_NE(e4.find("cases[0].register[0].handler"), std::string::npos) << e4;
  const std::string e5 = load_error(with(R"("connections": [{"response": {}}], "expect": {"events": {"open": {"bubble": false}}})"));
  EXPECT_NE(e5.find("bubble"), std::string::npos) << e5;
  const std::string e6 = load_error(with(R"("urlArgument": "array", "connections": [{"response": {}}], "expect": {})"));
  EXPECT_NE(e6.find("cases[0].urlArgument"), std::string::npos) << e6;
}

TEST(BrowserFixtureTest, WindowOnlyCasesStayOutOfWorkers) {
  const auto cases = load_browser_only_cases(SSESPEC_FIXTURES_DIR);
  const auto stop = std::find_if(cases.begin(), cases.end(), [](const BrowserCase& c) { return c.base.id == "window-stop-fails-the-connection"; });
  ASSERT_NE(stop, cases.end());
  EXPECT_TRUE(stop->window_stop);
  EXPECT_TRUE(stop->runs_in(Context::window));
  EXPECT_FALSE(stop->runs_in(Context::worker));
  EXPECT_FALSE(stop->runs_in(Context::shared_worker));
  const auto order = std::find_if(cases.begin(), cases.end(), [](const BrowserCase& c) { return c.base.id == "handler-null-unsubscribes"; });
  ASSERT_NE(order, cases.end());
  EXPECT_TRUE(order->runs_in(Context::shared_worker));
  ASSERT_EQ(order->register_steps.size(), 2U);
  EXPECT_FALSE(order->register_steps[1].label.has_value());
  ASSERT_TRUE(order->expect_calls.has_value());
  EXPECT_TRUE(order->expect_calls->empty());
  EXPECT_EQ(context_from_name("shared-worker"), Context::shared_worker);
  EXPECT_FALSE(context_from_name("service-worker").has_value());
}

TEST(BrowserFixtureTest, ConnectionsDefaultToTheStreamOrigin) {
  const auto dir = std::filesystem::temp_directory_path() / "ssespec-browser-origins";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "o.json") << R"({"description": "d", "cases": [)" +
                                       with(R"("stream": "second", "withCredentials": true,
                                               "connections": [{"response": {"status": 307}}, {"origin": "page", "response": {}}],
                                               "expect": {"trace": [{"error": {"readyState": ["CONNECTING", "CLOSED"]}}]})") +
                                       "]}";
  const auto cases = load_browser_file(dir / "o.json", "browser/o");
  std::filesystem::remove_all(dir);
  ASSERT_EQ(cases.size(), 1U);
  const BrowserCase& c = cases[0];
  EXPECT_EQ(c.connections[0].origin, Origin::second);
  EXPECT_EQ(c.connections[1].origin, Origin::page);
  EXPECT_EQ(c.with_credentials, std::optional<bool>(true));
  EXPECT_EQ(c.base.min_requests, 2);
  EXPECT_FALSE(c.base.max_requests.has_value());  // may end CONNECTING: further requests allowed
  EXPECT_EQ(c.trace[0].ready_states, (std::vector<int>{0, 2}));
}

TEST(BrowserFixtureTest, ExpandsEveryPlaceholder) {
  Placeholders v{"http://p", "http://s", "http://p/s/1/stream", "http://s/s/2/stream", "http://p/s/1/stream"};
  EXPECT_EQ(expand("{{pageOrigin}} {{secondOrigin}} {{secondStream}}|{{pageStream}}|{{streamUrl}}", v),
            "http://p http://s http://s/s/2/stream|http://p/s/1/stream|http://p/s/1/stream");
  EXPECT_EQ(expand("{{pageOrigin}}{{pageOrigin}}", v), "http://phttp://p");
  EXPECT_EQ(expand("{{unknown}}", v), "{{unknown}}");
}

TEST(BrowserFixtureTest, MatchesReadyStateAlternativesAndOrigin) {
  ExpectedEntry error;
  error.entry.kind = "error";
  error.ready_states = {0, 2};
  EXPECT_TRUE(error.matches({"error", {}, {}, {}, 0}, std::nullopt));
  EXPECT_TRUE(error.matches({"error", {}, {}, {}, 2}, std::nullopt));
  EXPECT_FALSE(error.matches({"error", {}, {}, {}, 1}, std::nullopt));
  EXPECT_FALSE(error.matches({"open", {}, {}, {}, -1}, std::nullopt));
  EXPECT_EQ(error.to_text(), R"({"error":{"readyState":[0,2]}})");

  ExpectedEntry message;
  message.entry = {"message", "message", "a", "", -1};
  message.origin = "http://127.0.0.1:1";
  EXPECT_TRUE(message.matches({"message", "message", "a", "", -1}, std::string("http://127.0.0.1:1")));
  EXPECT_FALSE(message.matches({"message", "message", "a", "", -1}, std::string("http://127.0.0.1:2")));
  EXPECT_FALSE(message.matches({"message", "message", "a", "", -1}, std::nullopt));
  EXPECT_FALSE(message.matches({"message", "message", "b", "", -1}, std::string("http://127.0.0.1:1")));
  EXPECT_EQ(message.to_text(), R"({"message":{"type":"message","data":"a","lastEventId":"","origin":"http://127.0.0.1:1"}})");
}

TEST(BrowserFixtureTest, ClientCasesKeepTheirTrace) {
  ClientCase c;
  c.group = "client/x";
  c.id = "y";
  c.trace = {{"open", {}, {}, {}, -1}, {"error", {}, {}, {}, 0}};
  c.connections.resize(2);
  const BrowserCase b = browser_case_from_client(c);
  EXPECT_EQ(b.full_id(), "client/x/y");
  ASSERT_EQ(b.trace.size(), 2U);
  EXPECT_TRUE(b.trace[0].ready_states.empty());
  EXPECT_EQ(b.trace[1].ready_states, std::vector<int>{0});
  EXPECT_EQ(b.connections.size(), 2U);
  EXPECT_EQ(b.connections[1].origin, Origin::page);
  EXPECT_FALSE(b.with_credentials.has_value());
}

// grade_case (grader.hpp), shared by `ssespec client` and `ssespec browser`.
server::RecordedRequest request_with(const std::string& method, std::vector<std::pair<std::string, std::string>> headers) {
  server::RecordedRequest r;
  r.method = method;
  r.path = "/s/s1/stream";
  r.headers = std::move(headers);
  return r;
}

TraceEntry entry(const std::string& kind, int ready_state = -1) {
  TraceEntry e;
  e.kind = kind;
  e.ready_state = ready_state;
  return e;
}

TEST(GraderTest, EachConnectionIsAnsweredByTheNextRequestOnItsServer) {
  CaseExpectations expected;
  ExpectedRequest with_origin;
  with_origin.headers = {{"Origin", "http://page"}};
  expected.connections = {{0, std::nullopt, std::nullopt}, {1, with_origin, std::string("GET")}};
  expected.min_requests = 2;
  CaseObservation seen;
  seen.logs = {{"page-origin", {request_with("GET", {})}}, {"second-origin", {request_with("GET", {{"Origin", "http://page"}})}}};
  EXPECT_EQ(grade_case(expected, seen).verdict, Verdict::pass);
  seen.logs[1].requests[0].headers = {{"Origin", "null"}};
  EXPECT_EQ(grade_case(expected, seen).message, "request 2: Origin is \"null\", expected \"http://page\"");
  seen.logs[1].requests[0].method = "POST";
  EXPECT_EQ(grade_case(expected, seen).message, "request 2: method POST, expected GET");
  expected.max_requests = 1;
  EXPECT_EQ(grade_case(expected, seen).message,
            "expected at most 1 request(s), the servers received 2 (a request that must not happen)");
}

TEST(GraderTest, TraceProblemsComeInOrder) {
  CaseExpectations expected;
  expected.trace = expected_entries({entry("open"), entry("error", 0)});
  CaseObservation seen;
  seen.logs = {{"", {request_with("GET", {})}}};
  ExtraCheck before{"constructor throws X\n", "", "the constructor did not throw (expected X)"};
  seen.trace = {entry("message")};
  EXPECT_EQ(grade_case(expected, seen, before).message, before.problem);
  EXPECT_EQ(grade_case(expected, seen).message.rfind("trace entry #1 differs: expected {\"open\":{}}", 0), 0U);
  seen.trace = {entry("open")};
  EXPECT_EQ(grade_case(expected, seen).message, "missing trace entry #2: {\"error\":{\"readyState\":0}}");
  seen.stopped = "timed out";
  EXPECT_EQ(grade_case(expected, seen).message, "timed out");
  seen.stopped.clear();
  seen.trace.push_back(entry("error", 2));
  EXPECT_EQ(grade_case(expected, seen).message.rfind("trace entry #2 differs", 0), 0U);
  seen.trace.back().ready_state = 0;
  EXPECT_EQ(grade_case(expected, seen).verdict, Verdict::pass);
  EXPECT_EQ(grade_case(expected, seen, {}, {"", "", "the url attribute is x"}).message, "the url attribute is x");
  seen.trace.push_back(entry("open"));
  EXPECT_EQ(grade_case(expected, seen).message, "unexpected trace entry #3: {\"open\":{}}");
  const Grade grade = grade_case(expected, seen);
  EXPECT_EQ(grade.expected, "{\"open\":{}}\n{\"error\":{\"readyState\":0}}\nrequests: 0 or more\n");
  EXPECT_NE(grade.observed.find("{\"open\":{}}\nrequests: 1\nrequest 0: GET /s/s1/stream, Accept absent"), std::string::npos)
      << grade.observed;
  expected.min_requests = 2;
  EXPECT_EQ(grade_case(expected, seen).message.rfind("unexpected trace entry #3", 0), 0U);  // the trace comes first
  seen.trace.pop_back();
  EXPECT_EQ(grade_case(expected, seen).message, "expected at least 2 request(s), the server received 1");
}

}  // namespace
}  // namespace ssespec
