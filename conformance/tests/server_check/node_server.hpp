// Starts one of the test SSE servers (Node) on a free port and stops it again.
#pragma once

#include <poll.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <Poco/Pipe.h>
#include <Poco/Process.h>

namespace ssespec::testing {

class NodeServer {
 public:
  // How long a server may take to say it listens: a busy machine starts Node slowly.
  static constexpr std::chrono::seconds kStartBound{20};

  // Runs `node SCRIPT ARGS... 0` and waits for its "listening PORT" line. Throws, naming the
  // script and what it printed, when the line does not come within kStartBound.
  NodeServer(const std::string& script, std::vector<std::string> args) {
    args.insert(args.begin(), script);
    args.push_back("0");
    Poco::Pipe out;
    handle_ = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(SSESPEC_NODE, args, nullptr, &out, nullptr));
    bool ended = false;
    const std::optional<std::string> first = first_line(out, kStartBound, ended);
    if (first && first->rfind("listening ", 0) == 0) port_ = std::atoi(first->c_str() + 10);
    if (port_ <= 0) {
      stop();
      std::string command = "node";
      for (const auto& a : args) command += " " + a;
      const std::string why = first   ? "printed \"" + *first + "\" first"
                              : ended ? "ended its output before a line"
                                      : "printed no line within " + std::to_string(kStartBound.count()) + " s";
      throw std::runtime_error(command + " did not come up (no \"listening PORT\" line): it " + why);
    }
  }
  ~NodeServer() { stop(); }
  NodeServer(const NodeServer&) = delete;
  NodeServer& operator=(const NodeServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path = "/") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

 private:
  // The first line of `out`, or nothing when the output ends (`ended`) or `bound` passes before a newline.
  static std::optional<std::string> first_line(Poco::Pipe& out, std::chrono::seconds bound, bool& ended) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    std::string line;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd ready{out.readHandle(), POLLIN, 0};
      if (::poll(&ready, 1, static_cast<int>(left.count())) <= 0) continue;  // timed out or interrupted: check the deadline
      char c = 0;
      if (out.readBytes(&c, 1) <= 0) {
        ended = true;
        return std::nullopt;
      }
      if (c == '\n') return line;
      line += c;
    }
  }

  void stop() noexcept {
    try {
      if (!handle_) return;
      Poco::Process::kill(*handle_);
      handle_->wait();
      handle_.reset();
    } catch (...) {
    }
  }

  std::unique_ptr<Poco::ProcessHandle> handle_;
  int port_ = 0;
};

}  // namespace ssespec::testing
