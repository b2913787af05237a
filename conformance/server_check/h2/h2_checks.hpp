// `ssespec server` over HTTP/2 (TLS with ALPN h2, or h2c): the server/h2/* checks, declared as
// values like server_checks.hpp's, judging what the h2 probes recorded (h2_probe.hpp). A run
// over HTTP/2 also judges the whole table of server_checks.hpp on the h2 stream, each reported
// as server/h2/<rest of its id>.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "server_check/server_checks.hpp"

namespace ssespec {

// The HTTP/2-only checks, in report order.
const std::vector<ServerCheck>& h2_check_table();

// The checks of a run over `protocol`, in report order: over HTTP/1.1 server_check_table();
// over HTTP/2 that table less the HTTP/1.1-only checks, then h2_check_table().
std::vector<const ServerCheck*> checks_over(Protocol protocol);

// The id a check's result carries over `protocol`: "server/http/status" over HTTP/2 is
// "server/h2/http/status"; ids already under server/h2/ are kept.
std::string reported_id(const std::string& id, Protocol protocol);

// Who a failure over `protocol` leaves without events: "browsers over h2", "HTTP/1.1 clients",
// "h2c clients (no browser speaks h2c)".
std::string clients_of(Protocol protocol);

namespace h2 {
// Connection-specific fields (RFC 9113 8.2.2), in the order of the head; `te` is judged apart.
std::vector<std::string> connection_specific_fields(const Fields& head);
// Names that break RFC 9113 8.2.1 (uppercase, controls, space, DEL and above, a colon not
// leading a pseudo-header field), as printable text; and values that do (NUL, CR, LF, edge
// whitespace).
std::vector<std::string> invalid_field_names(const Fields& head);
std::vector<std::string> invalid_field_values(const Fields& head);
// What is wrong with the pseudo-header fields of a response head (RFC 9113 8.3): "" when
// nothing.
std::string pseudo_header_problem(const Fields& head, const Fields& trailers);
}  // namespace h2

}  // namespace ssespec

namespace ssespec {

// Which protocols `ssespec server` probes: by default HTTP/1.1 for http://, and for https://
// each of h2 and http/1.1 the server accepts by ALPN.
struct ProtocolChoice {
  bool http1_only = false;  // --http1.1
  bool h2_only = false;     // --http2
  bool h2c = false;         // --h2c: an http:// URL, HTTP/2 with prior knowledge only
};

// Runs the checks over each chosen protocol the server accepts, HTTP/1.1 first. When any run
// is not HTTP/1.1 alone, each FAIL and WARN says which clients it concerns ("[breaks browsers
// over h2]"). `notes` gets what was not probed and why. Throws CouldNotRun.
std::vector<CaseResult> run_server_checks_over(const ServerCheckOptions& options, const ProtocolChoice& choice,
                                               const std::function<void(const CaseResult&)>& on_result,
                                               std::vector<std::string>& notes);

}  // namespace ssespec
