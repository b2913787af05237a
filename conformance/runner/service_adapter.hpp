// Service mode: one long-lived test service drives every case's client, speaking LaunchDarkly's
// SSE test-service protocol (github.com/launchdarkly/sse-contract-tests, docs/service_spec.md):
// `GET /` lists capabilities, `POST /` creates a stream and answers with its Location, commands
// are POSTed to that resource, `DELETE` on it closes the stream, and the service POSTs numbered
// callbacks (`<callbackUrl>/1`, `/2`, ...) for what the client observes. EventSource
// observations the protocol lacks come under capabilities of our own (conformance/ADAPTERS.md):
//   ssespec-open             callback {"kind":"open"} on the open event
//   ssespec-ready-state      error callbacks carry "readyState" (0 or 2)
//   ssespec-last-event-id    an event's "id" is MessageEvent.lastEventId ("" when none); LaunchDarkly's
//                            harness reads "id" this way too, so every service is read so
//   ssespec-listen           create body "listen": [types]; only those and message are reported
//   ssespec-close            command {"command":"close"}, answered by callback {"kind":"closed"}
//   ssespec-close-in-handler create body "closeAfter": "message:2" (SSESPEC_CLOSE_AFTER's rule)
// and LaunchDarkly's `restart` command, sent where a case's options.restartAfter says.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "runner/adapter_launcher.hpp"

namespace ssespec {

class ServiceLauncher final : public AdapterLauncher {
 public:
  // Asks the service for its capabilities and starts the callback endpoint; throws
  // std::runtime_error if the service does not answer `GET /` with 200. A create may wait for
  // its answer while another stream of the service is open, and `startup_s` more once none is.
  ServiceLauncher(std::string service_url, double startup_s);
  ~ServiceLauncher() override;

  std::unique_ptr<AdapterSession> start(const ClientCase& c, const std::string& url) override;
  std::string adapt(ClientCase& c) const override;
  std::string declarer() const override { return "the test service does not declare (GET /)"; }
  // Set once the service refuses connections: the run stops (exit 2), naming the running cases.
  std::string gone() const override;

  const std::set<std::string>& service_capabilities() const { return declared_; }
  // The runner's capability names the service has: close, close-in-handler (ours), and
  // LaunchDarkly's headers, last-event-id, post, comments, read-timeout, restart as they are.
  std::set<std::string> runner_capabilities() const;

  struct Impl;

 private:
  std::string service_url_;
  std::set<std::string> declared_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ssespec
