#include "json/json_node.hpp"

#include <Poco/Base64Decoder.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>

#include <fstream>
#include <sstream>

namespace ssespec {
namespace {

Poco::JSON::Object::Ptr object_of(const Poco::Dynamic::Var& v) {
  return v.type() == typeid(Poco::JSON::Object::Ptr) ? v.extract<Poco::JSON::Object::Ptr>() : nullptr;
}

Poco::JSON::Array::Ptr array_of(const Poco::Dynamic::Var& v) {
  return v.type() == typeid(Poco::JSON::Array::Ptr) ? v.extract<Poco::JSON::Array::Ptr>() : nullptr;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr std::int64_t kMaxRepeatBytes = 64 << 20;  // keeps a typo from eating the machine

}  // namespace

JsonNode JsonNode::parse_file(const std::filesystem::path& file, const std::string& display_name) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw FixtureError(display_name + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_text(text.str(), display_name);
}

JsonNode JsonNode::parse_text(const std::string& text, const std::string& display_name) {
  try {
    Poco::JSON::Parser parser;
    return JsonNode(parser.parse(text), display_name, "");
  } catch (const Poco::Exception& e) {
    throw FixtureError(display_name + ": not valid JSON: " + e.message());
  }
}

void JsonNode::fail(const std::string& message) const {
  throw FixtureError(file_ + ": " + (path_.empty() ? "(top level)" : path_) + ": " + message);
}

bool JsonNode::is_object() const { return object_of(value_) != nullptr; }
bool JsonNode::is_array() const { return array_of(value_) != nullptr; }
bool JsonNode::is_string() const { return value_.isString(); }

bool JsonNode::has(const std::string& key) const {
  const auto obj = object_of(value_);
  return obj && obj->has(key);
}

JsonNode JsonNode::child(Poco::Dynamic::Var value, const std::string& suffix) const {
  return JsonNode(std::move(value), file_, path_ + suffix);
}

JsonNode JsonNode::at(const std::string& key) const {
  const auto obj = object_of(value_);
  if (!obj) fail("expected an object");
  const std::string suffix = path_.empty() ? key : "." + key;
  if (!obj->has(key)) JsonNode(Poco::Dynamic::Var(), file_, path_ + suffix).fail("missing");
  return child(obj->get(key), suffix);
}

std::size_t JsonNode::size() const {
  const auto arr = array_of(value_);
  if (!arr) fail("expected an array");
  return arr->size();
}

JsonNode JsonNode::at(std::size_t index) const {
  const auto arr = array_of(value_);
  if (!arr) fail("expected an array");
  return child(arr->get(static_cast<unsigned>(index)), "[" + std::to_string(index) + "]");
}

void JsonNode::for_each(const std::function<void(const JsonNode&)>& visit) const {
  const std::size_t n = size();
  for (std::size_t i = 0; i < n; ++i) visit(at(i));
}

std::string JsonNode::as_string() const {
  if (!value_.isString()) fail("expected a string");
  return value_.extract<std::string>();
}

std::int64_t JsonNode::as_integer() const {
  if (!value_.isInteger()) fail("expected an integer");
  return value_.convert<std::int64_t>();
}

bool JsonNode::as_bool() const {
  if (!value_.isBoolean()) fail("expected true or false");
  return value_.extract<bool>();
}

std::string JsonNode::string_or(const std::string& key, const std::string& fallback) const {
  return has(key) ? at(key).as_string() : fallback;
}

bool JsonNode::bool_or(const std::string& key, bool fallback) const {
  return has(key) ? at(key).as_bool() : fallback;
}

std::string JsonNode::as_bytes() const {
  if (is_string()) return as_string();
  if (is_array()) {
    std::string out;
    for_each([&](const JsonNode& piece) { out += piece.as_bytes(); });
    return out;
  }
  if (!is_object()) fail("expected a string, an array, or an object with hex, base64 or repeat");
  if (has("hex")) {
    allow_only({"hex"});
    const std::string hex = at("hex").as_string();
    std::string out;
    int high = -1;
    for (const char c : hex) {
      if (c == ' ') continue;
      const int digit = hex_digit(c);
      if (digit < 0) at("hex").fail(std::string("not a hex digit: '") + c + "'");
      if (high < 0) {
        high = digit;
      } else {
        out.push_back(static_cast<char>(high * 16 + digit));
        high = -1;
      }
    }
    if (high >= 0) at("hex").fail("odd number of hex digits");
    return out;
  }
  if (has("base64")) {
    allow_only({"base64"});
    std::istringstream in(at("base64").as_string());
    Poco::Base64Decoder decoder(in);
    std::ostringstream out;
    try {
      out << decoder.rdbuf();
    } catch (const Poco::Exception& e) {
      at("base64").fail("not valid base64: " + e.message());
    }
    return out.str();
  }
  if (has("repeat")) {
    allow_only({"repeat", "times"});
    const std::string unit = at("repeat").as_bytes();
    const std::int64_t times = at("times").as_integer();
    if (times < 0 || (unit.empty() ? 0 : times * static_cast<std::int64_t>(unit.size())) > kMaxRepeatBytes) {
      at("times").fail("must be between 0 and " + std::to_string(kMaxRepeatBytes) + " bytes in all");
    }
    if (unit.size() == 1) return std::string(static_cast<std::size_t>(times), unit[0]);
    std::string out;
    out.reserve(unit.size() * static_cast<std::size_t>(times));
    for (std::int64_t i = 0; i < times; ++i) out += unit;
    return out;
  }
  fail("expected an object with hex, base64 or repeat");
}

void JsonNode::allow_only(std::initializer_list<const char*> keys) const {
  const auto obj = object_of(value_);
  if (!obj) fail("expected an object");
  for (const auto& [name, ignored] : *obj) {
    bool known = false;
    for (const char* k : keys) known = known || name == k;
    if (!known) child(Poco::Dynamic::Var(), (path_.empty() ? "" : ".") + name).fail("unknown field");
  }
}

}  // namespace ssespec
