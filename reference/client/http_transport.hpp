// The reference client's transport: POCO HTTPClientSession, plain http, redirects followed
// (as fetch does, up to 20), the body handed over as soon as any bytes arrive.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "ssespec/event_source.hpp"

namespace Poco::Net {
class HTTPClientSession;
}

namespace ssespec::client {

struct HttpTransportOptions {
  int connect_timeout_ms = 10000;
  int max_redirects = 20;  // fetch: "If request's redirect count is 20, return a network error"
};

class HttpTransport final : public Transport {
 public:
  explicit HttpTransport(HttpTransportOptions options = {}) : options_(options) {}
  std::unique_ptr<HttpResponse> fetch(const HttpRequest& request, std::string& error) override;
  void abort() override;

 private:
  bool adopt(const std::shared_ptr<Poco::Net::HTTPClientSession>& session);  // false if aborted

  HttpTransportOptions options_;
  std::mutex mutex_;
  std::weak_ptr<Poco::Net::HTTPClientSession> current_;
  bool aborted_ = false;
};

}  // namespace ssespec::client
