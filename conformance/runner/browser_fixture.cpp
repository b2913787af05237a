#include "runner/browser_fixture.hpp"

#include <Poco/JSON/Object.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "json/json_node.hpp"

namespace ssespec {
namespace {

std::vector<int> ready_states_from(const JsonNode& node) {
  std::vector<int> states;
  if (node.is_array()) {
    if (node.size() == 0) node.fail("list at least one ready state");
    node.for_each([&](const JsonNode& s) { states.push_back(ready_state_from(s)); });
  } else {
    states.push_back(ready_state_from(node));
  }
  return states;
}

ExpectedEntry load_entry(const JsonNode& node) {
  node.allow_only({"open", "message", "error", "closed"});
  ExpectedEntry e;
  if (node.has("open")) {
    node.at("open").allow_only({});
    e.entry.kind = "open";
  } else if (node.has("message")) {
    const JsonNode m = node.at("message");
    m.allow_only({"type", "data", "lastEventId", "origin"});
    e.entry.kind = "message";
    e.entry.type = m.has("type") ? m.at("type").as_bytes() : "message";
    e.entry.data = m.at("data").as_bytes();
    e.entry.last_event_id = m.has("lastEventId") ? m.at("lastEventId").as_bytes() : "";
    if (m.has("origin")) e.origin = m.at("origin").as_string();
  } else if (node.has("error") || node.has("closed")) {
    e.entry.kind = node.has("error") ? "error" : "closed";
    const JsonNode inner = node.at(e.entry.kind);
    inner.allow_only({"readyState"});
    e.ready_states = inner.has("readyState") ? ready_states_from(inner.at("readyState")) : std::vector<int>{2};
    if (e.entry.kind == "error" && !inner.has("readyState")) inner.fail("give the readyState");
    e.entry.ready_state = e.ready_states.front();
  } else {
    node.fail("expected one of open, message, error, closed");
  }
  return e;
}

Origin origin_from(const JsonNode& node) {
  const std::string s = node.as_string();
  if (s == "page") return Origin::page;
  if (s == "second") return Origin::second;
  node.fail("expected \"page\" (the runner page's origin) or \"second\" (another port)");
}

RegisterStep register_step_from(const JsonNode& node) {
  node.allow_only({"add", "handler", "label"});
  RegisterStep step;
  if (node.has("add") == node.has("handler")) node.fail("give exactly one of add (an event type) or handler (onopen, onmessage, onerror)");
  if (node.has("add")) step.add = node.at("add").as_string();
  if (node.has("handler")) {
    step.handler = node.at("handler").as_string();
    if (step.handler != "onopen" && step.handler != "onmessage" && step.handler != "onerror") {
      node.at("handler").fail("expected onopen, onmessage or onerror");
    }
  }
  const JsonNode label = node.at("label");
  if (!label.value().isEmpty()) step.label = label.as_string();
  if (!step.label && !step.add.empty()) label.fail("only a handler can be set to null");
  return step;
}

EventProperties event_properties_from(const JsonNode& node) {
  node.allow_only({"interface", "bubbles", "cancelable", "isTrusted", "hasData", "realm"});
  EventProperties p;
  if (node.has("interface")) p.interface = node.at("interface").as_string();
  if (node.has("bubbles")) p.bubbles = node.at("bubbles").as_bool();
  if (node.has("cancelable")) p.cancelable = node.at("cancelable").as_bool();
  if (node.has("isTrusted")) p.is_trusted = node.at("isTrusted").as_bool();
  if (node.has("hasData")) p.has_data = node.at("hasData").as_bool();
  if (node.has("realm")) {
    p.realm = node.at("realm").as_string();
    if (*p.realm != "page" && *p.realm != "iframe") node.at("realm").fail("expected page or iframe");
  }
  return p;
}

}  // namespace

const char* context_name(Context context) {
  switch (context) {
    case Context::window: return "window";
    case Context::worker: return "worker";
    case Context::shared_worker: return "shared-worker";
  }
  return "window";
}

std::optional<Context> context_from_name(const std::string& name) {
  for (Context c : {Context::window, Context::worker, Context::shared_worker}) {
    if (name == context_name(c)) return c;
  }
  return std::nullopt;
}

bool BrowserCase::runs_in(Context context) const {
  return contexts.empty() || std::find(contexts.begin(), contexts.end(), context) != contexts.end();
}

std::string expand(const std::string& text, const Placeholders& values) {
  const std::pair<const char*, const std::string*> names[] = {
      {"{{pageOrigin}}", &values.page_origin}, {"{{secondOrigin}}", &values.second_origin},
      {"{{pageStream}}", &values.page_stream}, {"{{secondStream}}", &values.second_stream},
      {"{{streamUrl}}", &values.stream_url}};
  std::string out = text;
  for (const auto& [name, value] : names) {
    const std::string key = name;
    for (std::size_t at = out.find(key); at != std::string::npos; at = out.find(key, at + value->size())) {
      out.replace(at, key.size(), *value);
    }
  }
  return out;
}

BrowserCase browser_case_from_client(const ClientCase& c) {
  BrowserCase b;
  b.base = c;
  for (const ClientConnection& conn : c.connections) {
    BrowserConnection bc;
    bc.response = conn.response;
    bc.expect_request = conn.expect_request;
    b.connections.push_back(std::move(bc));
  }
  b.trace = expected_entries(c.trace);
  return b;
}

std::vector<BrowserCase> load_browser_file(const std::filesystem::path& file, const std::string& group) {
  const JsonNode root = JsonNode::parse_file(file, "fixtures/" + group + ".json");
  root.allow_only({"$schema", "description", "cases"});
  root.at("description").as_string();
  std::vector<BrowserCase> out;
  std::set<std::string> ids;
  root.at("cases").for_each([&](const JsonNode& node) {
    node.allow_only({"id", "description", "spec", "stream", "url", "rawUrl", "urlArgument", "withCredentials", "connections",
                     "listen", "actions", "register", "windowStop", "iframe", "contexts", "expect", "requires", "strict", "note"});
    BrowserCase b;
    ClientCase& c = b.base;
    load_case_head(node, group, ids, c);
    if (node.has("stream")) b.stream_origin = origin_from(node.at("stream"));
    if (node.has("url")) {
      if (node.at("url").as_string() != "relative") node.at("url").fail("expected \"relative\" (or leave it out: absolute)");
      b.relative_url = true;
    }
    if (node.has("rawUrl")) b.raw_url = node.at("rawUrl").as_string();
    if (node.has("withCredentials")) b.with_credentials = node.at("withCredentials").as_bool();
    if (node.has("urlArgument")) {
      const JsonNode a = node.at("urlArgument");
      b.url_argument = a.as_string();
      if (*b.url_argument != "object" && *b.url_argument != "number" && *b.url_argument != "null") {
        a.fail("expected object (its toString gives the URL), number or null");
      }
    }
    if (node.has("contexts")) {
      node.at("contexts").for_each([&](const JsonNode& n) {
        const auto context = context_from_name(n.as_string());
        if (!context) n.fail("expected window, worker or shared-worker");
        b.contexts.push_back(*context);
      });
    }
    b.window_stop = node.bool_or("windowStop", false);
    if (b.window_stop && b.contexts != std::vector<Context>{Context::window}) {
      node.at("windowStop").fail("window.stop() exists only in a window: set \"contexts\": [\"window\"]");
    }
    if (node.has("iframe")) {
      b.iframe = node.at("iframe").as_string();
      if (*b.iframe != "plain" && *b.iframe != "based-at-stream-folder") node.at("iframe").fail("expected plain or based-at-stream-folder");
      if (b.contexts != std::vector<Context>{Context::window}) node.at("iframe").fail("a worker has no iframes: set \"contexts\": [\"window\"]");
    }
    if (node.has("register")) node.at("register").for_each([&](const JsonNode& s) { b.register_steps.push_back(register_step_from(s)); });
    if (node.has("connections")) {
      node.at("connections").for_each([&](const JsonNode& conn) {
        conn.allow_only({"origin", "response", "expectRequest"});
        BrowserConnection bc;
        bc.origin = conn.has("origin") ? origin_from(conn.at("origin")) : b.stream_origin;
        bc.response = server::response_from_json(conn.at("response"));
        if (conn.has("expectRequest")) {
          const JsonNode er = conn.at("expectRequest");
          er.allow_only({"method", "headers", "absentHeaders"});
          bc.expect_request = load_expected_request_fields(er, FixtureForm::browser);
          if (er.has("method")) bc.expect_method = er.at("method").as_string();
        }
        b.connections.push_back(std::move(bc));
      });
    }
    if (b.raw_url && !b.connections.empty()) node.at("rawUrl").fail("a rawUrl case serves no connections");
    if (!b.raw_url && b.connections.empty()) node.fail("give connections (or a rawUrl)");
    load_listen_and_actions(node, c);
    const JsonNode expect = node.at("expect");
    expect.allow_only({"trace", "requests", "attributes", "exception", "calls", "events"});
    if (expect.has("trace")) expect.at("trace").for_each([&](const JsonNode& t) { b.trace.push_back(load_entry(t)); });
    for (const ExpectedEntry& e : b.trace) b.record_origin = b.record_origin || e.origin.has_value();
    c.min_requests = static_cast<int>(b.connections.size());
    const bool ends_closed = !b.trace.empty() && b.trace.back().ready_states == std::vector<int>{2};
    if (ends_closed || b.raw_url) c.max_requests = c.min_requests;
    load_request_counts(expect, c);
    if (expect.has("attributes")) {
      const JsonNode a = expect.at("attributes");
      a.allow_only({"url", "withCredentials", "readyState"});
      if (a.has("url")) b.expect_url = a.at("url").as_string();
      if (a.has("readyState")) b.expect_ready_state = ready_state_from(a.at("readyState"));
      if (a.has("withCredentials")) b.expect_with_credentials = a.at("withCredentials").as_bool();
    }
    if (expect.has("exception")) b.expect_exception = expect.at("exception").as_string();
    if (expect.has("calls")) {
      b.expect_calls.emplace();
      expect.at("calls").for_each([&](const JsonNode& call) { b.expect_calls->push_back(call.as_string()); });
    }
    if (expect.has("events")) {
      const JsonNode events = expect.at("events");
      if (!events.is_object()) events.fail("expected {event type: properties}");
      const auto obj = events.value().extract<Poco::JSON::Object::Ptr>();
      for (const auto& [type, ignored] : *obj) b.expect_events.emplace_back(type, event_properties_from(events.at(type)));
    }
    load_case_tail(node, c);
    out.push_back(std::move(b));
  });
  return out;
}

std::vector<BrowserCase> load_browser_only_cases(const std::filesystem::path& root) {
  return load_fixture_area(root, "browser", &load_browser_file);
}

std::vector<BrowserCase> load_all_browser_cases(const std::filesystem::path& root) {
  std::vector<BrowserCase> all;
  for (const ClientCase& c : load_all_client_cases(root)) all.push_back(browser_case_from_client(c));
  auto only = load_browser_only_cases(root);
  std::move(only.begin(), only.end(), std::back_inserter(all));
  return all;
}

}  // namespace ssespec
