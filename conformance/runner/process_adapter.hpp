// The per-case adapter process (conformance/ADAPTERS.md): `CMD ARGS... URL`, JSON lines on
// stdout, "close" on stdin.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runner/adapter_launcher.hpp"

namespace ssespec {

class ProcessLauncher final : public AdapterLauncher {
 public:
  explicit ProcessLauncher(std::vector<std::string> command) : command_(std::move(command)) {}
  std::unique_ptr<AdapterSession> start(const ClientCase& c, const std::string& url) override;
  std::string declarer() const override { return "the adapter does not declare (--capabilities)"; }

 private:
  std::vector<std::string> command_;
};

// How a crash's message quotes the adapter's stderr: its exception line (subprocess.hpp), then its tail.
std::string crash_stderr_clause(const std::string& stderr_text);

}  // namespace ssespec
