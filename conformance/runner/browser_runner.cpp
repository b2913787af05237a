#include "runner/browser_runner.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "runner/grader.hpp"
#include "json/json_node.hpp"
#include "runner/subprocess.hpp"
#include "server/reference_server.hpp"
#include "server/runner_page.hpp"

namespace ssespec {
namespace {

using Clock = std::chrono::steady_clock;
using server::RecordedRequest;
using server::ReferenceServer;

// A case made ready to run: its sessions on the two servers and its placeholder values.
struct Prepared {
  const BrowserCase* c = nullptr;
  std::string page_session;    // "" if no connection plays on the page's server
  std::string second_session;  // "" if none plays on the second server
  Placeholders values;
  std::string url;  // what the page passes to the constructor
};

std::string stringify(const Poco::Dynamic::Var& value) {
  std::ostringstream out;
  Poco::JSON::Stringifier::condense(value, out);
  return out.str();
}

server::Script script_for(const BrowserCase& c, Origin origin, const Placeholders& values) {
  server::Script script;
  for (const BrowserConnection& conn : c.connections) {
    if (conn.origin != origin) continue;
    server::ScriptedResponse response = conn.response;
    for (auto& [name, value] : response.headers) value = expand(value, values);
    script.connections.push_back(std::move(response));
  }
  return script;
}

bool plays_on(const BrowserCase& c, Origin origin) {
  return std::any_of(c.connections.begin(), c.connections.end(), [&](const BrowserConnection& b) { return b.origin == origin; });
}

Prepared prepare(const BrowserCase& c, ReferenceServer& page, ReferenceServer& second) {
  Prepared p;
  p.c = &c;
  p.values.page_origin = page.base_url();
  p.values.second_origin = second.base_url();
  // The second server's script is made first, so that the page's (a redirect, say) can name
  // its stream; a second-origin connection cannot name {{pageStream}}.
  if (plays_on(c, Origin::second)) {
    p.second_session = second.create_session(script_for(c, Origin::second, p.values));
    p.values.second_stream = second.base_url() + ReferenceServer::stream_path(p.second_session);
  }
  if (plays_on(c, Origin::page)) {
    p.page_session = page.create_session(script_for(c, Origin::page, p.values));
    p.values.page_stream = page.base_url() + ReferenceServer::stream_path(p.page_session);
  }
  if (c.raw_url) {
    p.url = *c.raw_url;
    p.values.stream_url = *c.raw_url;
  } else {
    p.values.stream_url = c.stream_origin == Origin::page ? p.values.page_stream : p.values.second_stream;
    const std::string& session = c.stream_origin == Origin::page ? p.page_session : p.second_session;
    p.url = c.relative_url ? ReferenceServer::stream_path(session) : p.values.stream_url;
    if (c.iframe == "based-at-stream-folder") p.url = p.values.stream_url.substr(p.values.stream_url.rfind('/') + 1);
  }
  return p;
}

// Which request log the page polls before it settles, and how many requests it waits for.
std::pair<std::string, int> request_wait(const Prepared& p, const ReferenceServer& page, const ReferenceServer& second) {
  const BrowserCase& c = *p.c;
  if (c.base.min_requests <= 0 || c.raw_url) return {"", 0};
  const auto log_url = [&](Origin o) {
    return o == Origin::page ? page.base_url() + "/sessions/" + p.page_session + "/requests"
                             : second.base_url() + "/sessions/" + p.second_session + "/requests";
  };
  const int total = static_cast<int>(c.connections.size());
  const Origin last = c.connections.back().origin;
  if (!plays_on(c, last == Origin::page ? Origin::second : Origin::page)) return {log_url(last), c.base.min_requests};
  if (c.base.min_requests >= total) {
    const int on_last = static_cast<int>(std::count_if(c.connections.begin(), c.connections.end(),
                                                       [&](const BrowserConnection& b) { return b.origin == last; }));
    return {log_url(last), on_last + (c.base.min_requests - total)};
  }
  return {log_url(c.stream_origin), c.base.min_requests};
}

Poco::JSON::Object::Ptr plan_entry(const Prepared& p, const ReferenceServer& page, const ReferenceServer& second) {
  const BrowserCase& c = *p.c;
  Poco::JSON::Object::Ptr e = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  e->set("id", c.full_id());
  e->set("url", p.url);
  if (c.url_argument) e->set("urlArgument", *c.url_argument);
  if (c.with_credentials) e->set("withCredentials", *c.with_credentials);
  Poco::JSON::Array::Ptr listen = new Poco::JSON::Array;
  for (const std::string& t : c.base.listen) listen->add(t);
  e->set("listen", listen);
  if (!c.base.actions.empty()) {
    const ClientAction& a = c.base.actions.front();  // the adapter protocol has one close per case
    Poco::JSON::Object::Ptr after = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    after->set("kind", a.kind);
    after->set("count", a.count);
    after->set("via", a.via_stdin ? "later" : "handler");
    e->set("closeAfter", after);
  }
  if (c.window_stop || c.iframe) {
    Poco::JSON::Object::Ptr frame = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    if (c.iframe == "based-at-stream-folder") frame->set("base", p.values.stream_url.substr(0, p.values.stream_url.rfind('/') + 1));
    e->set("frame", frame);
  }
  if (c.window_stop) {
    Poco::JSON::Object::Ptr after = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    after->set("kind", "start");
    after->set("count", 0);
    after->set("via", "later");
    after->set("do", "stop");
    e->set("closeAfter", after);
  }
  if (!c.register_steps.empty()) {
    Poco::JSON::Array::Ptr steps = new Poco::JSON::Array;
    for (const RegisterStep& s : c.register_steps) {
      Poco::JSON::Object::Ptr step = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
      if (!s.add.empty()) step->set("add", s.add);
      if (!s.handler.empty()) step->set("handler", s.handler);
      step->set("label", s.label ? Poco::Dynamic::Var(*s.label) : Poco::Dynamic::Var());
      steps->add(step);
    }
    e->set("register", steps);
  }
  if (!c.expect_events.empty()) e->set("eventDetails", true);
  e->set("expectEntries", static_cast<int>(c.trace.size()));
  const auto [requests_url, min_requests] = request_wait(p, page, second);
  e->set("minRequests", min_requests);
  e->set("requestsUrl", requests_url);
  e->set("recordOrigin", c.record_origin);
  return e;
}

// One observed entry of the page's trace; `origin` set for messages that carry one.
std::optional<TraceEntry> entry_from(const Poco::Dynamic::Var& value, std::optional<std::string>& origin, std::string& error) {
  origin.reset();
  try {
    const auto object = value.extract<Poco::JSON::Object::Ptr>();
    if (!object || object->size() != 1) throw std::invalid_argument("expected one member");
    const std::string kind = object->begin()->first;
    const auto inner = object->getObject(kind);
    if (!inner) throw std::invalid_argument("expected an object in " + kind);
    TraceEntry e;
    e.kind = kind;
    if (kind == "message") {
      e.type = inner->getValue<std::string>("type");
      e.data = inner->getValue<std::string>("data");
      e.last_event_id = inner->getValue<std::string>("lastEventId");
      if (inner->has("origin")) origin = inner->getValue<std::string>("origin");
    } else if (kind == "error" || kind == "closed") {
      e.ready_state = inner->getValue<int>("readyState");
    } else if (kind != "open") {
      throw std::invalid_argument("unknown kind " + kind);
    }
    return e;
  } catch (const Poco::Exception& ex) {
    error = "the page sent an entry outside the protocol: " + stringify(value).substr(0, 200) + " (" + ex.displayText() + ")";
  } catch (const std::exception& ex) {
    error = std::string("the page sent an entry outside the protocol: ") + stringify(value).substr(0, 200) + " (" + ex.what() + ")";
  }
  return std::nullopt;
}

// The case's expectations with the placeholders expanded; each connection is answered by the
// next request on the server that plays it (request log 0: the page's, 1: the second).
CaseExpectations expectations_for(const Prepared& p) {
  const BrowserCase& c = *p.c;
  CaseExpectations e;
  for (ExpectedEntry entry : c.trace) {
    if (entry.origin) entry.origin = expand(*entry.origin, p.values);
    e.trace.push_back(std::move(entry));
  }
  for (const BrowserConnection& conn : c.connections) {
    std::optional<ExpectedRequest> request = conn.expect_request;
    if (request) {
      for (auto& [name, value] : request->headers) value = expand(value, p.values);
    }
    e.connections.push_back({conn.origin == Origin::page ? std::size_t{0} : std::size_t{1}, std::move(request), conn.expect_method});
  }
  e.min_requests = c.base.min_requests;
  e.max_requests = c.base.max_requests;
  return e;
}

// What only a page shows, before the trace: whether the constructor threw. `posted` null:
// the expected line only.
ExtraCheck constructor_check(const BrowserCase& c, const Poco::JSON::Object::Ptr& posted) {
  ExtraCheck check;
  if (c.expect_exception) check.expected = "constructor throws " + *c.expect_exception + "\n";
  if (!posted) return check;
  if (const auto exception = posted->getObject("exception")) {
    const std::string name = exception->optValue<std::string>("name", "");
    check.observed = "constructor threw " + name + ": " + exception->optValue<std::string>("message", "") + "\n";
    if (!c.expect_exception) {
      check.problem = "the constructor threw " + name;
    } else if (name != *c.expect_exception) {
      check.problem = "the constructor threw " + name + ", expected " + *c.expect_exception;
    }
  } else if (c.expect_exception) {
    check.problem = "the constructor did not throw (expected " + *c.expect_exception + ")";
  }
  return check;
}

const char* ready_state_name(int state) {
  return state == 0 ? "CONNECTING" : state == 1 ? "OPEN" : state == 2 ? "CLOSED" : "unknown";
}

// What only a page shows, after the trace: the url, withCredentials and (right after
// construction) readyState attributes.
ExtraCheck attribute_check(const BrowserCase& c, const Placeholders& values, const Poco::JSON::Object::Ptr& posted) {
  ExtraCheck check;
  if (c.expect_url) check.expected += "url attribute: " + expand(*c.expect_url, values) + "\n";
  if (c.expect_with_credentials) {
    check.expected += std::string("withCredentials attribute: ") + (*c.expect_with_credentials ? "true" : "false") + "\n";
  }
  if (c.expect_ready_state) check.expected += std::string("readyState after construction: ") + ready_state_name(*c.expect_ready_state) + "\n";
  const auto attributes = posted ? posted->getObject("attributes") : nullptr;
  if (!attributes) return check;
  const std::string url = attributes->optValue<std::string>("url", "");
  const bool with_credentials = attributes->optValue<bool>("withCredentials", false);
  const int ready_state = attributes->optValue<int>("readyState", -1);
  check.observed = "url attribute: " + url + "\nwithCredentials attribute: " + (with_credentials ? "true" : "false") + "\n";
  if (c.expect_ready_state) check.observed += std::string("readyState after construction: ") + ready_state_name(ready_state) + "\n";
  if (c.expect_url && url != expand(*c.expect_url, values)) {
    check.problem = "the url attribute is " + url + ", expected " + expand(*c.expect_url, values);
  } else if (c.expect_with_credentials && with_credentials != *c.expect_with_credentials) {
    check.problem = std::string("the withCredentials attribute is ") + (with_credentials ? "true" : "false");
  } else if (c.expect_ready_state && ready_state != *c.expect_ready_state) {
    check.problem = std::string("readyState after construction is ") + ready_state_name(ready_state) + ", expected " +
                    ready_state_name(*c.expect_ready_state);
  }
  return check;
}

std::string flag(bool value) { return value ? "true" : "false"; }

// The properties of event type `type` as one line, e.g. "open: Event bubbles=false ...".
std::string properties_text(const std::string& type, const EventProperties& p) {
  std::string text = type + ":";
  if (p.interface) text += " " + *p.interface;
  if (p.bubbles) text += " bubbles=" + flag(*p.bubbles);
  if (p.cancelable) text += " cancelable=" + flag(*p.cancelable);
  if (p.is_trusted) text += " isTrusted=" + flag(*p.is_trusted);
  if (p.has_data) text += std::string(" ") + (*p.has_data ? "has" : "no") + " data";
  if (p.realm) text += " from the " + *p.realm + "'s realm";
  return text;
}

// What only a page shows of its events: handler calls in order, and each event's interface and
// flags. Appended to `check`; the first problem wins.
void event_checks(const BrowserCase& c, const Poco::JSON::Object::Ptr& posted, ExtraCheck& check) {
  const auto problem = [&](std::string text) { if (check.problem.empty()) check.problem = std::move(text); };
  if (c.expect_calls) {
    std::string expected;
    for (const std::string& call : *c.expect_calls) expected += (expected.empty() ? "" : ", ") + call;
    check.expected += "handler and listener calls: [" + expected + "]\n";
  }
  for (const auto& [type, p] : c.expect_events) check.expected += "every " + properties_text(type, p) + "\n";
  if (!posted) return;
  if (c.expect_calls) {
    std::vector<std::string> seen;
    std::string observed;
    if (const auto calls = posted->getArray("calls")) {
      for (std::size_t k = 0; k < calls->size(); ++k) seen.push_back(calls->getElement<std::string>(static_cast<unsigned>(k)));
    }
    for (const std::string& call : seen) observed += (observed.empty() ? "" : ", ") + call;
    check.observed += "handler and listener calls: [" + observed + "]\n";
    if (seen != *c.expect_calls) problem("the handlers and listeners were called as [" + observed + "]");
  }
  if (c.expect_events.empty()) return;
  const auto details = posted->getArray("details");
  for (const auto& [type, want] : c.expect_events) {
    int seen_of_type = 0;
    for (std::size_t k = 0; details && k < details->size(); ++k) {
      const auto d = details->getObject(static_cast<unsigned>(k));
      if (!d || d->optValue<std::string>("type", "") != type) continue;
      ++seen_of_type;
      EventProperties got;
      got.interface = d->optValue<std::string>("interface", "");
      got.bubbles = d->optValue<bool>("bubbles", false);
      got.cancelable = d->optValue<bool>("cancelable", false);
      got.is_trusted = d->optValue<bool>("isTrusted", false);
      got.has_data = d->optValue<bool>("hasData", false);
      got.realm = d->optValue<std::string>("realm", "");
      if (seen_of_type == 1) check.observed += "first " + properties_text(type, got) + "\n";
      const bool same = (!want.interface || want.interface == got.interface) && (!want.bubbles || want.bubbles == got.bubbles) &&
                        (!want.cancelable || want.cancelable == got.cancelable) &&
                        (!want.is_trusted || want.is_trusted == got.is_trusted) && (!want.has_data || want.has_data == got.has_data) &&
                        (!want.realm || want.realm == got.realm);
      if (!same) problem("event " + std::to_string(seen_of_type) + " of type " + type + " is " + properties_text(type, got));
    }
    if (seen_of_type == 0) problem("no " + type + " event was observed to check its properties");
  }
}

// Everything only a page shows after the trace: attributes, handler calls, event properties.
ExtraCheck page_check(const BrowserCase& c, const Placeholders& values, const Poco::JSON::Object::Ptr& posted) {
  ExtraCheck check = attribute_check(c, values, posted);
  event_checks(c, posted, check);
  return check;
}

// A result naming case `c`, its verdict still to be given.
CaseResult result_of(const BrowserCase& c) {
  CaseResult result;
  result.id = c.full_id();
  result.group = c.base.group;
  result.description = c.base.description;
  result.spec = c.base.spec;
  return result;
}

// Grades one case from what the page posted (null: nothing) by grade_case(), as `ssespec
// client` grades an adapter's lines, plus the constructor and the attributes.
CaseResult grade(const Prepared& p, const std::string* posted, const std::vector<RecordedRequest>& on_page,
                 const std::vector<RecordedRequest>& on_second, const BrowserRunOptions& options) {
  const BrowserCase& c = *p.c;
  const CaseExpectations expected = expectations_for(p);
  CaseResult result = result_of(c);
  result.expected = grade_case(expected, {}, constructor_check(c, nullptr), page_check(c, p.values, nullptr)).expected;
  auto fail = [&](std::string observed, std::string problem) {
    result.verdict = Verdict::fail;
    result.observed = std::move(observed);
    result.message = std::move(problem);
    return result;
  };
  if (!posted) {
    return fail("no result from the page\n", "the page never reported this case (the run's --timeout passed, or the browser stopped)");
  }
  Poco::JSON::Object::Ptr posted_json;
  try {
    posted_json = Poco::JSON::Parser().parse(*posted).extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& e) {
    return fail(posted->substr(0, 400), "the page posted something that is not JSON: " + e.displayText());
  }
  if (posted_json->has("ms")) result.duration_ms = posted_json->getValue<double>("ms");
  if (posted_json->has("pageError")) {
    return fail(posted_json->getValue<std::string>("pageError"), "the runner page failed on this case");
  }

  CaseObservation seen;
  const auto trace = posted_json->getArray("trace");
  const std::size_t n = trace ? trace->size() : 0;
  for (std::size_t k = 0; k < n; ++k) {
    std::optional<std::string> origin;
    const auto entry = entry_from(trace->get(static_cast<unsigned>(k)), origin, seen.stopped);
    if (!entry) break;
    seen.trace.push_back(*entry);
    seen.origins.push_back(origin);
  }
  if (seen.stopped.empty() && n < expected.trace.size() && posted_json->optValue<bool>("timedOut", false)) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", options.case_timeout_s);
    seen.stopped = std::string("timed out after ") + seconds + " s waiting for trace entry #" + std::to_string(n + 1) + ": " +
                   expected.trace[n].to_text();
  }
  seen.logs = {{"page-origin", on_page}, {"second-origin", on_second}};
  const Grade grade = grade_case(expected, seen, constructor_check(c, posted_json), page_check(c, p.values, posted_json));
  result.verdict = grade.verdict;
  result.message = grade.message;
  result.observed = grade.observed;
  return result;
}

std::string browser_skip_reason(const BrowserCase& c, const BrowserRunOptions& options) {
  const std::string skip = skip_reason(c.base, options.strict, options.capabilities, "the browser runner does not declare");
  if (!skip.empty()) return skip;
  if (c.base.actions.size() > 1) return "more than one action: the runner page performs one close() per case";
  if (!c.runs_in(options.context)) return std::string("not run in a ") + context_name(options.context) + ": the case needs a window";
  return {};
}

// Starts the browser on `url`. Chromium goes through the Node launcher (playwright-core with
// the system Chromium); Firefox is started directly, headless, on a fresh profile.
std::unique_ptr<Subprocess> launch(const BrowserRunOptions& options, const std::string& url,
                                   const std::filesystem::path& profile) {
  std::vector<std::string> argv;
  if (options.browser == "chromium") {
    const auto launcher = options.browser_tests_dir / "lib" / "launch.mjs";
    if (!std::filesystem::exists(options.browser_tests_dir / "node_modules" / "playwright-core")) {
      throw std::runtime_error("playwright-core is not installed: run `npm ci --prefix " + options.browser_tests_dir.string() + "`");
    }
    argv = {"node", launcher.string(), "--url", url, "--timeout", std::to_string(static_cast<int>(options.timeout_s + 10)),
            "--profile", profile.string()};
    if (!options.executable.empty()) argv.insert(argv.end(), {"--executable", options.executable});
  } else {
    // Prefs that keep a fresh profile quiet: no first-run pages, updates, telemetry or
    // background connections, so the only traffic is the runner page's.
    std::ofstream prefs(profile / "user.js");
    for (const char* pref : {
             R"(user_pref("browser.shell.checkDefaultBrowser", false);)",
             R"(user_pref("browser.startup.homepage_override.mstone", "ignore");)",
             R"(user_pref("browser.aboutwelcome.enabled", false);)",
             R"(user_pref("datareporting.policy.dataSubmissionEnabled", false);)",
             R"(user_pref("datareporting.healthreport.uploadEnabled", false);)",
             R"(user_pref("toolkit.telemetry.enabled", false);)",
             R"(user_pref("app.update.auto", false);)",
             R"(user_pref("app.update.enabled", false);)",
             R"(user_pref("extensions.update.enabled", false);)",
             R"(user_pref("browser.search.update", false);)",
             R"(user_pref("network.captive-portal-service.enabled", false);)",
             R"(user_pref("network.connectivity-service.enabled", false);)",
             R"(user_pref("network.dns.disablePrefetch", true);)",
             R"(user_pref("network.prefetch-next", false);)",
             R"(user_pref("browser.safebrowsing.malware.enabled", false);)",
             R"(user_pref("browser.safebrowsing.phishing.enabled", false);)",
             R"(user_pref("browser.safebrowsing.downloads.enabled", false);)",
             R"(user_pref("browser.sessionstore.resume_from_crash", false);)",
             R"(user_pref("services.settings.server", "http://127.0.0.1:9/");)",
             R"(user_pref("browser.newtabpage.enabled", false);)",
             // Cases run side by side (--jobs), each holding a connection or two: past
             // Firefox's 6 per server they would queue (and time out) behind hanging streams.
             R"(user_pref("network.http.max-persistent-connections-per-server", 64);)",
         }) {
      prefs << pref << "\n";
    }
    prefs.close();
    argv = {options.executable.empty() ? "firefox-esr" : options.executable, "--headless", "-no-remote", "-profile",
            profile.string(), url};
  }
  std::vector<std::pair<std::string, std::string>> env = {{"MOZ_HEADLESS", "1"}};
  if (!std::getenv("HOME")) env.emplace_back("HOME", profile.string());  // browsers want a home; CI may have none
  return std::make_unique<Subprocess>(argv, env);
}

std::filesystem::path make_profile_dir(const std::string& browser) {
  std::string pattern = (std::filesystem::temp_directory_path() / ("ssespec-" + browser + "-XXXXXX")).string();
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("cannot create a browser profile directory in " + pattern);
  return pattern;
}


// The two reference servers of a run (the page's origin and a second one, for cross-origin
// cases) with the runner page on the first; stopped when the run ends, however it ends.
struct RunServers {
  RunServers() : second(second_origin_options()) {
    runner.install(page);
    page.start();
    second.start();
  }
  ~RunServers() {
    page.stop();
    second.stop();
  }
  RunServers(const RunServers&) = delete;
  RunServers& operator=(const RunServers&) = delete;

  static server::ServerOptions second_origin_options() {
    server::ServerOptions options;
    options.demo = false;
    return options;
  }

  server::RunnerPage runner;  // before the servers: it must outlive their use of it
  ReferenceServer page;
  ReferenceServer second;
};

// The run's header: which browser, its version, when.
RunResult run_header(const BrowserRunOptions& options) {
  RunResult run;
  run.kind = "browser";
  const bool chromium = options.browser == "chromium";
  const std::string executable = !options.executable.empty() ? options.executable : chromium ? "/usr/bin/chromium" : "firefox-esr";
  run.implementation = chromium ? "Chromium" : "Firefox";
  if (options.context == Context::worker) run.implementation += " (dedicated worker)";
  if (options.context == Context::shared_worker) run.implementation += " (shared worker)";
  run.version = browser_version(executable);
  run.started_at = now_iso8601();
  return run;
}

CaseResult skipped(const BrowserCase& c, const std::string& reason) {
  CaseResult r = result_of(c);
  r.verdict = Verdict::skip;
  r.message = reason;
  return r;
}

// The cases that run, made ready on the servers; `prepared[k]` is `cases[index[k]]`.
struct Plan {
  std::vector<Prepared> prepared;
  std::vector<std::size_t> index;
  Poco::JSON::Array::Ptr entries = new Poco::JSON::Array;
};

// Sessions for every case that runs; skipped cases (decided now, by declared capability) get
// their result in `results` at once.
Plan plan_cases(const std::vector<BrowserCase>& cases, const BrowserRunOptions& options, RunServers& servers,
                std::vector<std::optional<CaseResult>>& results) {
  Plan plan;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::string skip = browser_skip_reason(cases[i], options);
    if (!skip.empty()) {
      results[i] = skipped(cases[i], skip);
      continue;
    }
    plan.prepared.push_back(prepare(cases[i], servers.page, servers.second));
    plan.index.push_back(i);
    plan.entries->add(plan_entry(plan.prepared.back(), servers.page, servers.second));
  }
  return plan;
}

}  // namespace

int browser_jobs(const BrowserRunOptions& options) {
  if (options.concurrency > 0) return options.concurrency;
  return options.browser == "chromium" ? kChromiumJobs : kFirefoxJobs;
}

namespace {

// What GET /runner/plan answers: the run's settings and one entry per case.
std::string plan_json(const BrowserRunOptions& options, const Plan& plan) {
  Poco::JSON::Object json(Poco::JSON_PRESERVE_KEY_ORDER);
  json.set("context", context_name(options.context));
  json.set("concurrency", browser_jobs(options));
  json.set("caseTimeoutMs", static_cast<int>(options.case_timeout_s * 1000));
  json.set("settleMs", options.settle_ms);
  json.set("cookie", "ssespec-credentials=1");  // sent cross-origin only with credentials
  json.set("cases", plan.entries);
  std::ostringstream text;
  json.stringify(text);
  return text.str();
}

// How the browser's part of the run ended.
struct BrowserEnd {
  bool exited = false;  // the browser (or its launcher) exited by itself
  int status = 0;       // its exit status, if it did
};

// Waits until the page has reported `count` results or said it is done, the browser exits, or
// `deadline` passes; prints a dot per result as it arrives (graded at the end, when the request
// logs are complete).
BrowserEnd await_results(Subprocess& browser, const server::RunnerPage& runner, std::size_t count, Clock::time_point deadline,
                         const ReportOptions& report) {
  BrowserEnd end;
  std::size_t reported = 0;
  while (Clock::now() < deadline) {
    const bool all = runner.wait_results(count, std::min(deadline, Clock::now() + std::chrono::milliseconds(200)));
    for (const std::size_t now_reported = runner.results().size(); reported < now_reported; ++reported) {
      if (!report.quiet) std::cout << "." << std::flush;
    }
    if (all || !runner.done_body().empty()) break;
    std::string line;
    while (browser.read_line(line, Clock::now()) == Subprocess::Read::line) {
    }
    if (browser.wait(Clock::now(), end.status)) {
      end.exited = true;
      break;
    }
  }
  if (!report.quiet && reported > 0) std::cout << "\n";
  return end;
}

// Why cases went unreported, or what the page said went wrong; "" when all is well.
std::string browser_problem(const std::string& implementation, const server::RunnerPage& runner, std::size_t count,
                            const BrowserEnd& end, const Subprocess& browser, const BrowserRunOptions& options) {
  std::string problem;
  if (!runner.plan_fetched()) {
    problem = implementation + " never loaded the runner page";
  } else if (end.exited && runner.results().size() < count) {
    problem = implementation + " stopped before the end (" + describe_exit(end.status) + ")";
  } else if (runner.results().size() < count) {
    problem = "the run's timeout (" + std::to_string(static_cast<int>(options.timeout_s)) + " s) passed";
  }
  const std::string done = runner.done_body();
  if (done.find("\"error\"") != std::string::npos) problem += (problem.empty() ? "" : "; ") + ("the page failed: " + done);
  if (!problem.empty() && !browser.stderr_text().empty()) problem += "\nbrowser stderr: " + browser.stderr_text().substr(0, 600);
  return problem;
}

// Opens the runner page in the browser on a fresh profile and waits for the page's results
// until the run's timeout; closes the browser. Returns browser_problem(). Throws if the browser
// cannot be started.
std::string drive_browser(const RunResult& run, const BrowserRunOptions& options, const server::RunnerPage& runner,
                          std::size_t count, Clock::time_point started, const ReportOptions& report) {
  const std::filesystem::path profile = make_profile_dir(options.browser);
  std::unique_ptr<Subprocess> browser;
  try {
    browser = launch(options, run.target, profile);
  } catch (const std::exception& e) {
    std::filesystem::remove_all(profile);
    throw std::runtime_error(std::string("cannot start ") + run.implementation + ": " + e.what());
  }
  const auto deadline = started + std::chrono::milliseconds(static_cast<long long>(options.timeout_s * 1000));
  BrowserEnd end = await_results(*browser, runner, count, deadline, report);
  const std::string problem = browser_problem(run.implementation, runner, count, end, *browser, options);
  // Ask the launcher to close the browser (end of its stdin), then make sure it is gone.
  browser->close_stdin();
  if (!end.exited && !browser->wait(Clock::now() + std::chrono::seconds(5), end.status)) browser->kill();
  browser.reset();
  std::filesystem::remove_all(profile);
  return problem;
}

// Grades every planned case from what the page posted and the servers' request logs, and ends
// its sessions.
void grade_planned(const Plan& plan, RunServers& servers, const std::string& problem, const BrowserRunOptions& options,
                   std::vector<std::optional<CaseResult>>& results) {
  const auto posted = servers.runner.results();
  for (std::size_t k = 0; k < plan.prepared.size(); ++k) {
    const Prepared& p = plan.prepared[k];
    const auto it = posted.find(p.c->full_id());
    const auto on_page = p.page_session.empty() ? std::vector<RecordedRequest>{} : servers.page.requests(p.page_session);
    const auto on_second = p.second_session.empty() ? std::vector<RecordedRequest>{} : servers.second.requests(p.second_session);
    CaseResult r = grade(p, it == posted.end() ? nullptr : &it->second, on_page, on_second, options);
    if (it == posted.end() && !problem.empty()) r.message += ": " + problem.substr(0, problem.find('\n'));
    results[plan.index[k]] = std::move(r);
    if (!p.page_session.empty()) servers.page.end_session(p.page_session);
    if (!p.second_session.empty()) servers.second.end_session(p.second_session);
  }
}

}  // namespace

std::string browser_version(const std::string& executable) {
  try {
    Subprocess probe({executable, "--version"}, {});
    probe.close_stdin();
    std::string line;
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (probe.read_line(line, deadline) == Subprocess::Read::line) {
      // "Chromium 156.0.8078.79 built on Debian ..." / "Mozilla Firefox 153.7.0esr"
      std::istringstream words(line);
      std::string word;
      while (words >> word) {
        if (!word.empty() && word[0] >= '0' && word[0] <= '9' && word.find('.') != std::string::npos) return word;
      }
    }
  } catch (const std::exception&) {
  }
  return "";
}

RunResult run_browser_cases(const std::vector<BrowserCase>& cases, const BrowserRunOptions& options,
                            const ReportOptions& report) {
  RunResult run = run_header(options);
  const auto started = Clock::now();
  std::vector<std::optional<CaseResult>> results(cases.size());
  std::string problem;
  {
    RunServers servers;
    run.target = servers.page.base_url() + "/runner";
    const Plan plan = plan_cases(cases, options, servers, results);
    servers.runner.set_plan(plan_json(options, plan));
    problem = drive_browser(run, options, servers.runner, plan.prepared.size(), started, report);
    grade_planned(plan, servers, problem, options, results);
  }
  if (!problem.empty()) std::cerr << "ssespec browser: " << problem << "\n";
  for (auto& r : results) {
    print_progress(*r, report);
    run.cases.push_back(std::move(*r));
  }
  run.duration_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  return run;
}

}  // namespace ssespec
