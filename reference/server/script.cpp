#include "server/script.hpp"

#include <Poco/Base64Decoder.h>
#include <Poco/Base64Encoder.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/String.h>

#include <sstream>
#include <stdexcept>

namespace ssespec::server {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

[[noreturn]] void bad(const std::string& where, const std::string& what) {
  throw std::invalid_argument("script: " + where + ": " + what);
}

Object::Ptr object_at(const Poco::Dynamic::Var& v, const std::string& where) {
  if (v.type() != typeid(Object::Ptr)) bad(where, "expected an object");
  return v.extract<Object::Ptr>();
}

Array::Ptr array_at(const Poco::Dynamic::Var& v, const std::string& where) {
  if (v.type() != typeid(Array::Ptr)) bad(where, "expected an array");
  return v.extract<Array::Ptr>();
}

std::string string_at(const Poco::Dynamic::Var& v, const std::string& where) {
  if (!v.isString()) bad(where, "expected a string");
  return v.extract<std::string>();
}

std::string decode_base64(const std::string& text, const std::string& where) {
  std::istringstream in(text);
  Poco::Base64Decoder decoder(in);
  std::ostringstream out;
  try {
    out << decoder.rdbuf();
  } catch (const Poco::Exception& e) {
    bad(where, "not valid base64: " + e.message());
  }
  return out.str();
}

std::string encode_base64(const std::string& bytes) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(0);
  encoder << bytes;
  encoder.close();
  return out.str();
}

End end_from(const std::string& text, const std::string& where) {
  if (text == "close") return End::close;
  if (text == "reset") return End::reset;
  if (text == "hang") return End::hang;
  bad(where, "expected \"close\", \"reset\" or \"hang\"");
}

ScriptedResponse response_from(const Object::Ptr& obj, const std::string& where) {
  ScriptedResponse r;
  for (const auto& [key, ignored] : *obj) {
    if (key != "status" && key != "reason" && key != "headers" && key != "chunks" && key != "end") {
      bad(where + "." + key, "unknown field");
    }
  }
  if (obj->has("status")) {
    const auto v = obj->get("status");
    if (!v.isInteger() || v.convert<int>() < 100 || v.convert<int>() > 999) bad(where + ".status", "expected 100..999");
    r.status = v.convert<int>();
  } else {
    r.send_head = false;
  }
  if (obj->has("reason")) r.reason = string_at(obj->get("reason"), where + ".reason");
  if (obj->has("headers")) {
    const auto headers = array_at(obj->get("headers"), where + ".headers");
    for (unsigned i = 0; i < headers->size(); ++i) {
      const std::string at = where + ".headers[" + std::to_string(i) + "]";
      const auto pair = array_at(headers->get(i), at);
      if (pair->size() != 2) bad(at, "expected [name, value]");
      r.headers.emplace_back(string_at(pair->get(0), at + "[0]"), string_at(pair->get(1), at + "[1]"));
    }
  }
  if (obj->has("chunks")) {
    const auto chunks = array_at(obj->get("chunks"), where + ".chunks");
    for (unsigned i = 0; i < chunks->size(); ++i) {
      const std::string at = where + ".chunks[" + std::to_string(i) + "]";
      const auto v = chunks->get(i);
      if (v.isString()) {
        r.steps.push_back({v.extract<std::string>(), 0});
        continue;
      }
      const auto step = object_at(v, at);
      if (step->has("delayMs")) {
        const auto d = step->get("delayMs");
        if (!d.isInteger() || d.convert<int>() < 0 || d.convert<int>() > 60000) bad(at + ".delayMs", "expected 0..60000");
        r.steps.push_back({{}, d.convert<int>()});
      } else if (step->has("base64")) {
        r.steps.push_back({decode_base64(string_at(step->get("base64"), at + ".base64"), at + ".base64"), 0});
      } else {
        bad(at, "expected a string, {\"base64\"} or {\"delayMs\"}");
      }
    }
  }
  if (obj->has("end")) r.end = end_from(string_at(obj->get("end"), where + ".end"), where + ".end");
  return r;
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

Script script_from_json(const std::string& text) {
  Poco::Dynamic::Var root;
  try {
    root = Poco::JSON::Parser().parse(text);
  } catch (const Poco::Exception& e) {
    bad("(top level)", "not valid JSON: " + e.message());
  }
  const auto obj = object_at(root, "(top level)");
  if (!obj->has("connections")) bad("connections", "missing");
  const auto list = array_at(obj->get("connections"), "connections");
  Script script;
  for (unsigned i = 0; i < list->size(); ++i) {
    const std::string where = "connections[" + std::to_string(i) + "]";
    script.connections.push_back(response_from(object_at(list->get(i), where), where));
  }
  return script;
}

std::string to_json(const Script& script) {
  Array::Ptr connections = new Array;
  for (const ScriptedResponse& r : script.connections) {
    Object::Ptr c = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    if (r.send_head) c->set("status", r.status);
    if (!r.reason.empty()) c->set("reason", r.reason);
    Array::Ptr headers = new Array;
    for (const auto& [name, value] : r.headers) {
      Array::Ptr pair = new Array;
      pair->add(name);
      pair->add(value);
      headers->add(pair);
    }
    c->set("headers", headers);
    Array::Ptr chunks = new Array;
    for (const Step& s : r.steps) {
      Object::Ptr step = new Object;
      if (s.delay_ms > 0) {
        step->set("delayMs", s.delay_ms);
      } else {
        step->set("base64", encode_base64(s.bytes));
      }
      chunks->add(step);
    }
    c->set("chunks", chunks);
    c->set("end", std::string(to_string(r.end)));
    connections->add(c);
  }
  Object root;
  root.set("connections", connections);
  std::ostringstream out;
  root.stringify(out);
  return out.str();
}

std::string head_bytes(const ScriptedResponse& response) {
  std::string reason = response.reason;
  if (reason.empty()) reason = Poco::Net::HTTPResponse::getReasonForStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(response.status));
  std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " + reason + "\r\n";
  bool has_connection = false;
  for (const auto& [name, value] : response.headers) {
    head += name + ": " + value + "\r\n";
    has_connection = has_connection || Poco::icompare(name, "connection") == 0;
  }
  if (!has_connection) head += "Connection: close\r\n";
  head += "\r\n";
  return head;
}

}  // namespace ssespec::server
