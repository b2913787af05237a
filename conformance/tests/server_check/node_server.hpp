// Starts one of the test SSE servers (Node) on a free port and stops it again.
#pragma once

#include <string>
#include <vector>

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>

namespace ssespec::testing {

class NodeServer {
 public:
  // Runs `node SCRIPT ARGS... 0` and waits for its "listening PORT" line.
  NodeServer(const std::string& script, std::vector<std::string> args) {
    args.insert(args.begin(), script);
    args.push_back("0");
    Poco::Pipe out;
    handle_ = std::make_unique<Poco::ProcessHandle>(Poco::Process::launch(SSESPEC_NODE, args, nullptr, &out, nullptr));
    Poco::PipeInputStream in(out);
    std::string word;
    in >> word >> port_;
    if (word != "listening" || port_ <= 0) port_ = 0;
  }
  ~NodeServer() {
    try {
      Poco::Process::kill(*handle_);
      handle_->wait();
    } catch (...) {
    }
  }
  NodeServer(const NodeServer&) = delete;
  NodeServer& operator=(const NodeServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path = "/") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

 private:
  std::unique_ptr<Poco::ProcessHandle> handle_;
  int port_ = 0;
};

}  // namespace ssespec::testing
