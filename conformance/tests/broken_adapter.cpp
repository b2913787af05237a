// Test-only: the reference client with one rule deliberately broken, so the tests can show
// that the scenario suite catches it. Usage: broken_adapter FAULT URL
//   keep-leading-space     the space after "field:" is kept (data " a" instead of "a")
//   no-last-event-id       Last-Event-ID is never sent
//   reconnect-after-error  a non-200 response is treated as a network error: it reconnects
//   dispatch-after-close   close() is reported but the EventSource keeps running
//   panic-after-close      the whole trace is printed, then it panics (as the Go library did:
//                          "send on closed channel") and dies by SIGABRT
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>

#include "client/http_transport.hpp"
#include "runner/connect_adapter.hpp"

namespace {

using namespace ssespec;

class SpaceKeepingResponse final : public HttpResponse {
 public:
  explicit SpaceKeepingResponse(std::unique_ptr<HttpResponse> inner) : inner_(std::move(inner)) {}
  int status() const override { return inner_->status(); }
  std::vector<std::string> content_type_values() const override { return inner_->content_type_values(); }
  std::string final_url() const override { return inner_->final_url(); }
  Read read(std::string& bytes) override {
    std::string raw;
    const Read r = inner_->read(raw);
    for (const char c : raw) {  // ": " becomes ":  ", so the parser's one-space strip leaves one
      bytes.push_back(c);
      if (c == ' ' && after_colon_) bytes.push_back(' ');
      after_colon_ = c == ':';
    }
    return r;
  }

 private:
  std::unique_ptr<HttpResponse> inner_;
  bool after_colon_ = false;
};

class FaultyTransport final : public Transport {
 public:
  explicit FaultyTransport(std::string fault) : fault_(std::move(fault)) {}
  std::unique_ptr<HttpResponse> fetch(const HttpRequest& request, std::string& error) override {
    HttpRequest changed = request;
    if (fault_ == "no-last-event-id") {
      auto& h = changed.headers;
      h.erase(std::remove_if(h.begin(), h.end(), [](const auto& kv) { return kv.first == "Last-Event-ID"; }), h.end());
    }
    auto response = inner_.fetch(changed, error);
    if (response && fault_ == "reconnect-after-error" && response->status() != 200) {
      error = "treated as a network error";
      return nullptr;
    }
    if (response && fault_ == "keep-leading-space") return std::make_unique<SpaceKeepingResponse>(std::move(response));
    return response;
  }
  void abort() override { inner_.abort(); }

 private:
  std::string fault_;
  client::HttpTransport inner_;
};

// Waits until the runner has read every byte printed so far (none left in the stdout pipe), for
// up to 30 s; at once when stdout is not a pipe.
void await_stdout_read() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int unread = 0;
  while (::ioctl(STDOUT_FILENO, FIONREAD, &unread) == 0 && unread > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: broken_adapter FAULT URL\n";
    return 2;
  }
  const std::string fault = argv[1];
  if (fault != "keep-leading-space" && fault != "no-last-event-id" && fault != "reconnect-after-error" &&
      fault != "dispatch-after-close" && fault != "panic-after-close") {
    std::cerr << "broken_adapter: unknown fault " << fault << "\n";
    return 2;
  }
  FaultyTransport transport(fault);
  ConnectConfig config;
  config.url = argv[2];
  config.honour_close = fault != "dispatch-after-close";
  if (fault == "panic-after-close") {
    config.after_closed = [] {
      await_stdout_read();  // the runner has the full trace: the crash comes after it
      std::cerr << "panic: send on closed channel\n" << std::flush;
      std::abort();
    };
  }
  return run_connect_adapter(config, transport);
}
