#include "runner/client_fixture.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "json/json_node.hpp"

namespace ssespec {
namespace {
constexpr const char* kWhatwg = "https://";
}  // namespace

std::vector<SpecRef> load_spec_refs(const JsonNode& node) {
  if (node.size() == 0) node.fail("cite at least one spec rule");
  std::vector<SpecRef> refs;
  node.for_each([&](const JsonNode& ref) {
    ref.allow_only({"url", "quote"});
    SpecRef r{ref.at("url").as_string(), ref.string_or("quote", "")};
    const bool whatwg = r.url.rfind(kWhatwg, 0) == 0 && r.url.find(".spec.whatwg.org/") != std::string::npos;
    if (!whatwg || r.url.find('#') == std::string::npos) ref.at("url").fail("must link an anchor (#...) in a WHATWG spec");
    refs.push_back(std::move(r));
  });
  return refs;
}

int ready_state_from(const JsonNode& node) {
  if (node.is_string()) {
    const std::string s = node.as_string();
    if (s == "CONNECTING") return 0;
    if (s == "OPEN") return 1;
    if (s == "CLOSED") return 2;
    node.fail("expected CONNECTING, OPEN or CLOSED");
  }
  const std::int64_t n = node.as_integer();
  if (n < 0 || n > 2) node.fail("expected 0, 1 or 2");
  return static_cast<int>(n);
}

namespace {

TraceEntry load_trace_entry(const JsonNode& node) {
  node.allow_only({"open", "message", "error", "closed", "comment"});
  TraceEntry e;
  if (node.has("open")) {
    node.at("open").allow_only({});
    e.kind = "open";
  } else if (node.has("message")) {
    const JsonNode m = node.at("message");
    m.allow_only({"type", "data", "lastEventId"});
    e.kind = "message";
    e.type = m.has("type") ? m.at("type").as_bytes() : "message";
    e.data = m.at("data").as_bytes();
    e.last_event_id = m.has("lastEventId") ? m.at("lastEventId").as_bytes() : "";
  } else if (node.has("error")) {
    const JsonNode err = node.at("error");
    err.allow_only({"readyState"});
    e.kind = "error";
    e.ready_state = ready_state_from(err.at("readyState"));
  } else if (node.has("comment")) {
    const JsonNode c = node.at("comment");
    c.allow_only({"text"});
    e.kind = "comment";
    e.data = c.at("text").as_bytes();
  } else if (node.has("closed")) {
    node.at("closed").allow_only({"readyState"});
    e.kind = "closed";
    e.ready_state = 2;
  } else {
    node.fail("expected one of open, message, error, closed, comment");
  }
  return e;
}

}  // namespace

ExpectedRequest load_expected_request_fields(const JsonNode& node, FixtureForm form) {
  ExpectedRequest e;
  if (node.has("headers")) {
    const JsonNode headers = node.at("headers");
    if (!headers.is_object()) headers.fail("expected an object");
    const auto obj = headers.value().extract<Poco::JSON::Object::Ptr>();
    for (const auto& [name, ignored] : *obj) {
      const JsonNode value = headers.at(name);
      e.headers.emplace_back(name, form == FixtureForm::client ? value.as_bytes() : value.as_string());
    }
  }
  if (node.has("absentHeaders")) {
    node.at("absentHeaders").for_each([&](const JsonNode& n) { e.absent_headers.push_back(n.as_string()); });
  }
  if (node.has("pathEndsWith")) e.path_suffix = node.at("pathEndsWith").as_string();
  if (node.has("minDelayMs")) e.min_delay_ms = static_cast<int>(node.at("minDelayMs").as_integer());
  if (node.has("maxDelayMs")) e.max_delay_ms = static_cast<int>(node.at("maxDelayMs").as_integer());
  if (form == FixtureForm::client && node.has("method")) e.method = node.at("method").as_string();
  if (form == FixtureForm::client && node.has("body")) e.body = node.at("body").as_bytes();
  return e;
}

namespace {

ClientAction load_action(const JsonNode& node) {
  node.allow_only({"after", "do", "via"});
  if (node.at("do").as_string() != "close") node.at("do").fail("the only action is \"close\"");
  ClientAction a;
  const std::string after = node.at("after").as_string();
  const auto colon = after.find(':');
  if (after == "start") {
    a.kind = "start";
    a.via_stdin = true;
  } else if (colon != std::string::npos) {
    a.kind = after.substr(0, colon);
    const std::string n = after.substr(colon + 1);  // digits only; at most 6 so stoi cannot overflow
    if (!n.empty() && n.size() <= 6 && std::all_of(n.begin(), n.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
      a.count = std::stoi(n);
    }
    if ((a.kind != "open" && a.kind != "message" && a.kind != "error") || a.count < 1) {
      node.at("after").fail("expected \"start\" or \"open|message|error:N\" with N >= 1");
    }
    const std::string via = node.string_or("via", "handler");
    if (via != "handler" && via != "stdin") node.at("via").fail("expected handler or stdin");
    a.via_stdin = via == "stdin";
  } else {
    node.at("after").fail("expected \"start\" or \"open|message|error:N\"");
  }
  return a;
}

}  // namespace

namespace {

// "options": the client's configuration; each part adds the capability it needs.
void load_config(const JsonNode& node, ClientCase& c) {
  node.allow_only({"headers", "lastEventId", "method", "body", "readTimeoutMs", "restartAfter"});
  ClientConfig& config = c.config;
  if (node.has("headers")) {
    const JsonNode headers = node.at("headers");
    if (!headers.is_object()) headers.fail("expected an object");
    const auto obj = headers.value().extract<Poco::JSON::Object::Ptr>();
    for (const auto& [name, ignored] : *obj) config.headers.emplace_back(name, headers.at(name).as_string());
    c.requires_caps.push_back("headers");
  }
  if (node.has("lastEventId")) {
    config.last_event_id = node.at("lastEventId").as_string();
    c.requires_caps.push_back("last-event-id");
  }
  if (node.has("method")) config.method = node.at("method").as_string();
  if (node.has("body")) config.body = node.at("body").as_string();
  if (config.method || config.body) c.requires_caps.push_back("post");
  if (node.has("readTimeoutMs")) {
    const std::int64_t ms = node.at("readTimeoutMs").as_integer();
    if (ms < 1 || ms > 10000) node.at("readTimeoutMs").fail("expected 1..10000");
    config.read_timeout_ms = static_cast<int>(ms);
    c.requires_caps.push_back("read-timeout");
  }
  if (node.has("restartAfter")) {
    // "message:N": the one observation every client reports (not every API has open or error).
    const std::string after = node.at("restartAfter").as_string();
    const std::string n = after.rfind("message:", 0) == 0 ? after.substr(8) : "";
    if (n.empty() || n.size() > 6 || !std::all_of(n.begin(), n.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) ||
        std::stoi(n) < 1) {
      node.at("restartAfter").fail("expected \"message:N\" with N >= 1");
    }
    config.restart_after = std::stoi(n);
    c.requires_caps.push_back("restart");
  }
}

}  // namespace

bool ClientCase::observes_comments() const {
  return std::any_of(trace.begin(), trace.end(), [](const TraceEntry& t) { return t.kind == "comment"; });
}

bool TraceEntry::operator==(const TraceEntry& o) const {
  return kind == o.kind && type == o.type && data == o.data && last_event_id == o.last_event_id &&
         ready_state == o.ready_state;
}

std::string to_json(const TraceEntry& e) {
  Poco::JSON::Object inner(Poco::JSON_PRESERVE_KEY_ORDER);
  if (e.kind == "message") {
    inner.set("type", e.type);
    inner.set("data", e.data);
    inner.set("lastEventId", e.last_event_id);
  } else if (e.kind == "error" || e.kind == "closed") {
    inner.set("readyState", e.ready_state);
  } else if (e.kind == "comment") {
    inner.set("text", e.data);
  }
  Poco::JSON::Object outer;
  outer.set(e.kind, inner);
  std::ostringstream out;
  outer.stringify(out);
  return out.str();
}

std::optional<TraceEntry> trace_entry_from_json(const std::string& line, std::string& error) {
  try {
    const JsonNode node(Poco::JSON::Parser().parse(line), "adapter output", "");
    return load_trace_entry(node);
  } catch (const FixtureError& e) {
    error = e.what();
  } catch (const Poco::Exception& e) {
    error = "adapter output: not JSON: " + e.message();
  }
  return std::nullopt;
}

server::Script ClientCase::script() const {
  server::Script s;
  for (const ClientConnection& c : connections) s.connections.push_back(c.response);
  return s;
}

void load_case_head(const JsonNode& node, const std::string& group, std::set<std::string>& ids, ClientCase& c) {
  c.group = group;
  c.id = load_case_id(node, ids);
  c.description = node.at("description").as_string();
  c.spec = load_spec_refs(node.at("spec"));
}

void load_listen_and_actions(const JsonNode& node, ClientCase& c) {
  if (node.has("listen")) node.at("listen").for_each([&](const JsonNode& t) { c.listen.push_back(t.as_string()); });
  if (node.has("actions")) node.at("actions").for_each([&](const JsonNode& a) { c.actions.push_back(load_action(a)); });
}

void load_request_counts(const JsonNode& expect, ClientCase& c) {
  if (!expect.has("requests")) return;
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

void load_case_tail(const JsonNode& node, ClientCase& c) {
  for (const ClientAction& a : c.actions) c.requires_caps.push_back(a.via_stdin ? "close" : "close-in-handler");
  if (node.has("requires")) node.at("requires").for_each([&](const JsonNode& r) { c.requires_caps.push_back(r.as_string()); });
  std::sort(c.requires_caps.begin(), c.requires_caps.end());
  c.requires_caps.erase(std::unique(c.requires_caps.begin(), c.requires_caps.end()), c.requires_caps.end());
  c.strict = node.bool_or("strict", false);
  c.note = node.string_or("note", "");
}

std::vector<ClientCase> load_client_file(const std::filesystem::path& file, const std::string& group) {
  const std::string display = "fixtures/" + group + ".json";
  const JsonNode root = JsonNode::parse_file(file, display);
  root.allow_only({"$schema", "description", "cases"});
  root.at("description").as_string();
  std::vector<ClientCase> out;
  std::set<std::string> ids;
  root.at("cases").for_each([&](const JsonNode& node) {
    node.allow_only({"id", "description", "spec", "connections", "listen", "actions", "expect", "requires", "strict", "note",
                     "options"});
    ClientCase c;
    load_case_head(node, group, ids, c);
    node.at("connections").for_each([&](const JsonNode& conn) {
      conn.allow_only({"response", "expectRequest"});
      ClientConnection cc;
      cc.response = server::response_from_json(conn.at("response"));
      if (conn.has("expectRequest")) {
        const JsonNode er = conn.at("expectRequest");
        er.allow_only({"headers", "absentHeaders", "pathEndsWith", "minDelayMs", "maxDelayMs", "method", "body"});
        cc.expect_request = load_expected_request_fields(er, FixtureForm::client);
      }
      c.connections.push_back(std::move(cc));
    });
    load_listen_and_actions(node, c);
    const JsonNode expect = node.at("expect");
    expect.allow_only({"trace", "requests"});
    expect.at("trace").for_each([&](const JsonNode& t) { c.trace.push_back(load_trace_entry(t)); });
    // By default every scripted connection must be requested, and a client that ends CLOSED
    // must not ask for more.
    c.min_requests = static_cast<int>(c.connections.size());
    const bool ends_closed = !c.trace.empty() && c.trace.back().ready_state == 2;
    if (ends_closed) c.max_requests = c.min_requests;
    load_request_counts(expect, c);
    if (node.has("options")) load_config(node.at("options"), c);
    if (c.observes_comments()) c.requires_caps.push_back("comments");
    load_case_tail(node, c);
    out.push_back(std::move(c));
  });
  return out;
}

std::vector<ClientCase> load_client_cases(const std::filesystem::path& root) {
  return load_fixture_area(root, "client", &load_client_file);
}

ClientCase client_case_from_parse(const ParseCase& parse) {
  ClientCase c;
  c.group = parse.group;
  c.id = parse.id;
  c.description = parse.description;
  c.spec = parse.spec;
  c.note = parse.note;
  ClientConnection conn;
  conn.response.headers.emplace_back("Content-Type", "text/event-stream");
  // Each chunk its own write after a pause (the server sets TCP_NODELAY), so that a client
  // meets the case's boundaries as separate reads, as a parse runner does.
  for (const std::string& chunk : parse.chunks) {
    if (!conn.response.steps.empty()) conn.response.steps.push_back({{}, kParseChunkPauseMs});
    conn.response.steps.push_back({chunk, 0});
  }
  conn.response.end = server::End::hang;  // no reconnection: the trace is this one response
  c.connections.push_back(std::move(conn));
  c.min_requests = 1;
  c.max_requests = 1;
  c.trace.push_back({"open", {}, {}, {}, -1});
  std::set<std::string> types;
  for (const Observation& o : parse.expect) {
    if (o.kind != Observation::Kind::event) continue;  // retry: invisible to a client
    c.trace.push_back({"message", o.type, o.data, o.last_event_id, -1});
    if (o.type != "message" && o.type != "open" && o.type != "error" && types.insert(o.type).second) {
      c.listen.push_back(o.type);
    }
  }
  return c;
}

std::vector<ClientCase> load_all_client_cases(const std::filesystem::path& root) {
  std::vector<ClientCase> all = load_client_cases(root);
  if (std::filesystem::is_directory(root / "parse")) {
    for (const ParseCase& p : load_parse_cases(root)) all.push_back(client_case_from_parse(p));
  }
  return all;
}

}  // namespace ssespec
