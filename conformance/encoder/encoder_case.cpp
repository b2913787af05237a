#include "encoder/encoder_case.hpp"

#include <Poco/Dynamic/Var.h>

#include <cstdio>
#include <set>

#include "json/json_node.hpp"
#include "runner/fixture.hpp"

namespace ssespec {
namespace {

void append_code_point(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The surrogate a WTF-8 sequence at `i` encodes (ED A0..BF xx), or 0.
std::uint32_t surrogate_at(std::string_view s, std::size_t i) {
  if (i + 2 >= s.size()) return 0;
  if (static_cast<unsigned char>(s[i]) != 0xED) return 0;
  const auto b1 = static_cast<unsigned char>(s[i + 1]);
  const auto b2 = static_cast<unsigned char>(s[i + 2]);
  if (b1 < 0xA0 || b1 > 0xBF || (b2 & 0xC0) != 0x80) return 0;
  return 0xD000u | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
}

std::string load_text(const JsonNode& node) {
  if (node.is_string()) return node.as_string();
  if (!node.is_object()) node.fail("expected a string, {\"repeat\", \"times\"} or {\"codeUnits\"}");
  node.allow_only({"repeat", "times", "codeUnits"});
  if (node.has("codeUnits")) {
    std::vector<std::uint16_t> units;
    node.at("codeUnits").for_each([&](const JsonNode& u) {
      const auto v = u.as_integer();
      if (v < 0 || v > 0xFFFF) u.fail("expected a UTF-16 code unit (0..65535)");
      units.push_back(static_cast<std::uint16_t>(v));
    });
    return wtf8_from_code_units(units);
  }
  const std::string piece = node.at("repeat").as_string();
  const auto times = node.at("times").as_integer();
  if (times < 1 || times > (1 << 20)) node.at("times").fail("expected 1..1048576");
  std::string out;
  out.reserve(piece.size() * static_cast<std::size_t>(times));
  for (std::int64_t i = 0; i < times; ++i) out += piece;
  return out;
}

RetryValue load_retry(const JsonNode& node) {
  RetryValue r;
  const Poco::Dynamic::Var& v = node.value();
  if (v.isString()) {
    r.is_string = true;
    r.json = json_string(v.extract<std::string>());
    return r;
  }
  if (!v.isNumeric()) node.fail("expected a number or a string");
  if (v.isInteger()) {
    const auto n = v.convert<std::int64_t>();
    if (n >= 0) r.integer = static_cast<std::uint64_t>(n);
    r.json = std::to_string(n);
    return r;
  }
  r.json = v.toString();
  return r;
}

EncoderMessage load_message(const JsonNode& node) {
  node.allow_only({"event", "data", "id", "retry", "comment"});
  EncoderMessage m;
  if (node.has("event")) m.event = load_text(node.at("event"));
  if (node.has("data")) m.data = load_text(node.at("data"));
  if (node.has("id")) m.id = load_text(node.at("id"));
  if (node.has("comment")) m.comment = load_text(node.at("comment"));
  if (node.has("retry")) m.retry = load_retry(node.at("retry"));
  return m;
}

}  // namespace

std::vector<std::string> EncoderMessage::fields() const {
  std::vector<std::string> out;
  if (event) out.push_back("event");
  if (data) out.push_back("data");
  if (id) out.push_back("id");
  if (retry) out.push_back("retry");
  if (comment) out.push_back("comment");
  return out;
}

std::string EncoderMessage::to_json_line() const {
  std::string out = "{";
  const auto add = [&](const char* name, const std::string& json) {
    if (out.size() > 1) out += ",";
    out += std::string("\"") + name + "\":" + json;
  };
  if (event) add("event", json_string(*event));
  if (data) add("data", json_string(*data));
  if (id) add("id", json_string(*id));
  if (retry) add("retry", retry->json);
  if (comment) add("comment", json_string(*comment));
  return out + "}";
}

std::vector<EncoderCase> load_encoder_file(const std::filesystem::path& file, const std::string& group) {
  const JsonNode root = JsonNode::parse_file(file, file.filename().string());
  root.allow_only({"$schema", "description", "cases"});
  std::vector<EncoderCase> cases;
  std::set<std::string> ids;
  root.at("cases").for_each([&](const JsonNode& c) {
    c.allow_only({"id", "description", "spec", "messages", "note"});
    EncoderCase ec;
    ec.group = group;
    ec.id = load_case_id(c, ids);
    ec.description = c.at("description").as_string();
    c.at("spec").for_each([&](const JsonNode& s) {
      s.allow_only({"url", "quote"});
      ec.spec.push_back({s.at("url").as_string(), s.string_or("quote", "")});
    });
    c.at("messages").for_each([&](const JsonNode& m) { ec.messages.push_back(load_message(m)); });
    if (ec.messages.empty()) c.at("messages").fail("expected at least one message");
    ec.note = c.string_or("note", "");
    cases.push_back(std::move(ec));
  });
  return cases;
}

std::vector<EncoderCase> load_encoder_cases(const std::filesystem::path& root) {
  return load_fixture_area<EncoderCase>(root, "encoder", &load_encoder_file);
}

std::string wtf8_from_code_units(const std::vector<std::uint16_t>& units) {
  std::string out;
  for (std::size_t i = 0; i < units.size(); ++i) {
    const std::uint32_t u = units[i];
    if (u >= 0xD800 && u <= 0xDBFF && i + 1 < units.size() && units[i + 1] >= 0xDC00 && units[i + 1] <= 0xDFFF) {
      append_code_point(out, 0x10000 + ((u - 0xD800) << 10) + (units[i + 1] - 0xDC00u));
      ++i;
    } else {
      append_code_point(out, u);
    }
  }
  return out;
}

std::string replace_lone_surrogates(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (surrogate_at(s, i) != 0) {
      out += "\xEF\xBF\xBD";
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  char buffer[8];
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (surrogate_at(s, i) != 0) {
      std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(surrogate_at(s, i)));
      out += buffer;
      i += 2;
    } else if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20) {
      std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
      out += buffer;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out + "\"";
}

std::optional<std::string> scan_json_string(std::string_view text, std::size_t& pos) {
  std::size_t i = pos;
  if (i >= text.size() || text[i] != '"') return std::nullopt;
  ++i;
  std::vector<std::uint16_t> units;  // a run of \u escapes, as JSON.parse makes UTF-16 of them
  const auto hex4 = [&](std::size_t at) -> std::optional<std::uint16_t> {
    if (at + 4 > text.size()) return std::nullopt;
    unsigned v = 0;
    for (std::size_t k = at; k < at + 4; ++k) {
      const char h = text[k];
      v <<= 4;
      if (h >= '0' && h <= '9') v |= static_cast<unsigned>(h - '0');
      else if (h >= 'a' && h <= 'f') v |= static_cast<unsigned>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') v |= static_cast<unsigned>(h - 'A' + 10);
      else return std::nullopt;
    }
    return static_cast<std::uint16_t>(v);
  };
  std::string out;
  const auto flush_units = [&] {
    out += replace_lone_surrogates(wtf8_from_code_units(units));
    units.clear();
  };
  for (;;) {
    if (i >= text.size()) return std::nullopt;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"') break;
    if (c < 0x20) return std::nullopt;
    if (c != '\\') {
      flush_units();
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    if (i + 1 >= text.size()) return std::nullopt;
    const char e = text[i + 1];
    i += 2;
    const char* simple = nullptr;
    switch (e) {
      case '"': simple = "\""; break;
      case '\\': simple = "\\"; break;
      case '/': simple = "/"; break;
      case 'b': simple = "\b"; break;
      case 'f': simple = "\f"; break;
      case 'n': simple = "\n"; break;
      case 'r': simple = "\r"; break;
      case 't': simple = "\t"; break;
      case 'u': {
        const auto unit = hex4(i);
        if (!unit) return std::nullopt;
        units.push_back(*unit);
        i += 4;
        continue;
      }
      default: return std::nullopt;
    }
    flush_units();
    out += simple;
  }
  flush_units();
  pos = i + 1;
  return out;
}

std::optional<std::string> parse_json_string(std::string_view text) {
  const auto skip_space = [&](std::size_t i) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
    return i;
  };
  std::size_t pos = skip_space(0);
  auto value = scan_json_string(text, pos);
  if (!value || skip_space(pos) != text.size()) return std::nullopt;
  return value;
}

}  // namespace ssespec
