#include "server/runner_page.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <istream>
#include <utility>

#include "server/reference_server.hpp"
#include "server/reply.hpp"

namespace ssespec::server {

using Poco::Net::HTTPRequestHandler;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

struct RunnerPage::State {
  std::string plan;
  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::map<std::string, std::string> results;
  bool plan_fetched = false;
  std::string done;
  std::string user_agent;
};

namespace {

constexpr std::streamsize kMaxResultBytes = 64 << 20;  // a case's trace, large-event cases included

// The plan and the results change from run to run: never from a cache.
void send(HTTPServerResponse& response, HTTPResponse::HTTPStatus status, const std::string& type, const std::string& body) {
  response.set("Cache-Control", "no-store");
  reply(response, status, type, body);
}

std::string read_body(HTTPServerRequest& request) {
  std::string body;
  Poco::StreamCopier::copyToString(request.stream(), body);
  if (static_cast<std::streamsize>(body.size()) > kMaxResultBytes) body.resize(static_cast<std::size_t>(kMaxResultBytes));
  return body;
}

class RunnerHandler final : public HTTPRequestHandler {
 public:
  RunnerHandler(std::shared_ptr<RunnerPage::State> state, std::string path)
      : state_(std::move(state)), path_(std::move(path)) {}

  void handleRequest(HTTPServerRequest& request, HTTPServerResponse& response) override {
    const std::string& method = request.getMethod();
    if (path_ == "/runner" && method == "GET") {
      send(response, HTTPResponse::HTTP_OK, "text/html; charset=utf-8", runner_page_html());
    } else if (path_ == "/runner.js" && method == "GET") {
      send(response, HTTPResponse::HTTP_OK, "text/javascript; charset=utf-8", runner_script_js());
    } else if (path_ == "/runner/plan" && method == "GET") {
      std::string plan;
      {
        std::lock_guard<std::mutex> lock(state_->mutex);
        state_->plan_fetched = true;
        state_->user_agent = request.get("User-Agent", "");
        plan = state_->plan;
      }
      state_->changed.notify_all();
      send(response, HTTPResponse::HTTP_OK, "application/json", plan);
    } else if (path_ == "/runner/result" && method == "POST") {
      std::string id;
      for (const auto& [key, value] : Poco::URI(request.getURI()).getQueryParameters()) {
        if (key == "id") id = value;
      }
      if (id.empty()) {
        send(response, HTTPResponse::HTTP_BAD_REQUEST, "text/plain", "POST /runner/result needs ?id=CASE\n");
        return;
      }
      std::string body = read_body(request);
      {
        std::lock_guard<std::mutex> lock(state_->mutex);
        state_->results[id] = std::move(body);
      }
      state_->changed.notify_all();
      send(response, HTTPResponse::HTTP_NO_CONTENT, "text/plain", "");
    } else if (path_ == "/runner/done" && method == "POST") {
      std::string body = read_body(request);
      {
        std::lock_guard<std::mutex> lock(state_->mutex);
        state_->done = body.empty() ? "{}" : std::move(body);
      }
      state_->changed.notify_all();
      send(response, HTTPResponse::HTTP_NO_CONTENT, "text/plain", "");
    } else {
      send(response, HTTPResponse::HTTP_NOT_FOUND, "text/plain", "no such runner endpoint: " + method + " " + path_ + "\n");
    }
  }

 private:
  std::shared_ptr<RunnerPage::State> state_;
  std::string path_;
};

}  // namespace

RunnerPage::RunnerPage() : state_(std::make_shared<State>()) {}

void RunnerPage::set_plan(std::string plan_json) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->plan = std::move(plan_json);
}

void RunnerPage::install(ReferenceServer& server) {
  std::shared_ptr<State> state = state_;
  server.add_route([state](const HTTPServerRequest& request) -> HTTPRequestHandler* {
    std::string path;
    try {
      path = Poco::URI(request.getURI()).getPath();
    } catch (const Poco::Exception&) {
      return nullptr;
    }
    if (path != "/runner" && path != "/runner.js" && path.rfind("/runner/", 0) != 0) return nullptr;
    return new RunnerHandler(state, path);
  });
}

bool RunnerPage::wait_results(std::size_t count, Clock::time_point deadline) const {
  std::unique_lock<std::mutex> lock(state_->mutex);
  state_->changed.wait_until(lock, deadline, [&] { return state_->results.size() >= count || !state_->done.empty(); });
  return state_->results.size() >= count;
}

std::map<std::string, std::string> RunnerPage::results() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->results;
}

bool RunnerPage::plan_fetched() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->plan_fetched;
}

std::string RunnerPage::done_body() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->done;
}

std::string RunnerPage::user_agent() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->user_agent;
}

// The page: it runs the plan itself (context "window"), or starts /runner.js as a dedicated or
// shared worker that does (contexts "worker", "shared-worker"). Worker errors are posted as done.
std::string runner_page_html() {
  return R"html(<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>ssespec runner</title>
<style>body{font:14px system-ui,sans-serif;margin:1.5em} #log{font:12px monospace;white-space:pre-wrap} iframe{display:none}</style>
<h1>ssespec runner</h1>
<p>Each case runs with this browser's own <code>EventSource</code>; results go back to the server.</p>
<p>Status: <b id="status">loading the plan</b></p>
<div id="log"></div>
<script src="/runner.js"></script>
<script>
"use strict";
const statusLine = document.getElementById("status");
const finished = (title, text) => {
  if (text) document.getElementById("log").textContent = text;
  statusLine.textContent = title;
  document.title = title;
  window.ssespecDone = true;
};
const failed = (e) => {
  const text = String(e && e.stack || e && e.message || e);
  finished("error", text);
  ssespecPost("/runner/done", JSON.stringify({error: text}));
};
// The cookie is set here for every context: a worker has no document.cookie.
async function start() {
  const plan = await (await fetch("/runner/plan", {cache: "no-store"})).json();
  if (plan.cookie) document.cookie = plan.cookie + "; path=/; SameSite=Lax";
  if (plan.context === "window") {
    await ssespecRun(plan, (text) => { statusLine.textContent = text; });
    finished("done");
    return;
  }
  statusLine.textContent = "running in a " + plan.context;
  const worker = plan.context === "worker" ? new Worker("/runner.js") : new SharedWorker("/runner.js");
  const port = plan.context === "worker" ? worker : worker.port;
  worker.onerror = (event) => failed(plan.context + " error: " + (event.message || "could not start /runner.js"));
  port.onmessage = (event) => {
    if (event.data.progress) statusLine.textContent = event.data.progress;
    if (event.data.error) failed(event.data.error);
    if (event.data.done) finished("done");
  };
  if (port.start) port.start();
}
start().catch(failed);
</script>
</html>
)html";
}

// The runner, for a window or a worker. The plan (browser_runner.cpp builds it):
//   {"context": "window", "concurrency": 4, "caseTimeoutMs": 5000, "settleMs": 100, "cookie": "name=value",
//    "cases": [{"id", "url", "urlArgument"?, "withCredentials"?, "listen": [types], "register"?: [steps],
//               "closeAfter"?: {"kind", "count", "via", "do"}, "frame"?: {"base"?}, "eventDetails"?, "expectEntries",
//               "minRequests", "requestsUrl", "recordOrigin"}]}
// Each result is the adapter protocol's trace (conformance/ADAPTERS.md) plus what only a page
// can see: {"id", "trace": [...], "attributes": {url, withCredentials, readyState}, "exception",
// "calls": ["label:type"], "details": [{type, interface, bubbles, cancelable, isTrusted, hasData, realm}],
// "timedOut", "ms"}; message entries carry "origin" when the case asks for it.
std::string runner_script_js() {
  return R"js("use strict";
const ssespecSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const ssespecPost = (path, body) => fetch(path, {method: "POST", headers: {"Content-Type": "text/plain"}, body});

// The constructor argument: the URL string, or a value the constructor must stringify.
function ssespecUrlArgument(c) {
  if (c.urlArgument === "object") return {toString: () => c.url};
  if (c.urlArgument === "number") return Number(c.url);
  if (c.urlArgument === "null") return null;
  return c.url;
}

// Runs one case and resolves with its observations; never rejects, always ends by the timeout.
function ssespecRunCase(c, plan) {
  return new Promise((resolve) => {
    const started = performance.now();
    const trace = [];
    const calls = [];
    const details = [];
    const result = {id: c.id, trace, calls, details, attributes: null, exception: null, timedOut: false, ms: 0};
    const counts = {open: 0, message: 0, error: 0};
    let source = null;
    let frame = null;  // the iframe whose EventSource constructor a case uses (c.frame)
    let finished = false;
    let settling = false;

    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (source) source.close();
      if (frame) frame.remove();
      result.ms = performance.now() - started;
      resolve(result);
    };
    const timer = setTimeout(() => { result.timedOut = true; finish(); }, c.timeoutMs || plan.caseTimeoutMs);

    // Once the expected number of entries is in and the server saw the requests the case
    // needs, wait settleMs more so that an extra (wrong) observation is still caught.
    const maybeDone = async () => {
      if (finished || settling || trace.length < c.expectEntries) return;
      settling = true;
      while (!finished && c.minRequests > 0 && c.requestsUrl) {
        try {
          const log = await (await fetch(c.requestsUrl, {cache: "no-store"})).json();
          if (log.requests.length >= c.minRequests) break;
        } catch (e) { /* keep polling: the case timer bounds this */ }
        await ssespecSleep(25);
      }
      await ssespecSleep(plan.settleMs);
      finish();
    };
    const act = () => {
      if (finished) return;
      if (c.closeAfter.do === "stop") {
        frame.contentWindow.stop();  // aborts the fetches of that document only
        return;
      }
      source.close();
      trace.push({closed: {readyState: source.readyState}});
      maybeDone();
    };
    const observe = (entry, kind) => {
      if (finished) return;
      trace.push(entry);
      counts[kind] += 1;
      const after = c.closeAfter;
      if (after && after.kind === kind && after.count === counts[kind]) {
        if (after.via === "handler") act(); else setTimeout(act, 0);
      }
      maybeDone();
    };
    // One listener for open, error, message and every listed type. A stream event named
    // "open" or "error" is a MessageEvent; the connection's own open and error are not.
    const listener = (event) => {
      if (c.eventDetails && !finished) {
        details.push({type: event.type, interface: event.constructor.name, bubbles: event.bubbles,
                      cancelable: event.cancelable, isTrusted: event.isTrusted, hasData: "data" in event,
                      realm: frame && event instanceof frame.contentWindow.Event ? "iframe" : event instanceof Event ? "page" : "other"});
      }
      if (Object.prototype.toString.call(event) === "[object MessageEvent]") {  // any realm's (an iframe case's too)
        const m = {type: event.type, data: event.data, lastEventId: event.lastEventId};
        if (c.recordOrigin) m.origin = event.origin;
        observe({message: m}, "message");
      } else if (event.type === "open") {
        observe({open: {}}, "open");
      } else if (event.type === "error") {
        observe({error: {readyState: source.readyState}}, "error");
      }
    };
    try {
      let Constructor = EventSource;
      if (c.frame) {  // an about:blank iframe of this page, optionally with its own base URL
        frame = document.createElement("iframe");
        document.body.appendChild(frame);
        if (c.frame.base) {
          frame.contentDocument.open();
          frame.contentDocument.write("<base href=\"" + c.frame.base + "\">");
          frame.contentDocument.close();
        }
        Constructor = frame.contentWindow.EventSource;
      }
      const argument = ssespecUrlArgument(c);
      source = "withCredentials" in c ? new Constructor(argument, {withCredentials: c.withCredentials})
                                      : new Constructor(argument);
    } catch (e) {
      result.exception = {name: e.name, message: String(e.message)};
      finish();
      return;
    }
    result.attributes = {url: source.url, withCredentials: source.withCredentials, readyState: source.readyState};
    for (const type of new Set(["open", "error", "message", ...c.listen])) source.addEventListener(type, listener);
    // Handlers and extra listeners, in the case's order, each noting "label:type" when called.
    for (const step of c.register || []) {
      const note = (label) => (event) => { if (!finished) calls.push(label + ":" + event.type); };
      if (step.add) source.addEventListener(step.add, note(step.label));
      else source[step.handler] = step.label === null ? null : note(step.label);
    }
    if (c.closeAfter && c.closeAfter.kind === "start") setTimeout(act, 0);
    maybeDone();
  });
}

// Runs every case of the plan, `concurrency` at a time, posting each result; then posts done.
async function ssespecRun(plan, progress) {
  const queue = plan.cases.slice();
  let done = 0;
  let failed = 0;
  const lane = async () => {
    while (queue.length > 0) {
      const c = queue.shift();
      let result;
      try {
        result = await ssespecRunCase(c, plan);
      } catch (e) {
        result = {id: c.id, trace: [], pageError: String(e && e.stack || e)};
      }
      const response = await ssespecPost("/runner/result?id=" + encodeURIComponent(c.id), JSON.stringify(result));
      if (!response.ok) failed += 1;
      done += 1;
      progress(done + " / " + plan.cases.length);
    }
  };
  await Promise.all(Array.from({length: Math.max(1, plan.concurrency)}, lane));
  await ssespecPost("/runner/done", JSON.stringify({count: done, postFailures: failed, userAgent: navigator.userAgent,
                                                   context: plan.context}));
}

// In a worker this script runs the plan itself and reports to the page that started it.
if (typeof document === "undefined") {
  const ports = [];
  const tell = (message) => { for (const port of ports) port.postMessage(message); };
  if (typeof SharedWorkerGlobalScope !== "undefined" && self instanceof SharedWorkerGlobalScope) {
    self.onconnect = (event) => { ports.push(event.ports[0]); };
  } else {
    ports.push(self);
  }
  (async () => {
    const plan = await (await fetch("/runner/plan", {cache: "no-store"})).json();
    await ssespecRun(plan, (text) => tell({progress: text}));
    tell({done: true});
  })().catch((e) => {
    const text = String(e && e.stack || e);
    tell({error: text});
    ssespecPost("/runner/done", JSON.stringify({error: text}));
  });
}
)js";
}

}  // namespace ssespec::server
