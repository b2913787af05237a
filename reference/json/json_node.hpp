// A JSON value that knows where it came from, so every error names the file and the field:
// "fixtures/parse/data.json: cases[3].expect[0].data: expected a string".
#pragma once

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "json/json_error.hpp"

namespace ssespec {

class JsonNode {
 public:
  JsonNode(Poco::Dynamic::Var value, std::string file, std::string path)
      : value_(std::move(value)), file_(std::move(file)), path_(std::move(path)) {}

  // Parses a whole file; a syntax error names the file.
  static JsonNode parse_file(const std::filesystem::path& file, const std::string& display_name);
  // Parses JSON text (a POSTed script, say); errors name it `display_name`. Objects keep no
  // member order (POCO's default): members are visited in name order.
  static JsonNode parse_text(const std::string& text, const std::string& display_name);

  [[noreturn]] void fail(const std::string& message) const;

  bool is_object() const;
  bool is_array() const;
  bool is_string() const;
  bool has(const std::string& key) const;  // for objects

  JsonNode at(const std::string& key) const;  // a required member
  std::size_t size() const;                   // of an array
  JsonNode at(std::size_t index) const;       // of an array
  void for_each(const std::function<void(const JsonNode&)>& visit) const;  // array items

  std::string as_string() const;
  std::int64_t as_integer() const;
  bool as_bool() const;

  std::string string_or(const std::string& key, const std::string& fallback) const;
  bool bool_or(const std::string& key, bool fallback) const;

  // A "bytes" value: a string (its UTF-8 bytes), {"hex"}, {"base64"}, {"repeat","times"} or an
  // array of these, concatenated.
  std::string as_bytes() const;

  // Rejects members other than those listed, so a typo in a fixture never passes silently.
  void allow_only(std::initializer_list<const char*> keys) const;

  const std::string& path() const { return path_; }
  const Poco::Dynamic::Var& value() const { return value_; }

 private:
  JsonNode child(Poco::Dynamic::Var value, const std::string& suffix) const;

  Poco::Dynamic::Var value_;
  std::string file_;
  std::string path_;
};

}  // namespace ssespec
