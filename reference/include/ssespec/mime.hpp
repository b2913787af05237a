// MIME types as the WHATWG defines them: MIME Sniffing's "parse a MIME type" and "serialize a
// MIME type", and Fetch's "extract a MIME type" from the Content-Type values of a response
// (what decides whether a response is an event stream). No I/O, no dependencies.
//
// Strings are isomorphic, as header values are once "isomorphic decoded": each byte is one code
// point, U+0000 to U+00FF.
//
// Spec: https://mimesniff.spec.whatwg.org/#parsing-a-mime-type
//       https://fetch.spec.whatwg.org/#concept-header-extract-mime-type
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ssespec {

// A MIME type record: type and subtype in ASCII lowercase, parameters in the order first seen
// (names lowercase, values as given, each name once).
struct MimeType {
  std::string type, subtype;
  std::vector<std::pair<std::string, std::string>> parameters;

  std::string essence() const;  // type "/" subtype, e.g. "text/event-stream"
  // The value of the parameter `name` (lowercase), or nullptr when there is none.
  const std::string* parameter(std::string_view name) const;
};

// MIME Sniffing's "parse a MIME type": nullopt is failure ("text", "text/", "te xt/plain").
std::optional<MimeType> parse_mime_type(std::string_view input);

// MIME Sniffing's "serialize a MIME type": "text/html;charset=gbk", values quoted where needed.
std::string serialize_mime_type(const MimeType& mime_type);

// Fetch's "extract a MIME type" from the values of every Content-Type field line of a response,
// in header order (they are combined with ", ", then split at commas outside quoted strings). An
// empty list is a response without Content-Type. nullopt is failure: no value parses.
std::optional<MimeType> extract_mime_type(const std::vector<std::string>& content_type_values);

// Fetch's "get, decode, and split" of one (combined) header value: the comma-separated members,
// commas inside quoted strings kept, HTTP tabs and spaces trimmed. "a, \"b,c\"" -> {"a", "\"b,c\""}.
std::vector<std::string> get_decode_split(std::string_view value);

}  // namespace ssespec
