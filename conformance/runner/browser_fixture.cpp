#include "runner/browser_fixture.hpp"

#include <Poco/JSON/Object.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "runner/json_node.hpp"

namespace ssespec {
namespace {

const char* const kReadyStateNames[] = {"CONNECTING", "OPEN", "CLOSED"};

int ready_state_from(const JsonNode& node) {
  if (node.is_string()) {
    const std::string s = node.as_string();
    for (int i = 0; i < 3; ++i) {
      if (s == kReadyStateNames[i]) return i;
    }
    node.fail("expected CONNECTING, OPEN or CLOSED");
  }
  const std::int64_t n = node.as_integer();
  if (n < 0 || n > 2) node.fail("expected 0, 1 or 2");
  return static_cast<int>(n);
}

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

server::ScriptedResponse load_response(const JsonNode& node) {
  node.allow_only({"status", "reason", "headers", "chunks", "end"});
  server::ScriptedResponse r;
  if (node.has("status")) {
    const std::int64_t status = node.at("status").as_integer();
    if (status < 100 || status > 999) node.at("status").fail("expected 100..999");
    r.status = static_cast<int>(status);
  }
  r.reason = node.string_or("reason", "");
  if (!node.has("headers")) {
    r.headers.emplace_back("Content-Type", "text/event-stream");
  } else {
    const JsonNode headers = node.at("headers");
    if (!headers.is_array()) headers.fail("expected an array of [name, value] (order and duplicates matter)");
    headers.for_each([&](const JsonNode& pair) {
      if (!pair.is_array() || pair.size() != 2) pair.fail("expected [name, value]");
      r.headers.emplace_back(pair.at(std::size_t{0}).as_string(), pair.at(std::size_t{1}).as_string());
    });
  }
  if (node.has("chunks")) {
    node.at("chunks").for_each([&](const JsonNode& chunk) {
      if (chunk.is_object() && chunk.has("delayMs")) {
        chunk.allow_only({"delayMs"});
        const std::int64_t ms = chunk.at("delayMs").as_integer();
        if (ms < 0 || ms > 2000) chunk.at("delayMs").fail("expected 0..2000 (keep the suite fast)");
        r.steps.push_back({{}, static_cast<int>(ms)});
      } else {
        r.steps.push_back({chunk.as_bytes(), 0});
      }
    });
  }
  const std::string end = node.string_or("end", "close");
  if (end == "close") {
    r.end = server::End::close;
  } else if (end == "reset") {
    r.end = server::End::reset;
  } else if (end == "hang") {
    r.end = server::End::hang;
  } else {
    node.at("end").fail("expected close, reset or hang");
  }
  return r;
}

Origin origin_from(const JsonNode& node) {
  const std::string s = node.as_string();
  if (s == "page") return Origin::page;
  if (s == "second") return Origin::second;
  node.fail("expected \"page\" (the runner page's origin) or \"second\" (another port)");
}

ClientAction load_action(const JsonNode& node) {
  node.allow_only({"after", "do", "via"});
  if (node.at("do").as_string() != "close") node.at("do").fail("the only action is \"close\"");
  ClientAction a;
  const std::string after = node.at("after").as_string();
  if (after == "start") {
    a.kind = "start";
    a.via_stdin = true;
    return a;
  }
  const auto colon = after.find(':');
  a.kind = after.substr(0, colon);
  if (colon != std::string::npos && colon + 1 < after.size() &&
      std::all_of(after.begin() + static_cast<std::ptrdiff_t>(colon) + 1, after.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    a.count = std::stoi(after.substr(colon + 1));
  }
  if ((a.kind != "open" && a.kind != "message" && a.kind != "error") || a.count < 1) {
    node.at("after").fail("expected \"start\" or \"open|message|error:N\" with N >= 1");
  }
  const std::string via = node.string_or("via", "handler");
  if (via != "handler" && via != "stdin") node.at("via").fail("expected handler or stdin");
  a.via_stdin = via == "stdin";
  return a;
}

std::vector<SpecRef> load_spec(const JsonNode& node) {
  if (node.size() == 0) node.fail("cite at least one spec rule");
  std::vector<SpecRef> refs;
  node.for_each([&](const JsonNode& ref) {
    ref.allow_only({"url", "quote"});
    SpecRef r{ref.at("url").as_string(), ref.string_or("quote", "")};
    if (r.url.rfind("https://", 0) != 0 || r.url.find(".spec.whatwg.org/") == std::string::npos ||
        r.url.find('#') == std::string::npos) {
      ref.at("url").fail("must link an anchor (#...) in a WHATWG spec");
    }
    refs.push_back(std::move(r));
  });
  return refs;
}

bool valid_id(const std::string& id) {
  if (id.empty() || id.front() == '-' || id.back() == '-') return false;
  return std::all_of(id.begin(), id.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

}  // namespace

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
    node.allow_only({"id", "description", "spec", "stream", "url", "rawUrl", "withCredentials", "connections", "listen",
                     "actions", "expect", "requires", "strict", "note"});
    BrowserCase b;
    ClientCase& c = b.base;
    c.group = group;
    c.id = node.at("id").as_string();
    if (!valid_id(c.id)) node.at("id").fail("must be kebab-case: a-z, 0-9 and '-'");
    if (!ids.insert(c.id).second) node.at("id").fail("duplicate id '" + c.id + "'");
    c.description = node.at("description").as_string();
    c.spec = load_spec(node.at("spec"));
    if (node.has("stream")) b.stream_origin = origin_from(node.at("stream"));
    if (node.has("url")) {
      if (node.at("url").as_string() != "relative") node.at("url").fail("expected \"relative\" (or leave it out: absolute)");
      b.relative_url = true;
    }
    if (node.has("rawUrl")) b.raw_url = node.at("rawUrl").as_string();
    if (node.has("withCredentials")) b.with_credentials = node.at("withCredentials").as_bool();
    if (node.has("connections")) {
      node.at("connections").for_each([&](const JsonNode& conn) {
        conn.allow_only({"origin", "response", "expectRequest"});
        BrowserConnection bc;
        bc.origin = conn.has("origin") ? origin_from(conn.at("origin")) : b.stream_origin;
        bc.response = load_response(conn.at("response"));
        if (conn.has("expectRequest")) {
          const JsonNode er = conn.at("expectRequest");
          er.allow_only({"method", "headers", "absentHeaders"});
          ExpectedRequest e;
          if (er.has("headers")) {
            const JsonNode headers = er.at("headers");
            if (!headers.is_object()) headers.fail("expected an object");
            const auto obj = headers.value().extract<Poco::JSON::Object::Ptr>();
            for (const auto& [name, ignored] : *obj) e.headers.emplace_back(name, headers.at(name).as_string());
          }
          if (er.has("absentHeaders")) {
            er.at("absentHeaders").for_each([&](const JsonNode& n) { e.absent_headers.push_back(n.as_string()); });
          }
          if (er.has("method")) bc.expect_method = er.at("method").as_string();
          bc.expect_request = std::move(e);
        }
        b.connections.push_back(std::move(bc));
      });
    }
    if (b.raw_url && !b.connections.empty()) node.at("rawUrl").fail("a rawUrl case serves no connections");
    if (!b.raw_url && b.connections.empty()) node.fail("give connections (or a rawUrl)");
    if (node.has("listen")) node.at("listen").for_each([&](const JsonNode& t) { c.listen.push_back(t.as_string()); });
    if (node.has("actions")) node.at("actions").for_each([&](const JsonNode& a) { c.actions.push_back(load_action(a)); });
    const JsonNode expect = node.at("expect");
    expect.allow_only({"trace", "requests", "attributes", "exception"});
    if (expect.has("trace")) expect.at("trace").for_each([&](const JsonNode& t) { b.trace.push_back(load_entry(t)); });
    for (const ExpectedEntry& e : b.trace) b.record_origin = b.record_origin || e.origin.has_value();
    c.min_requests = static_cast<int>(b.connections.size());
    const bool ends_closed = !b.trace.empty() && b.trace.back().ready_states == std::vector<int>{2};
    if (ends_closed || b.raw_url) c.max_requests = c.min_requests;
    if (expect.has("requests")) {
      const JsonNode r = expect.at("requests");
      if (r.is_object()) {
        r.allow_only({"min", "max"});
        c.min_requests = r.has("min") ? static_cast<int>(r.at("min").as_integer()) : 0;
        c.max_requests.reset();
        if (r.has("max")) c.max_requests = static_cast<int>(r.at("max").as_integer());
      } else {
        c.min_requests = static_cast<int>(r.as_integer());
        c.max_requests = c.min_requests;
      }
    }
    if (expect.has("attributes")) {
      const JsonNode a = expect.at("attributes");
      a.allow_only({"url", "withCredentials"});
      if (a.has("url")) b.expect_url = a.at("url").as_string();
      if (a.has("withCredentials")) b.expect_with_credentials = a.at("withCredentials").as_bool();
    }
    if (expect.has("exception")) b.expect_exception = expect.at("exception").as_string();
    for (const ClientAction& a : c.actions) c.requires_caps.push_back(a.via_stdin ? "close" : "close-in-handler");
    if (node.has("requires")) node.at("requires").for_each([&](const JsonNode& r) { c.requires_caps.push_back(r.as_string()); });
    std::sort(c.requires_caps.begin(), c.requires_caps.end());
    c.requires_caps.erase(std::unique(c.requires_caps.begin(), c.requires_caps.end()), c.requires_caps.end());
    c.strict = node.bool_or("strict", false);
    c.note = node.string_or("note", "");
    out.push_back(std::move(b));
  });
  return out;
}

std::vector<BrowserCase> load_browser_only_cases(const std::filesystem::path& root) {
  const std::filesystem::path dir = root / "browser";
  std::vector<BrowserCase> all;
  if (!std::filesystem::is_directory(dir)) return all;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    auto cases = load_browser_file(file, "browser/" + file.stem().string());
    std::move(cases.begin(), cases.end(), std::back_inserter(all));
  }
  return all;
}

std::vector<BrowserCase> load_all_browser_cases(const std::filesystem::path& root) {
  std::vector<BrowserCase> all;
  for (const ClientCase& c : load_all_client_cases(root)) all.push_back(browser_case_from_client(c));
  auto only = load_browser_only_cases(root);
  std::move(only.begin(), only.end(), std::back_inserter(all));
  return all;
}

}  // namespace ssespec
