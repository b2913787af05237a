#include "client/chunked_decoder.hpp"

#include <algorithm>

#include "ssespec/printable.hpp"

namespace ssespec {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The line as a message quotes it, shortened.
std::string quoted(std::string_view line) { return "\"" + printable(line, 40) + "\""; }

}  // namespace

bool ChunkedDecoder::fail(HttpError code, std::string message) {
  state_ = State::failed;
  code_ = code;
  error_ = std::move(message);
  return false;
}

std::string ChunkedDecoder::position() const {
  switch (state_) {
    case State::size_line: return line_.empty() ? "between chunks" : "inside a chunk-size line";
    case State::data:
      return "inside a chunk (" + std::to_string(chunk_size_ - remaining_) + " of " + std::to_string(chunk_size_) + " bytes)";
    case State::data_end: return "before the CRLF that ends a chunk";
    case State::trailer: return "inside the trailer after the last chunk";
    case State::done: return "after the last chunk";
    case State::failed: return "after a framing error";
  }
  return "";
}

// chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF; chunk-size = 1*HEXDIG
bool ChunkedDecoder::end_size_line() {
  std::size_t i = 0;
  std::uint64_t size = 0;
  int significant = 0;
  for (; i < line_.size() && hex_value(line_[i]) >= 0; ++i) {
    if (significant > 0 || line_[i] != '0') ++significant;
    if (significant > 15)
      return fail(HttpError::chunk_size_too_large,
                  "chunk size " + quoted(line_) + " is too large (over 15 hex digits)");
    size = size * 16 + static_cast<std::uint64_t>(hex_value(line_[i]));
  }
  if (i == 0)
    return fail(HttpError::bad_chunk_size,
                "invalid chunk size " + quoted(line_) + ": a chunk-size line must start with hex digits");
  // chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
  std::size_t rest = i;
  while (rest < line_.size() && (line_[rest] == ' ' || line_[rest] == '\t')) ++rest;
  if (rest < line_.size() && line_[rest] != ';') {
    return fail(HttpError::bad_chunk_extension,
                "invalid chunk size " + quoted(line_) + ": hex digits must be followed by the line end or \";\"");
  }
  line_.clear();
  chunk_size_ = remaining_ = size;
  state_ = size == 0 ? State::trailer : State::data;
  return true;
}

// trailer-section = *( field-line CRLF ), then the CRLF that ends the body.
bool ChunkedDecoder::end_trailer_line() {
  if (line_.empty()) {
    state_ = State::done;
    return true;
  }
  if (line_.find(':') == std::string::npos || line_.front() == ' ' || line_.front() == '\t') {
    return fail(HttpError::bad_trailer, "invalid trailer line " + quoted(line_) + " after the last chunk");
  }
  trailer_bytes_ += line_.size();
  if (trailer_bytes_ > kMaxTrailerBytes)
    return fail(HttpError::trailer_too_large, "the trailer after the last chunk exceeds 64 KiB");
  line_.clear();
  return true;
}

std::size_t ChunkedDecoder::feed(std::string_view in, std::string& out) {
  std::size_t i = 0;
  while (i < in.size()) {
    switch (state_) {
      case State::done:
      case State::failed: return i;
      case State::data: {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size() - i));
        out.append(in.data() + i, n);
        i += n;
        remaining_ -= n;
        if (remaining_ == 0) state_ = State::data_end;
        break;
      }
      case State::data_end: {
        // Exactly CRLF after chunk-data: anything else means the size did not match the data.
        const char c = in[i++];
        if (c == '\r' && line_.empty()) {
          line_ = "\r";
        } else if (c == '\n' && line_ == "\r") {
          line_.clear();
          state_ = State::size_line;
        } else {
          return fail(HttpError::chunk_size_mismatch,
                      "a chunk of " + std::to_string(chunk_size_) +
                          " bytes is not followed by CRLF: its size does not match its data"),
                 i;
        }
        break;
      }
      case State::size_line:
      case State::trailer: {
        const char c = in[i++];
        if (c == '\n') {
          if (!line_.empty() && line_.back() == '\r') line_.pop_back();
          if (!(state_ == State::size_line ? end_size_line() : end_trailer_line())) return i;
          if (state_ == State::done) return i;
        } else if (line_.size() >= kMaxLineBytes) {
          const bool size_line = state_ == State::size_line;
          return fail(size_line ? HttpError::size_line_too_long : HttpError::trailer_line_too_long,
                      std::string(size_line ? "a chunk-size line" : "a trailer line") + " is longer than 4096 bytes"),
                 i;
        } else {
          line_.push_back(c);
        }
        break;
      }
    }
  }
  return i;
}

}  // namespace ssespec
