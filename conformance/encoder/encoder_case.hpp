// fixtures/encoder: messages a server library serializes, and the text helpers the adapter
// protocol needs (JSON strings that may hold lone surrogates, which no UTF-8 JSON parser keeps).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report/spec_ref.hpp"

namespace ssespec {

// A `retry` as the caller passed it: a JSON number (any) or a string.
struct RetryValue {
  std::string json;                         // as sent to the adapter: 1500, 1.5, -1, "1000\n..."
  std::optional<std::uint64_t> integer;     // set for a non-negative integer number
  bool is_string = false;
};

// Text fields hold WTF-8: UTF-8 that may encode lone surrogates (ED A0 80 for U+D800).
struct EncoderMessage {
  std::optional<std::string> event, data, id, comment;
  std::optional<RetryValue> retry;

  std::vector<std::string> fields() const;  // the names given, in protocol order
  std::string to_json_line() const;         // one line of the adapter protocol, without LF
};

struct EncoderCase {
  std::string group;  // "encoder/data"
  std::string id;     // "lf"
  std::string description;
  std::vector<SpecRef> spec;
  std::vector<EncoderMessage> messages;
  std::string note;
  std::string full_id() const { return group + "/" + id; }
};

// Loads one fixtures/encoder file; throws FixtureError naming the file and field.
std::vector<EncoderCase> load_encoder_file(const std::filesystem::path& file, const std::string& group);
// Every <root>/encoder/*.json, in file-name order.
std::vector<EncoderCase> load_encoder_cases(const std::filesystem::path& root);

// UTF-16 code units as WTF-8 (a pair becomes one code point; a lone surrogate stays alone).
std::string wtf8_from_code_units(const std::vector<std::uint16_t>& units);
// What a client reads for WTF-8 sent as UTF-8: each lone surrogate becomes U+FFFD.
std::string replace_lone_surrogates(std::string_view wtf8);
// A JSON string literal for WTF-8 text, lone surrogates as \uXXXX escapes.
std::string json_string(std::string_view wtf8);
// The value of one JSON string literal (the whole of `text`), lone surrogates as U+FFFD, as
// JSON.parse then TextEncoder give; nullopt if `text` is not exactly one string literal.
std::optional<std::string> parse_json_string(std::string_view text);
// The string literal at text[pos] (same reading); on success `pos` moves past its closing quote.
std::optional<std::string> scan_json_string(std::string_view text, std::size_t& pos);

}  // namespace ssespec
