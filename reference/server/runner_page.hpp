// The browser runner page, served by the reference server: a browser opens /runner, fetches
// the plan (which cases, at which stream URLs), runs each case with its own `EventSource`, and
// POSTs what it observed back here. No browser driver is needed to collect the results.
//
// Routes (added with ReferenceServer::add_route):
//   GET  /runner                 the page (HTML); it runs the plan, or starts a worker that does
//   GET  /runner.js              the runner script, for the page and for workers (at the root, so
//                                that relative URLs resolve alike in every context)
//   GET  /runner/plan            the plan given to the constructor (JSON, see browser_runner.cpp)
//   POST /runner/result?id=ID    one case's observations (JSON, stored as received)
//   POST /runner/done            the page finished every case (JSON: {count, userAgent} or {error})
// The server knows nothing of fixtures or verdicts: it stores text and wakes the waiter.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace ssespec::server {

class ReferenceServer;

std::string runner_page_html();
std::string runner_script_js();

class RunnerPage {
 public:
  using Clock = std::chrono::steady_clock;

  RunnerPage();
  // What GET /runner/plan answers; may be set after install() and server.start().
  void set_plan(std::string plan_json);

  // Routes /runner... on `server`; call before server.start(). The page must outlive the server's use.
  void install(ReferenceServer& server);

  // Blocks until `count` results arrived, the page posted /runner/done, or `deadline`.
  // True if `count` results arrived.
  bool wait_results(std::size_t count, Clock::time_point deadline) const;

  std::map<std::string, std::string> results() const;  // case id -> posted JSON
  bool plan_fetched() const;                           // the browser loaded the page and its plan
  std::string done_body() const;                       // what /runner/done carried ("" until then)
  std::string user_agent() const;                      // User-Agent of the plan request

  struct State;  // shared with the request handlers

 private:
  std::shared_ptr<State> state_;
};

}  // namespace ssespec::server
