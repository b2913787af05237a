#include "client/http_transport.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <istream>

#include "client/chunked_decoder.hpp"
#include "client/http_head.hpp"

namespace ssespec::client {
namespace {

using Poco::Net::HTTPClientSession;

// POCO 1.11's chunked stream reads at most 8 hex digits of a chunk size (a valid 12-digit
// size became an empty chunk) and takes malformed sizes for the end. This session hands out
// the raw body bytes after the head instead, for ChunkedDecoder.
class RawBodySession final : public HTTPClientSession {
 public:
  using HTTPClientSession::HTTPClientSession;
  int read_raw(char* buffer, std::streamsize length) { return read(buffer, length); }
};

class PocoResponse final : public HttpResponse {
 public:
  PocoResponse(std::shared_ptr<RawBodySession> session, Poco::Net::HTTPResponse head, std::istream& body,
               std::string final_url)
      : session_(std::move(session)), head_(std::move(head)), body_(body), final_url_(std::move(final_url)),
        chunked_(head_.getChunkedTransferEncoding()) {
    body_.exceptions(std::ios::badbit);  // let POCO's network exceptions through
  }

  int status() const override { return static_cast<int>(head_.getStatus()); }

  std::vector<std::string> content_type_values() const override { return field_values(head_, "Content-Type"); }

  std::string final_url() const override { return final_url_; }

  Read read(std::string& bytes) override {
    if (chunked_) return read_chunked(bytes);
    try {
      // get() blocks for one byte and fills POCO's buffer with whatever arrived; readsome()
      // takes the rest of that buffer without blocking again.
      const int first = body_.get();
      if (first == std::char_traits<char>::eof()) return Read::end;
      bytes.push_back(static_cast<char>(first));
      char buffer[16384];
      std::streamsize n = 0;
      while ((n = body_.readsome(buffer, sizeof buffer)) > 0) bytes.append(buffer, static_cast<std::size_t>(n));
      return Read::data;
    } catch (const Poco::Exception&) {
      return Read::network_error;
    } catch (const std::exception&) {
      return Read::network_error;
    }
  }

 private:
  // Blocks until some chunk data arrives (or the body ends or breaks).
  Read read_chunked(std::string& bytes) {
    try {
      char buffer[16384];
      for (;;) {
        if (decoder_.done()) return Read::end;
        if (decoder_.failed()) return Read::network_error;  // what browsers do with broken framing
        const int n = session_->read_raw(buffer, sizeof buffer);
        if (n <= 0) return Read::network_error;  // closed before the last chunk
        const std::size_t before = bytes.size();
        decoder_.feed(std::string_view(buffer, static_cast<std::size_t>(n)), bytes);
        if (bytes.size() > before) return Read::data;
      }
    } catch (const Poco::Exception&) {
      return Read::network_error;
    }
  }

  std::shared_ptr<RawBodySession> session_;
  Poco::Net::HTTPResponse head_;
  std::istream& body_;
  std::string final_url_;
  bool chunked_;
  ChunkedDecoder decoder_;
};

}  // namespace

bool HttpTransport::adopt(const std::shared_ptr<HTTPClientSession>& session) {
  std::lock_guard<std::mutex> lock(mutex_);
  current_ = session;
  return !aborted_;
}

void HttpTransport::abort() {
  std::shared_ptr<HTTPClientSession> session;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    aborted_ = true;
    session = current_.lock();
  }
  if (!session) return;
  try {
    session->socket().shutdown();  // wakes a blocked read; the reading thread closes it
  } catch (const Poco::Exception&) {
  }
}

std::unique_ptr<HttpResponse> HttpTransport::fetch(const HttpRequest& request, std::string& error) {
  std::string url = request.url;
  for (int redirects = 0;; ++redirects) {
    try {
      const Poco::URI uri(url);
      if (uri.getScheme() != "http") {
        error = "unsupported URL scheme: " + uri.getScheme();
        return nullptr;
      }
      auto session = std::make_shared<RawBodySession>(uri.getHost(), uri.getPort());
      session->setKeepAlive(false);
      // No receive timeout unless asked: streams may idle for hours.
      const auto read_timeout_us = static_cast<Poco::Timespan::TimeDiff>(request.read_timeout.count()) * 1000;
      session->setTimeout(Poco::Timespan(0, options_.connect_timeout_ms * 1000), Poco::Timespan(10, 0),
                          Poco::Timespan(read_timeout_us));
      if (!adopt(session)) {
        error = "aborted";
        return nullptr;
      }
      Poco::Net::HTTPRequest head(request.method, uri.getPathEtc(), Poco::Net::HTTPMessage::HTTP_1_1);
      for (const auto& [name, value] : request.headers) head.set(name, value);
      if (!request.body.empty()) head.setContentLength(static_cast<std::streamsize>(request.body.size()));
      session->sendRequest(head) << request.body;
      Poco::Net::HTTPResponse response;
      std::istream& body = session->receiveResponse(response);
      const int status = static_cast<int>(response.getStatus());
      if (is_redirect(status) && response.has("Location")) {
        if (redirects >= options_.max_redirects) {
          error = "too many redirects";
          return nullptr;
        }
        Poco::URI next(uri, response.get("Location"));
        url = next.toString();
        continue;
      }
      return std::make_unique<PocoResponse>(session, std::move(response), body, url);
    } catch (const Poco::Exception& e) {
      error = e.displayText();
      return nullptr;
    }
  }
}

}  // namespace ssespec::client
