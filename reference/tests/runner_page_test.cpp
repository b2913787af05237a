// The browser runner page's endpoints on a live reference server: the page and its plan are
// served, results are stored as posted, and the waiter wakes when they arrive.
#include <gtest/gtest.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <thread>

#include "raw_http.hpp"
#include "server/reference_server.hpp"
#include "server/runner_page.hpp"

namespace ssespec {
namespace {

using server::ReferenceServer;
using server::RunnerPage;

std::pair<int, std::string> http(std::uint16_t port, const std::string& method, const std::string& path,
                                  const std::string& body = "") {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (method == Poco::Net::HTTPRequest::HTTP_POST) {
    request.setContentType("text/plain");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(request) << body;
  } else {
    session.sendRequest(request);
  }
  Poco::Net::HTTPResponse response;
  std::string text;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), text);
  return {static_cast<int>(response.getStatus()), text};
}

class RunnerPageTest : public testing::Test {
 protected:
  void SetUp() override {
    page_.install(server_);
    server_.start();
    page_.set_plan(R"({"cases": []})");
  }
  RunnerPage page_;
  ReferenceServer server_;
};

TEST_F(RunnerPageTest, ServesThePageAndThePlan) {
  const auto [status, html] = http(server_.port(), "GET", "/runner");
  EXPECT_EQ(status, 200);
  EXPECT_NE(html.find(R"(<script src="/runner.js">)"), std::string::npos);
  EXPECT_NE(html.find("new SharedWorker(\"/runner.js\")"), std::string::npos);
  // The runner script, for the page and for workers alike.
  const auto [script_status, script] = http(server_.port(), "GET", "/runner.js");
  EXPECT_EQ(script_status, 200);
  EXPECT_NE(script.find("let Constructor = EventSource;"), std::string::npos);
  EXPECT_NE(script.find("/runner/result?id="), std::string::npos);
  EXPECT_FALSE(page_.plan_fetched());
  EXPECT_EQ(http(server_.port(), "GET", "/runner/plan"), std::make_pair(200, std::string(R"({"cases": []})")));
  EXPECT_TRUE(page_.plan_fetched());
}

TEST_F(RunnerPageTest, StoresResultsByIdAndWakesTheWaiter) {
  const auto deadline = RunnerPage::Clock::now() + std::chrono::seconds(5);
  std::thread poster([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    http(server_.port(), "POST", "/runner/result?id=client%2Fopen%2Fa", R"({"trace":[{"open":{}}]})");
  });
  EXPECT_TRUE(page_.wait_results(1, deadline));
  poster.join();
  EXPECT_LT(RunnerPage::Clock::now(), deadline);
  const auto results = page_.results();
  ASSERT_EQ(results.count("client/open/a"), 1U);
  EXPECT_EQ(results.at("client/open/a"), R"({"trace":[{"open":{}}]})");
}

TEST_F(RunnerPageTest, DoneEndsTheWaitEarly) {
  EXPECT_EQ(http(server_.port(), "POST", "/runner/done", R"({"count":0})").first, 204);
  EXPECT_FALSE(page_.wait_results(3, RunnerPage::Clock::now() + std::chrono::seconds(5)));
  EXPECT_EQ(page_.done_body(), R"({"count":0})");
}

TEST_F(RunnerPageTest, WaitEndsAtTheDeadline) {
  const auto started = RunnerPage::Clock::now();
  EXPECT_FALSE(page_.wait_results(1, started + std::chrono::milliseconds(100)));
  EXPECT_GE(RunnerPage::Clock::now() - started, std::chrono::milliseconds(100));
}

TEST_F(RunnerPageTest, BadRequestsAreAnswered) {
  EXPECT_EQ(http(server_.port(), "POST", "/runner/result", "{}").first, 400);
  EXPECT_EQ(http(server_.port(), "GET", "/runner/nothing").first, 404);
  EXPECT_EQ(http(server_.port(), "GET", "/runnerx").first, 404);  // not the runner's: the server's 404
  EXPECT_TRUE(page_.results().empty());
}

// The status line itself, not only the code: POCO's setStatus() alone answers "400 OK".
TEST_F(RunnerPageTest, AnswersCarryTheirReasonPhrase) {
  const std::uint16_t port = server_.port();
  EXPECT_EQ(status_line(raw_exchange(port, "POST", "/runner/result", "{}")), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(status_line(raw_exchange(port, "GET", "/runner/nothing")), "HTTP/1.1 404 Not Found");
  EXPECT_EQ(status_line(raw_exchange(port, "GET", "/runner")), "HTTP/1.1 200 OK");
  const std::string stored = raw_exchange(port, "POST", "/runner/result?id=a", "{}");
  EXPECT_EQ(status_line(stored), "HTTP/1.1 204 No Content");
  EXPECT_EQ(head_of(stored).find("Content-Length"), std::string::npos) << stored;  // RFC 9110 8.6
  EXPECT_NE(head_of(stored).find("Cache-Control: no-store"), std::string::npos) << stored;
  EXPECT_EQ(status_line(raw_exchange(port, "POST", "/runner/done", "{}")), "HTTP/1.1 204 No Content");
}

}  // namespace
}  // namespace ssespec
