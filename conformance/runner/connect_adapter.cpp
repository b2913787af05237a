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
#include "runner/environment.hpp"

namespace ssespec {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;

// How long the end of run() waits for a "close" command's {"closed"} line to be printed.
constexpr std::chrono::seconds kClosedLineBound{30};

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

// One of the runner's variables does not parse: `message` says which and why.
struct BadVariable {
  std::string message;
};

// SSESPEC_CLOSE_AFTER=kind:N: close() inside the handler of the N-th observation of that kind.
struct CloseAfter {
  std::string kind;
  long count = 0;
};

CloseAfter close_after_from(const std::string& text) {
  CloseAfter close_after;
  const auto colon = text.find(':');
  if (colon != std::string::npos) {
    close_after.kind = text.substr(0, colon);
    close_after.count = std::strtol(text.c_str() + colon + 1, nullptr, 10);
  }
  return close_after;
}

// SSESPEC_LISTEN: a JSON array of event types (any string, even with NUL).
std::vector<std::string> listen_types_from(const char* json) {
  try {
    std::vector<std::string> types;
    const auto array = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Array::Ptr>();
    for (unsigned i = 0; i < array->size(); ++i) types.push_back(array->getElement<std::string>(i));
    return types;
  } catch (const Poco::Exception& e) {
    throw BadVariable{std::string(env::kListen) + " is not a JSON array of strings: " + e.message()};
  }
}

// SSESPEC_HEADERS: a JSON object of header names and values.
std::vector<std::pair<std::string, std::string>> headers_from(const char* json) {
  try {
    std::vector<std::pair<std::string, std::string>> headers;
    const auto object = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
    for (const auto& [name, value] : *object) headers.emplace_back(name, value.convert<std::string>());
    return headers;
  } catch (const Poco::Exception& e) {
    throw BadVariable{std::string(env::kHeaders) + " is not a JSON object of strings: " + e.message()};
  }
}

// Everything the runner passes in the environment (runner/environment.hpp): the listened types
// go to `config`, the library-feature settings (capabilities headers, last-event-id, post,
// read-timeout) to `options`. Throws BadVariable.
CloseAfter apply_environment(ConnectConfig& config, EventSourceOptions& options) {
  if (const char* listen = std::getenv(env::kListen)) {
    for (std::string& type : listen_types_from(listen)) config.listen.push_back(std::move(type));
  }
  if (const char* headers = std::getenv(env::kHeaders)) options.headers = headers_from(headers);
  if (const char* id = std::getenv(env::kLastEventId)) options.initial_last_event_id = id;
  if (const char* method = std::getenv(env::kMethod)) options.method = method;
  if (const char* body = std::getenv(env::kBody)) options.body = body;
  if (const char* ms = std::getenv(env::kReadTimeoutMs)) options.read_timeout = std::chrono::milliseconds(std::atol(ms));
  const char* after = std::getenv(env::kCloseAfter);
  return after ? close_after_from(after) : CloseAfter{};
}

// Prints what the EventSource observes as adapter-protocol lines, and calls close() where
// SSESPEC_CLOSE_AFTER or a "close" command says.
class Observer {
 public:
  Observer(const ConnectConfig& config, CloseAfter close_after) : config_(config), close_after_(std::move(close_after)) {}

  void attach(EventSource& source) { source_ = &source; }

  // Listeners: onmessage, onopen and onerror (which also receive stream events so named),
  // plus one per listed type.
  EventSourceHandlers handlers() {
    EventSourceHandlers h;
    h.on_open = [this] { observe({"open", {}, {}, {}, -1}); };
    h.on_error = [this](ReadyState state) { observe({"error", {}, {}, {}, static_cast<int>(state)}); };
    h.on_message = [this](const MessageEvent& e) {
      const auto& listen = config_.listen;
      const bool listened = e.type == "message" || e.type == "open" || e.type == "error" ||
                            std::find(listen.begin(), listen.end(), e.type) != listen.end();
      if (listened) observe({"message", e.type, e.data, e.last_event_id, -1});
    };
    h.on_comment = [this](const std::string& text) { printer_.print({"comment", {}, text, {}, -1}); };
    h.on_diagnostic = [](const std::string& text) { std::cerr << "ssespec connect: " << text << "\n"; };
    return h;
  }

  // close(), then its {"closed"} line (and the broken adapter's after_closed).
  void close_and_report() {
    if (config_.honour_close) source_->close();
    printer_.print({"closed", {}, {}, {}, static_cast<int>(source_->ready_state())});
    if (config_.after_closed) config_.after_closed();
  }

 private:
  void observe(const TraceEntry& entry) {
    printer_.print(entry);
    if (entry.kind == close_after_.kind && ++seen_[entry.kind] == close_after_.count) close_and_report();
  }

  const ConnectConfig& config_;
  const CloseAfter close_after_;
  EventSource* source_ = nullptr;
  Printer printer_;
  std::map<std::string, long> seen_;
};

// Commands on stdin, read on a thread of its own: "close" calls close(); end of input closes.
class CommandReader {
 public:
  void start(EventSource& source, Observer& observer) {
    std::thread([this, &source, &observer] {
      std::string line;
      while (std::getline(std::cin, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line == "close") {
          closing_ = true;
          observer.close_and_report();
          std::lock_guard<std::mutex> lock(mutex_);
          close_reported_ = true;
          done_.notify_all();
        } else if (!line.empty()) {
          std::cerr << "ssespec connect: unknown command: " << line << "\n";
        }
      }
      source.close();
    }).detach();  // may stay blocked in a read; the process ends without it
  }

  // When run() ended because of a "close" command, waits until its line is printed.
  void await_close_reported() {
    if (!closing_) return;
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait_for(lock, kClosedLineBound, [&] { return close_reported_; });
  }

 private:
  std::atomic<bool> closing_{false};
  std::mutex mutex_;
  std::condition_variable done_;
  bool close_reported_ = false;
};

}  // namespace

int run_connect_adapter(ConnectConfig config, Transport& transport) {
  EventSourceOptions options;
  CloseAfter close_after;
  try {
    close_after = apply_environment(config, options);
  } catch (const BadVariable& bad) {
    std::cerr << "ssespec connect: " << bad.message << "\n";
    return kExitUsage;
  }
  options.reconnection_time = std::chrono::milliseconds(config.reconnection_time_ms);
  // These live until the process ends (it never returns from here): the command thread uses them.
  SteadyTimer timer;
  Observer observer(config, close_after);
  EventSource source(config.url, transport, timer, observer.handlers(), options);
  observer.attach(source);
  CommandReader commands;
  commands.start(source, observer);
  source.run();
  commands.await_close_reported();
  std::cout.flush();
  std::fflush(stdout);
  std::_Exit(kExitOk);  // without waiting for the stdin thread
}

}  // namespace ssespec
