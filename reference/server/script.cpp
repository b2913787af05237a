#include "server/script.hpp"

#include <sstream>

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/String.h>

#include "json/json_node.hpp"

namespace ssespec::server {
namespace {

// An array of [name, value] pairs keeps order and duplicates; an object's members come in
// name order (JSON objects are unordered), each name once.
std::vector<std::pair<std::string, std::string>> headers_from(const JsonNode& headers) {
  std::vector<std::pair<std::string, std::string>> out;
  if (headers.is_array()) {
    headers.for_each([&](const JsonNode& pair) {
      if (!pair.is_array() || pair.size() != 2) pair.fail("expected [name, value]");
      out.emplace_back(pair.at(std::size_t{0}).as_string(), pair.at(std::size_t{1}).as_string());
    });
    return out;
  }
  if (!headers.is_object()) headers.fail("expected an array of [name, value] or an object");
  const auto obj = headers.value().extract<Poco::JSON::Object::Ptr>();
  for (const auto& [name, ignored] : *obj) out.emplace_back(name, headers.at(name).as_string());
  return out;
}

// A chunk is a bytes value (JsonNode::as_bytes) written at once, or {"delayMs": N}, a pause.
Step step_from(const JsonNode& chunk) {
  if (!chunk.is_object() || !chunk.has("delayMs")) return {chunk.as_bytes(), 0};
  chunk.allow_only({"delayMs"});
  const std::int64_t ms = chunk.at("delayMs").as_integer();
  if (ms < 0 || ms > kMaxDelayMs) chunk.at("delayMs").fail("expected 0.." + std::to_string(kMaxDelayMs) + " (keep the suite fast)");
  return {{}, static_cast<int>(ms)};
}

End end_from(const JsonNode& node) {
  const std::string end = node.as_string();
  if (end == "close") return End::close;
  if (end == "reset") return End::reset;
  if (end == "hang") return End::hang;
  node.fail("expected close, reset or hang");
}

}  // namespace

const char* to_string(End end) {
  switch (end) {
    case End::close: return "close";
    case End::reset: return "reset";
    case End::hang: return "hang";
  }
  return "?";
}

// "framing": "chunked" sends the body with Transfer-Encoding: chunked (RFC 9112 section 7.1),
// one HTTP chunk per script chunk, so a case's chunk boundaries are the wire's chunk
// boundaries. Done here, once, so the server's pump writes bytes and knows nothing of framing.
void frame_chunked(ScriptedResponse& r) {
  r.headers.emplace_back("Transfer-Encoding", "chunked");
  for (Step& step : r.steps) {
    if (step.delay_ms > 0 || step.bytes.empty()) continue;  // an empty chunk would end the body
    std::ostringstream size;
    size << std::hex << step.bytes.size();
    step.bytes = size.str() + "\r\n" + step.bytes + "\r\n";
  }
  // An orderly end is the last-chunk; reset and hang never finish the body.
  if (r.end == End::close) r.steps.push_back({"0\r\n\r\n", 0});
}

bool close_delimited(const ScriptedResponse& r) {
  if (!r.send_head) return false;
  for (const auto& [name, value] : r.headers) {
    if (Poco::icompare(name, "content-length") == 0 || Poco::icompare(name, "transfer-encoding") == 0) return false;
  }
  return true;
}

ScriptedResponse response_from_json(const JsonNode& node) {
  node.allow_only({"status", "reason", "headers", "chunks", "end", "raw", "framing"});
  ScriptedResponse r;
  r.send_head = !node.bool_or("raw", false);
  if (node.has("status")) {
    const std::int64_t status = node.at("status").as_integer();
    if (status < 100 || status > 999) node.at("status").fail("expected 100..999");
    r.status = static_cast<int>(status);
  }
  r.reason = node.string_or("reason", "");
  if (node.has("headers")) {
    r.headers = headers_from(node.at("headers"));
  } else {
    r.headers.emplace_back("Content-Type", "text/event-stream");
  }
  if (node.has("chunks")) node.at("chunks").for_each([&](const JsonNode& chunk) { r.steps.push_back(step_from(chunk)); });
  if (node.has("end")) r.end = end_from(node.at("end"));
  const std::string framing = node.string_or("framing", "close");
  if (framing == "chunked") {
    if (!r.send_head) node.at("framing").fail("a raw response writes its own framing");
    frame_chunked(r);
  } else if (framing != "close") {
    node.at("framing").fail("expected close or chunked");
  }
  return r;
}

Script script_from_json(const std::string& text, const std::string& display_name) {
  const JsonNode root = JsonNode::parse_text(text, display_name);
  root.allow_only({"connections"});
  Script script;
  root.at("connections").for_each([&](const JsonNode& c) { script.connections.push_back(response_from_json(c)); });
  return script;
}

std::string head_bytes(const ScriptedResponse& response, const std::vector<std::pair<std::string, std::string>>& placeholders) {
  std::string reason = response.reason;
  if (reason.empty()) reason = Poco::Net::HTTPResponse::getReasonForStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
  std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " + reason + "\r\n";
  bool has_connection = false;
  for (const auto& [name, value] : response.headers) {
    std::string filled = value;
    for (const auto& [placeholder, text] : placeholders) Poco::replaceInPlace(filled, placeholder, text);
    head += name + ": " + filled + "\r\n";
    has_connection = has_connection || Poco::icompare(name, "connection") == 0;
  }
  if (!has_connection) head += "Connection: close\r\n";
  head += "\r\n";
  return head;
}

}  // namespace ssespec::server
