#include "runner/connect_adapter.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "runner/client_fixture.hpp"

namespace ssespec {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;

class Printer {
 public:
  void print(const TraceEntry& entry) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::cout << to_json(entry) << '\n';
    std::cout.flush();
  }

 private:
  std::mutex mutex_;
};

}  // namespace

int run_connect_adapter(ConnectConfig options, Transport& transport) {
  // SSESPEC_LISTEN: a JSON array of event types (from the runner; any string, even with NUL).
  if (const char* listen = std::getenv("SSESPEC_LISTEN")) {
    try {
      const auto types = Poco::JSON::Parser().parse(listen).extract<Poco::JSON::Array::Ptr>();
      for (unsigned i = 0; i < types->size(); ++i) options.listen.push_back(types->getElement<std::string>(i));
    } catch (const Poco::Exception& e) {
      std::cerr << "ssespec connect: SSESPEC_LISTEN is not a JSON array of strings: " << e.message() << "\n";
      return kExitUsage;
    }
  }
  // SSESPEC_CLOSE_AFTER=kind:N: call close() inside the handler of the N-th such observation.
  std::string close_kind;
  long close_count = 0;
  if (const char* after = std::getenv("SSESPEC_CLOSE_AFTER")) {
    const std::string text = after;
    const auto colon = text.find(':');
    if (colon != std::string::npos) {
      close_kind = text.substr(0, colon);
      close_count = std::strtol(text.c_str() + colon + 1, nullptr, 10);
    }
  }
  // The client's configuration for library-feature cases (capabilities headers, last-event-id,
  // post, read-timeout): SSESPEC_HEADERS (a JSON object), SSESPEC_LAST_EVENT_ID, SSESPEC_METHOD,
  // SSESPEC_BODY, SSESPEC_READ_TIMEOUT_MS.
  EventSourceOptions es_options;
  if (const char* headers = std::getenv("SSESPEC_HEADERS")) {
    try {
      const auto object = Poco::JSON::Parser().parse(headers).extract<Poco::JSON::Object::Ptr>();
      for (const auto& [name, value] : *object) es_options.headers.emplace_back(name, value.convert<std::string>());
    } catch (const Poco::Exception& e) {
      std::cerr << "ssespec connect: SSESPEC_HEADERS is not a JSON object of strings: " << e.message() << "\n";
      return kExitUsage;
    }
  }
  if (const char* id = std::getenv("SSESPEC_LAST_EVENT_ID")) es_options.initial_last_event_id = id;
  if (const char* method = std::getenv("SSESPEC_METHOD")) es_options.method = method;
  if (const char* body = std::getenv("SSESPEC_BODY")) es_options.body = body;
  if (const char* ms = std::getenv("SSESPEC_READ_TIMEOUT_MS")) es_options.read_timeout = std::chrono::milliseconds(std::atol(ms));
  std::map<std::string, long> seen;
  Printer printer;
  SteadyTimer timer;
  EventSource* source = nullptr;
  auto observe = [&](const TraceEntry& entry) {
    printer.print(entry);
    if (entry.kind == close_kind && ++seen[entry.kind] == close_count) {
      if (options.honour_close) source->close();
      printer.print({"closed", {}, {}, {}, static_cast<int>(source->ready_state())});
      if (options.after_closed) options.after_closed();
    }
  };
  EventSourceHandlers handlers;
  handlers.on_open = [&] { observe({"open", {}, {}, {}, -1}); };
  handlers.on_error = [&](ReadyState state) { observe({"error", {}, {}, {}, static_cast<int>(state)}); };
  handlers.on_message = [&](const MessageEvent& e) {
    // Listeners: onmessage, onopen and onerror (which also receive stream events so named),
    // plus one per listed type.
    const bool listened = e.type == "message" || e.type == "open" || e.type == "error" ||
                          std::find(options.listen.begin(), options.listen.end(), e.type) != options.listen.end();
    if (listened) observe({"message", e.type, e.data, e.last_event_id, -1});
  };
  handlers.on_comment = [&](const std::string& text) { printer.print({"comment", {}, text, {}, -1}); };
  handlers.on_diagnostic = [](const std::string& text) { std::cerr << "ssespec connect: " << text << "\n"; };
  es_options.reconnection_time = std::chrono::milliseconds(options.reconnection_time_ms);
  EventSource es(options.url, transport, timer, handlers, es_options);
  source = &es;

  std::atomic<bool> closing{false};
  std::mutex done_mutex;
  std::condition_variable done;
  bool close_reported = false;
  // Commands on stdin: "close" calls close(); end of input closes and exits.
  std::thread commands([&] {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line == "close") {
        closing = true;
        if (options.honour_close) es.close();
        printer.print({"closed", {}, {}, {}, static_cast<int>(es.ready_state())});
        if (options.after_closed) options.after_closed();
        std::lock_guard<std::mutex> lock(done_mutex);
        close_reported = true;
        done.notify_all();
      } else if (!line.empty()) {
        std::cerr << "ssespec connect: unknown command: " << line << "\n";
      }
    }
    es.close();
  });
  commands.detach();  // may stay blocked in a read; the process ends below
  es.run();
  if (closing) {  // run() ended because of a "close" command: let its line be printed first
    std::unique_lock<std::mutex> lock(done_mutex);
    done.wait_for(lock, std::chrono::seconds(2), [&] { return close_reported; });
  }
  std::cout.flush();
  std::fflush(stdout);
  std::_Exit(kExitOk);  // without waiting for the stdin thread
}

}  // namespace ssespec
