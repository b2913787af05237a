// The reference encoder (reference/include/ssespec/encoder.hpp) behind the encoder adapter
// protocol of conformance/ADAPTERS.md: a message per stdin line, an answer per stdout line.
// Lone surrogates in the JSON become U+FFFD, as a UTF-8 writer must send them.
#include <Poco/Base64Encoder.h>

#include <iostream>
#include <sstream>
#include <string>

#include "encoder/encoder_case.hpp"
#include "ssespec/encoder.hpp"

namespace {

using ssespec::Message;

std::size_t skip_space(const std::string& s, std::size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return i;
}

// Reads the flat protocol object; returns an error text, or "" with `m` filled.
std::string read_message(const std::string& line, Message& m) {
  std::size_t i = skip_space(line, 0);
  if (i >= line.size() || line[i] != '{') return "not a JSON object";
  i = skip_space(line, i + 1);
  if (i < line.size() && line[i] == '}') return "";
  for (;;) {
    const auto name = ssespec::scan_json_string(line, i);
    if (!name) return "bad member name";
    i = skip_space(line, i);
    if (i >= line.size() || line[i] != ':') return "expected ':'";
    i = skip_space(line, i + 1);
    if (*name == "retry") {
      if (i < line.size() && line[i] == '"') return "retry must be a non-negative integer, not a string";
      const std::size_t start = i;
      while (i < line.size() && line[i] != ',' && line[i] != '}' && line[i] != ' ') ++i;
      const std::string number = line.substr(start, i - start);
      if (number.empty() || number.find_first_not_of("0123456789") != std::string::npos || number.size() > 19) {
        return "retry must be a non-negative integer, not " + number;
      }
      m.retry = std::stoull(number);
    } else {
      const auto value = ssespec::scan_json_string(line, i);
      if (!value) return *name + " must be a string";
      if (*name == "event") m.event = *value;
      else if (*name == "data") m.data = *value;
      else if (*name == "id") m.id = *value;
      else if (*name == "comment") m.comment = *value;
      else return "unknown field " + *name;
    }
    i = skip_space(line, i);
    if (i < line.size() && line[i] == ',') {
      i = skip_space(line, i + 1);
      continue;
    }
    if (i < line.size() && line[i] == '}') return "";
    return "expected ',' or '}'";
  }
}

std::string base64(const std::string& bytes) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(0);
  encoder << bytes;
  encoder.close();
  return out.str();
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    Message m;
    const std::string problem = read_message(line, m);
    if (!problem.empty()) {
      std::cout << "{\"error\":" << ssespec::json_string(problem) << "}\n" << std::flush;
      continue;
    }
    const ssespec::Encoded e = ssespec::encode(m);
    if (e.error != ssespec::EncodeError::none) {
      std::cout << "{\"error\":" << ssespec::json_string(ssespec::to_string(e.error)) << "}\n" << std::flush;
      continue;
    }
    std::cout << "{\"bytes_b64\":\"" << base64(e.bytes) << "\"}\n" << std::flush;
  }
  return 0;
}
