#include "ssespec/mime.hpp"

#include <algorithm>

namespace ssespec {
namespace {

// https://fetch.spec.whatwg.org/#http-tab-or-space
bool is_http_tab_or_space(char c) { return c == '\t' || c == ' '; }

// https://fetch.spec.whatwg.org/#http-whitespace: "U+000A LF, U+000D CR, or an HTTP tab or space"
bool is_http_whitespace(char c) { return c == '\n' || c == '\r' || is_http_tab_or_space(c); }

// https://mimesniff.spec.whatwg.org/#http-token-code-point
bool is_http_token_code_point(char c) {
  const bool alphanumeric = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  return alphanumeric || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// https://mimesniff.spec.whatwg.org/#http-quoted-string-token-code-point: "U+0009 TAB, a code
// point in the range U+0020 SPACE to U+007E (~), inclusive, or a code point in the range U+0080
// through U+00FF (ÿ), inclusive" (one byte is one code point here).
bool is_http_quoted_string_token_code_point(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u == 0x09 || (u >= 0x20 && u <= 0x7E) || u >= 0x80;
}

template <typename Predicate>
bool solely(std::string_view s, Predicate predicate) {
  return std::all_of(s.begin(), s.end(), predicate);
}

// https://infra.spec.whatwg.org/#collect-a-sequence-of-code-points
template <typename Predicate>
std::string_view collect(std::string_view input, std::size_t& position, Predicate predicate) {
  const std::size_t start = position;
  while (position < input.size() && predicate(input[position])) ++position;
  return input.substr(start, position - start);
}

template <typename Predicate>
std::string_view trim_end(std::string_view s, Predicate predicate) {
  while (!s.empty() && predicate(s.back())) s.remove_suffix(1);
  return s;
}

template <typename Predicate>
std::string_view trim(std::string_view s, Predicate predicate) {
  while (!s.empty() && predicate(s.front())) s.remove_prefix(1);
  return trim_end(s, predicate);
}

// https://infra.spec.whatwg.org/#ascii-lowercase
std::string ascii_lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// https://fetch.spec.whatwg.org/#collect-an-http-quoted-string; `position` is at a U+0022 (").
std::string collect_http_quoted_string(std::string_view input, std::size_t& position, bool extract_value) {
  // 1. "Let positionStart be position." 2. "Let value be the empty string."
  const std::size_t position_start = position;
  std::string value;
  // 4. "Advance position by 1."
  ++position;
  // 5. "While true:"
  for (;;) {
    // 5.1 "Append the result of collecting a sequence of code points that are not U+0022 (") or
    // U+005C (\) from input, given position, to value."
    value += collect(input, position, [](char c) { return c != '"' && c != '\\'; });
    // 5.2 "If position is past the end of input, then break."
    if (position >= input.size()) break;
    // 5.3, 5.4 "Let quoteOrBackslash be the code point at position ..." "Advance position by 1."
    const char quote_or_backslash = input[position++];
    if (quote_or_backslash == '\\') {
      // 5.5.1 "If position is past the end of input, then append U+005C (\) to value and break."
      if (position >= input.size()) {
        value.push_back('\\');
        break;
      }
      // 5.5.2, 5.5.3 "Append the code point at position within input to value." "Advance position by 1."
      value.push_back(input[position++]);
    } else {
      break;  // 5.6 a U+0022 (")
    }
  }
  // 6. "If extract-value is true, then return value."
  if (extract_value) return value;
  // 7. "Return the code points from positionStart to position, inclusive, within input."
  return std::string(input.substr(position_start, position - position_start));
}

}  // namespace

std::string MimeType::essence() const { return type + "/" + subtype; }

const std::string* MimeType::parameter(std::string_view name) const {
  const auto found = std::find_if(parameters.begin(), parameters.end(), [&](const auto& p) { return p.first == name; });
  return found == parameters.end() ? nullptr : &found->second;
}

// https://mimesniff.spec.whatwg.org/#parse-a-mime-type
std::optional<MimeType> parse_mime_type(std::string_view input) {
  // 1. "Remove any leading and trailing HTTP whitespace from input."
  input = trim(input, is_http_whitespace);
  // 2. "Let position be a position variable for input, initially pointing at the start of input."
  std::size_t position = 0;
  // 3. "Let type be the result of collecting a sequence of code points that are not U+002F (/)"
  const std::string_view type = collect(input, position, [](char c) { return c != '/'; });
  // 4. "If type is the empty string or does not solely contain HTTP token code points, then
  // return failure."
  if (type.empty() || !solely(type, is_http_token_code_point)) return std::nullopt;
  // 5. "If position is past the end of input, then return failure."
  if (position >= input.size()) return std::nullopt;
  // 6. "Advance position by 1. (This skips past U+002F (/).)"
  ++position;
  // 7. "Let subtype be the result of collecting a sequence of code points that are not U+003B (;)"
  std::string_view subtype = collect(input, position, [](char c) { return c != ';'; });
  // 8. "Remove any trailing HTTP whitespace from subtype."
  subtype = trim_end(subtype, is_http_whitespace);
  // 9. "If subtype is the empty string or does not solely contain HTTP token code points, then
  // return failure."
  if (subtype.empty() || !solely(subtype, is_http_token_code_point)) return std::nullopt;
  // 10. "Let mimeType be a new MIME type record whose type is type, in ASCII lowercase, and
  // subtype is subtype, in ASCII lowercase."
  MimeType mime_type{ascii_lowercase(type), ascii_lowercase(subtype), {}};
  // 11. "While position is not past the end of input:"
  while (position < input.size()) {
    // 11.1 "Advance position by 1. (This skips past U+003B (;).)"
    ++position;
    // 11.2 "Collect a sequence of code points that are HTTP whitespace from input given position."
    collect(input, position, is_http_whitespace);
    // 11.3, 11.4 "Let parameterName be the result of collecting a sequence of code points that
    // are not U+003B (;) or U+003D (=)" ... "in ASCII lowercase."
    const std::string parameter_name =
        ascii_lowercase(collect(input, position, [](char c) { return c != ';' && c != '='; }));
    // 11.5 "If position is not past the end of input, then:"
    if (position < input.size()) {
      // 11.5.1 "If the code point at position within input is U+003B (;), then continue."
      if (input[position] == ';') continue;
      // 11.5.2 "Advance position by 1. (This skips past U+003D (=).)"
      ++position;
    }
    // 11.6 "If position is past the end of input, then break."
    if (position >= input.size()) break;
    // 11.7 "Let parameterValue be null."
    std::string parameter_value;
    if (input[position] == '"') {
      // 11.8.1 "Set parameterValue to the result of collecting an HTTP quoted string from input,
      // given position and true."
      parameter_value = collect_http_quoted_string(input, position, true);
      // 11.8.2 "Collect a sequence of code points that are not U+003B (;) from input"
      collect(input, position, [](char c) { return c != ';'; });
    } else {
      // 11.9.1 "Set parameterValue to the result of collecting a sequence of code points that
      // are not U+003B (;)" 11.9.2 "Remove any trailing HTTP whitespace from parameterValue."
      parameter_value = trim_end(collect(input, position, [](char c) { return c != ';'; }), is_http_whitespace);
      // 11.9.3 "If parameterValue is the empty string, then continue."
      if (parameter_value.empty()) continue;
    }
    // 11.10 "If all of the following are true" (a non-empty token name, a value of HTTP
    // quoted-string token code points, and no parameter of that name yet) "then set mimeType's
    // parameters[parameterName] to parameterValue."
    if (!parameter_name.empty() && solely(parameter_name, is_http_token_code_point) &&
        solely(parameter_value, is_http_quoted_string_token_code_point) && !mime_type.parameter(parameter_name)) {
      mime_type.parameters.emplace_back(parameter_name, std::move(parameter_value));
    }
  }
  // 12. "Return mimeType."
  return mime_type;
}

// https://mimesniff.spec.whatwg.org/#serializing-a-mime-type
std::string serialize_mime_type(const MimeType& mime_type) {
  // 1. "Let serialization be the concatenation of mimeType's type, U+002F (/), and mimeType's subtype."
  std::string serialization = mime_type.essence();
  // 2. "For each name → value of mimeType's parameters:"
  for (const auto& [name, value] : mime_type.parameters) {
    serialization += ";" + name + "=";
    // 2.4 "If value does not solely contain HTTP token code points or value is the empty
    // string", escape U+0022 (") and U+005C (\) and put value in quotes.
    if (value.empty() || !solely(value, is_http_token_code_point)) {
      serialization.push_back('"');
      for (const char c : value) {
        if (c == '"' || c == '\\') serialization.push_back('\\');
        serialization.push_back(c);
      }
      serialization.push_back('"');
    } else {
      serialization += value;
    }
  }
  return serialization;
}

// https://fetch.spec.whatwg.org/#header-value-get-decode-and-split
std::vector<std::string> get_decode_split(std::string_view value) {
  // 1. "Let input be the result of isomorphic decoding value." (one byte, one code point)
  const std::string_view input = value;
  // 2.-4. position at the start, values « », temporaryValue the empty string.
  std::size_t position = 0;
  std::vector<std::string> values;
  std::string temporary_value;
  // 5. "While true:"
  for (;;) {
    // 5.1 "Append the result of collecting a sequence of code points that are not U+0022 (") or
    // U+002C (,) from input, given position, to temporaryValue."
    temporary_value += collect(input, position, [](char c) { return c != '"' && c != ','; });
    // 5.2 "If position is not past the end of input and the code point at position within input
    // is U+0022 ("):"
    if (position < input.size() && input[position] == '"') {
      // 5.2.1 "Append the result of collecting an HTTP quoted string from input, given position,
      // to temporaryValue." 5.2.2 "If position is not past the end of input, then continue."
      temporary_value += collect_http_quoted_string(input, position, false);
      if (position < input.size()) continue;
    }
    // 5.3 "Remove all HTTP tab or space from the start and end of temporaryValue."
    // 5.4 "Append temporaryValue to values." 5.5 "Set temporaryValue to the empty string."
    values.emplace_back(trim(temporary_value, is_http_tab_or_space));
    temporary_value.clear();
    // 5.6 "If position is past the end of input, then return values."
    if (position >= input.size()) return values;
    // 5.7, 5.8 the code point at position is U+002C (,): "Advance position by 1."
    ++position;
  }
}

// https://fetch.spec.whatwg.org/#concept-header-extract-mime-type
std::optional<MimeType> extract_mime_type(const std::vector<std::string>& content_type_values) {
  // 1.-3. "Let charset be null." "Let essence be null." "Let mimeType be null."
  std::optional<std::string> charset;
  std::optional<std::string> essence;
  std::optional<MimeType> mime_type;
  // 5. "If values is null, then return failure." (no Content-Type header at all)
  if (content_type_values.empty()) return std::nullopt;
  // 4. "Let values be the result of getting, decoding, and splitting `Content-Type`": getting
  // joins the values of every Content-Type header "separated from each other by 0x2C 0x20, in order".
  std::string combined = content_type_values.front();
  for (std::size_t i = 1; i < content_type_values.size(); ++i) combined += ", " + content_type_values[i];
  // 6. "For each value of values:"
  for (const std::string& value : get_decode_split(combined)) {
    // 6.1 "Let temporaryMimeType be the result of parsing value."
    std::optional<MimeType> temporary_mime_type = parse_mime_type(value);
    // 6.2 "If temporaryMimeType is failure or its essence is "*/*", then continue."
    if (!temporary_mime_type || temporary_mime_type->essence() == "*/*") continue;
    // 6.3 "Set mimeType to temporaryMimeType."
    mime_type = std::move(temporary_mime_type);
    // 6.4 "If mimeType's essence is not essence, then:"
    if (mime_type->essence() != essence) {
      // 6.4.1 "Set charset to null." 6.4.2 "If mimeType's parameters["charset"] exists, then set
      // charset to mimeType's parameters["charset"]." 6.4.3 "Set essence to mimeType's essence."
      charset.reset();
      if (const std::string* own = mime_type->parameter("charset")) charset = *own;
      essence = mime_type->essence();
    } else if (!mime_type->parameter("charset") && charset) {
      // 6.5 "Otherwise, if mimeType's parameters["charset"] does not exist, and charset is
      // non-null, set mimeType's parameters["charset"] to charset." (a new key goes last)
      mime_type->parameters.emplace_back("charset", *charset);
    }
  }
  // 7. "If mimeType is null, then return failure." 8. "Return mimeType."
  return mime_type;
}

}  // namespace ssespec
