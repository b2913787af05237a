#include "server_check/http_response.hpp"

#include <algorithm>
#include <cctype>

#include "ssespec/printable.hpp"

namespace ssespec {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  return std::string(text.substr(first, text.find_last_not_of(" \t") - first + 1));
}

// How much of a head line or field value a message shows (printable() escapes it).
constexpr std::size_t kShownChars = 80;

// token = 1*tchar (RFC 9110 5.6.2)
bool is_token(std::string_view text) {
  static const std::string_view extra = "!#$%&'*+-.^_`|~";
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || extra.find(c) != std::string_view::npos;
  });
}

// Splits a comma-separated list field, trimming each member.
std::vector<std::string> members(const std::string& value) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto comma = value.find(',', start);
    out.push_back(trim(std::string_view(value).substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

}  // namespace

bool ResponseReader::head_failed(HttpError code, std::string message) {
  stage_ = Stage::bad_head;
  error_code_ = code;
  head_error_ = "malformed response head: " + std::move(message);
  return false;
}

void ResponseReader::body_failed(HttpError code, std::string message) {
  stage_ = Stage::bad_body;
  error_code_ = code;
  framing_error_ = std::move(message);
}

void ResponseReader::note(HttpError code, std::string message) {
  error_code_ = code;
  framing_error_ = std::move(message);
}

void ResponseReader::feed(std::string_view bytes, std::string& body) {
  while (!bytes.empty() && (stage_ == Stage::head || stage_ == Stage::body)) {
    if (stage_ == Stage::head) {
      bytes.remove_prefix(feed_head(bytes));
    } else {
      feed_body(bytes, body);
      return;
    }
  }
}

// Takes bytes up to the end of the head (a blank line); returns how many it took.
std::size_t ResponseReader::feed_head(std::string_view bytes) {
  std::size_t taken = 0;
  while (taken < bytes.size()) {
    head_.push_back(bytes[taken++]);
    if (head_.size() > kMaxHeadBytes) {
      head_failed(HttpError::head_too_large, "the head is larger than 64 KiB");
      return taken;
    }
    const bool blank_line = head_.size() >= 2 && head_.back() == '\n' &&
                            (head_[head_.size() - 2] == '\n' ||
                             (head_.size() >= 3 && head_[head_.size() - 2] == '\r' && head_[head_.size() - 3] == '\n'));
    if (!blank_line) continue;
    if (head_.find_first_not_of("\r\n") == std::string::npos) continue;  // only empty lines so far (RFC 9112 2.2)
    if (!parse_head()) return taken;
    head_.clear();
    const int status = static_cast<int>(response_.getStatus());
    if (status >= 100 && status < 200 && status != 101) {
      response_ = Poco::Net::HTTPResponse();  // an interim response: the real head follows
      continue;
    }
    if (choose_framing()) stage_ = framing_kind_ == Framing::none ? Stage::done : Stage::body;
    return taken;
  }
  return taken;
}

bool ResponseReader::parse_head() {
  std::vector<std::string> lines;
  std::size_t start = head_.find_first_not_of("\r\n");  // empty lines before the status line are ignored
  while (start < head_.size()) {
    const auto lf = head_.find('\n', start);
    std::string line = head_.substr(start, lf - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    start = lf + 1;
    if (line.empty()) break;
    if (line.find('\r') != std::string::npos || line.find('\0') != std::string::npos) {
      return head_failed(HttpError::bare_cr_or_nul, "a bare CR or NUL in \"" + printable(line, kShownChars) + "\"");
    }
    lines.push_back(std::move(line));
  }
  // status-line = HTTP-version SP status-code SP [ reason-phrase ]
  const std::string& status_line = lines.front();
  const bool version_ok = status_line.size() >= 12 && status_line.compare(0, 7, "HTTP/1.") == 0 &&
                          (status_line[7] == '0' || status_line[7] == '1') && status_line[8] == ' ';
  if (!version_ok) {
    const std::string version = status_line.substr(0, status_line.find(' '));
    if (version.compare(0, 5, "HTTP/") == 0) {
      return head_failed(HttpError::bad_version,
                         "status line \"" + printable(status_line, kShownChars) + "\": version " +
                             printable(version, kShownChars) +
                             " is not HTTP/1.0 or HTTP/1.1, the only versions an HTTP/1 client reads");
    }
    return head_failed(HttpError::bad_status_line, "status line \"" + printable(status_line, kShownChars) +
                                                       "\" does not start with HTTP/1.x and a status code");
  }
  const std::string code = status_line.substr(9, 3);
  if (!std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      (status_line.size() > 12 && status_line[12] != ' ')) {
    return head_failed(HttpError::bad_status_code, "status line \"" + printable(status_line, kShownChars) +
                                                       "\": the status code must be three digits");
  }
  // POCO's HTTPStatus enum ends at 511, the highest registered code: any other value is not
  // representable, and every client fails the connection on it anyway (not 200).
  const int status = std::stoi(code);
  if (status < 100 || status > 511) {
    return head_failed(HttpError::status_out_of_range, "status line \"" + printable(status_line, kShownChars) +
                                                           "\": status code " + code + " is outside 100-511");
  }
  response_.setVersion(status_line.substr(0, 8));
  response_.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response_.setReason(status_line.size() > 13 ? status_line.substr(13) : "");

  std::string name, value;
  const auto add = [&] {
    if (!name.empty()) response_.add(name, trim(value));
  };
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.front() == ' ' || line.front() == '\t') {
      // obs-fold: "A user agent that receives an obs-fold in a response message ... MUST
      // replace each received obs-fold with one or more SP octets" (RFC 9112 5.2)
      if (name.empty())
        return head_failed(HttpError::leading_whitespace,
                           "the first header line \"" + printable(line, kShownChars) + "\" starts with whitespace");
      value += " " + trim(line);
      continue;
    }
    add();
    const auto colon = line.find(':');
    if (colon == std::string::npos)
      return head_failed(HttpError::missing_colon, "header line \"" + printable(line, kShownChars) + "\" has no colon");
    name = line.substr(0, colon);
    if (!is_token(name)) {
      return head_failed(
          HttpError::bad_field_name,
          "header line \"" + printable(line, kShownChars) + "\": \"" + printable(name, kShownChars) +
              "\" is not a valid field name" +
              (name.find_first_of(" \t") != std::string::npos ? " (no whitespace is allowed before the colon)" : ""));
    }
    value = line.substr(colon + 1);
  }
  add();
  return true;
}

// RFC 9112 6.3, message body length, as a user agent applies it.
bool ResponseReader::choose_framing() {
  const int status = static_cast<int>(response_.getStatus());
  if (status == 204 || status == 304) {
    framing_kind_ = Framing::none;
    framing_ = "none (status " + std::to_string(status) + ")";
    return true;
  }
  std::string transfer, lengths;
  for (const auto& [name, value] : response_) {
    const std::string lowered = lower(name);
    if (lowered == "transfer-encoding") transfer += (transfer.empty() ? "" : ", ") + value;
    if (lowered == "content-length") lengths += (lengths.empty() ? "" : ", ") + value;
  }
  if (!transfer.empty()) {
    const auto codings = members(lower(transfer));
    if (codings.back() != "chunked") {
      framing_kind_ = Framing::until_close;
      framing_ = "until the connection closes";
      body_failed(HttpError::bad_transfer_encoding,
                  "Transfer-Encoding: " + transfer +
                      " does not end in chunked: the body's length cannot be known (RFC 9112 6.3)");
      return false;
    }
    if (codings.size() > 1) {
      body_failed(HttpError::unsupported_transfer_coding,
                  "Transfer-Encoding: " + transfer + ": browsers decode only chunked as a transfer coding");
      return false;
    }
    framing_kind_ = Framing::chunked;
    framing_ = "chunked";
    if (!lengths.empty()) {
      // The body is still read as chunked, as clients do; the verdict names both fields.
      note(HttpError::content_length_with_chunked,
           "Content-Length: " + lengths +
               " together with Transfer-Encoding: chunked: a server MUST NOT send both (RFC 9112 6.2); "
               "clients ignore the Content-Length, and a proxy may not");
    }
  } else if (!lengths.empty()) {
    const auto values = members(lengths);
    for (const auto& v : values) {
      const bool digits = !v.empty() && v.size() <= 18 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits) {
        body_failed(HttpError::bad_content_length,
                    "Content-Length: " + printable(lengths, kShownChars) + ": \"" + printable(v, kShownChars) +
                        "\" is not a valid length (1*DIGIT); clients discard the response (RFC 9112 6.3)");
        return false;
      }
      if (v != values.front() && std::stoull(v) != std::stoull(values.front())) {
        body_failed(HttpError::conflicting_content_lengths,
                    "Content-Length: " + printable(lengths, kShownChars) +
                        ": different lengths; clients discard the response (RFC 9112 6.3)");
        return false;
      }
    }
    framing_kind_ = Framing::length;
    length_ = length_left_ = std::stoull(values.front());
    framing_ = "Content-Length: " + std::to_string(length_);
    if (length_ == 0) {
      framing_kind_ = Framing::none;
      return true;
    }
  } else {
    framing_kind_ = Framing::until_close;
    framing_ = "until the connection closes";
  }
  bool unsupported = false;
  const std::string coding = response_.has("Content-Encoding") ? response_.get("Content-Encoding") : "";
  decoder_ = make_content_decoder(lower(trim(coding)), unsupported);
  if (decoder_) decoded_coding_ = lower(trim(coding));
  if (unsupported) {
    note(HttpError::unsupported_content_coding,
         "Content-Encoding: " + printable(coding, kShownChars) + " is not one browsers decode (gzip, deflate, br)");
  }
  return true;
}

void ResponseReader::feed_body(std::string_view bytes, std::string& body) {
  // Without a Content-Encoding the unframed bytes go straight to `body`: one copy, and no
  // buffer kept per reader (ssespec load holds thousands).
  std::string& unframed = decoder_ ? unframed_ : body;
  if (decoder_) unframed_.clear();
  switch (framing_kind_) {
    case Framing::none: return;
    case Framing::until_close:
      unframed.append(bytes);
      break;
    case Framing::length: {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(length_left_, bytes.size()));
      unframed.append(bytes.substr(0, n));
      length_left_ -= n;
      if (length_left_ == 0) stage_ = Stage::done;
      break;
    }
    case Framing::chunked:
      chunked_.feed(bytes, unframed);
      if (chunked_.failed()) body_failed(chunked_.error_code(), "invalid chunked framing: " + chunked_.error());
      if (chunked_.done()) stage_ = Stage::done;
      break;
  }
  if (decoder_ && !decoder_->feed(unframed_, body, kMaxDecodedPerFeed)) {
    body_failed(decoder_->over_limit() ? HttpError::decoded_too_large : HttpError::bad_content_coding,
                decoder_->error());
  }
}

bool ResponseReader::end_of_input() {
  if (stage_ == Stage::body && framing_kind_ == Framing::until_close) stage_ = Stage::done;
  return stage_ == Stage::done;
}

std::string ResponseReader::cut_position() const {
  if (stage_ == Stage::head) return head_.empty() ? "before a response head" : "inside the response head";
  if (framing_kind_ == Framing::chunked) return chunked_.position();
  if (framing_kind_ == Framing::length) {
    return "after " + std::to_string(length_ - length_left_) + " of the " + std::to_string(length_) + " bytes of Content-Length";
  }
  return "";
}

}  // namespace ssespec
