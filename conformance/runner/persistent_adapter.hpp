// One adapter process for every case, over stdio (conformance/ADAPTERS.md, "One process for
// many cases"): `{"open":{"case":ID,"url":...}}` and `{"close":ID}` lines on its stdin, the
// per-process protocol's lines with a top-level "case" on its stdout. Cases run concurrently in
// it; a reader thread hands each line to its case.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "runner/adapter_launcher.hpp"

namespace ssespec {

class PersistentLauncher final : public AdapterLauncher {
 public:
  // Starts `command` (with SSESPEC_PERSISTENT=1); throws std::runtime_error if it cannot.
  // `cannot_report`: what the adapter's API cannot report (--cannot-report, unreportable.hpp).
  explicit PersistentLauncher(std::vector<std::string> command, std::set<std::string> cannot_report = {});
  ~PersistentLauncher() override;
  std::unique_ptr<AdapterSession> start(const ClientCase& c, const std::string& url) override;
  std::string adapt(ClientCase& c) const override;
  std::string declarer() const override { return "the adapter does not declare (--capabilities)"; }
  // Why the adapter is gone for good ("" while it runs): the run stops.
  std::string gone() const override;

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
  std::set<std::string> cannot_report_;
};

// The `open` command for a case: only the fields the case uses.
std::string persistent_open_line(const ClientCase& c, const std::string& id, const std::string& url);

}  // namespace ssespec
