// The per-case adapter process (conformance/ADAPTERS.md): `CMD ARGS... URL`, JSON lines on
// stdout, "close" on stdin.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "runner/adapter_launcher.hpp"

namespace ssespec {

// AdapterLauncher::adapt for an adapter that declared `cannot_report` (per process or persistent).
std::string adapt_to_declared(ClientCase& c, const std::set<std::string>& cannot_report);

class ProcessLauncher final : public AdapterLauncher {
 public:
  // `cannot_report`: what the adapter's API cannot report (--cannot-report, unreportable.hpp).
  explicit ProcessLauncher(std::vector<std::string> command, std::set<std::string> cannot_report = {})
      : command_(std::move(command)), cannot_report_(std::move(cannot_report)) {}
  std::unique_ptr<AdapterSession> start(const ClientCase& c, const std::string& url) override;
  std::string adapt(ClientCase& c) const override { return adapt_to_declared(c, cannot_report_); }
  std::string declarer() const override { return "the adapter does not declare (--capabilities)"; }

 private:
  std::vector<std::string> command_;
  std::set<std::string> cannot_report_;
};

// How a crash's message quotes the adapter's stderr: its exception line (subprocess.hpp), then its tail.
std::string crash_stderr_clause(const std::string& stderr_text);

}  // namespace ssespec
