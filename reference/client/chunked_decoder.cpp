#include "client/chunked_decoder.hpp"

#include <algorithm>

namespace ssespec {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The line as a message may quote it: printable ASCII kept, the rest escaped, shortened.
std::string quoted(std::string_view line) {
  std::string out = "\"";
  for (std::size_t i = 0; i < line.size() && i < 40; ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      static const char digits[] = "0123456789ABCDEF";
      out += "\\x";
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 15]);
    }
  }
  return out + (line.size() > 40 ? "...\"" : "\"");
}

}  // namespace

bool ChunkedDecoder::fail(std::string message) {
  state_ = State::failed;
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
    if (significant > 15) return fail("chunk size " + quoted(line_) + " is too large (over 15 hex digits)");
    size = size * 16 + static_cast<std::uint64_t>(hex_value(line_[i]));
  }
  if (i == 0) return fail("invalid chunk size " + quoted(line_) + ": a chunk-size line must start with hex digits");
  // chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
  std::size_t rest = i;
  while (rest < line_.size() && (line_[rest] == ' ' || line_[rest] == '\t')) ++rest;
  if (rest < line_.size() && line_[rest] != ';') {
    return fail("invalid chunk size " + quoted(line_) + ": hex digits must be followed by the line end or \";\"");
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
    return fail("invalid trailer line " + quoted(line_) + " after the last chunk");
  }
  trailer_bytes_ += line_.size();
  if (trailer_bytes_ > kMaxTrailerBytes) return fail("the trailer after the last chunk exceeds 64 KiB");
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
          return fail("a chunk of " + std::to_string(chunk_size_) +
                      " bytes is not followed by CRLF: its size does not match its data"), i;
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
          return fail(std::string(state_ == State::size_line ? "a chunk-size line" : "a trailer line") +
                      " is longer than 4096 bytes"), i;
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
