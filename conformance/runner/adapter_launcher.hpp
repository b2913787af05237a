// Starts the client under test on one case: a process per case, or a stream of a test service.
#pragma once

#include <memory>
#include <string>

#include "runner/adapter_session.hpp"

namespace ssespec {

class AdapterLauncher {
 public:
  virtual ~AdapterLauncher() = default;
  // Starts the client on `url` with the case's listeners and close action; throws
  // std::runtime_error if it cannot.
  virtual std::unique_ptr<AdapterSession> start(const ClientCase& c, const std::string& url) = 0;
  // Fits the case to what this kind of client can observe (e.g. a service that reports no
  // `open`); returns why the case cannot run at all, or "".
  virtual std::string adapt(ClientCase& c) const {
    (void)c;
    return {};
  }
  // For skip messages: "... which <declarer>".
  virtual std::string declarer() const = 0;
  // Why the client is gone for good ("" while it can run cases): the run stops (exit 2) rather
  // than fail every case left.
  virtual std::string gone() const { return {}; }
};

}  // namespace ssespec
