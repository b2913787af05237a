// One bounded HTTP GET of an event stream over http or https: connect, send, read the response
// head and then the body in pieces (unframed and decoded as a browser does, see
// http_response.hpp) into a StreamInspector, following redirects as fetch does, stopping at an
// overall deadline, a byte cap or a count of events. A server that never answers, never ends,
// floods or breaks HTTP framing gets an end reason, never a hang.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>

#include "server_check/stream_inspector.hpp"

namespace ssespec {

// The target cannot be tested at all (bad URL, unsupported scheme, refused, unknown host).
class CouldNotRun : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The protocol a probe speaks: HTTP/1.1; HTTP/2 over TLS (ALPN h2); HTTP/2 over cleartext TCP
// with prior knowledge (h2c: no browser speaks it).
enum class Protocol { http1_1, h2, h2c };
const char* to_string(Protocol protocol);  // "HTTP/1.1", "HTTP/2", "h2c"

namespace h2 {
struct StreamRecord;  // h2/h2_probe.hpp
}

struct ProbeRequest {
  Poco::URI uri;
  HeaderList headers;            // sent after ssespec's own (Accept), replacing same-named ones
  double timeout_s = 10;         // overall deadline, connect included
  bool read_body = true;         // false: stop after the response head
  std::uint64_t max_events = 0;  // stop after this many events (0: no limit)
  std::uint64_t max_bytes = 4u << 20;
  int max_redirects = 20;        // fetch: "If request's redirect count is 20, return a network error"
  std::string cacert;            // https: trust this CA file instead of the system's
  bool insecure = false;         // https: do not verify the certificate
  bool ask_alpn = false;         // https: first ask (in a separate handshake) whether h2 is offered
  Protocol protocol = Protocol::http1_1;
};

enum class ProbeEnd {
  no_response,    // nothing (or no complete head) before the deadline, or the peer hung up
  head_only,      // read_body was false
  peer_closed,    // the response body ended (EOF, final chunk or Content-Length reached)
  peer_reset,     // the connection broke mid-body
  enough_events,  // max_events arrived
  deadline,       // the deadline passed while the body was still open
  byte_cap,       // max_bytes read
  parser_limit,   // the parser stopped at a line or event limit
  bad_framing,    // the body's framing or encoding is broken (ProbeResult::framing_error)
};
const char* to_string(ProbeEnd end);

struct ProbeResult {
  ProbeEnd end = ProbeEnd::no_response;
  std::string detail;             // the exception text, where one ended the probe
  Poco::Net::HTTPResponse response;
  double response_at = -1;        // seconds after start when the head was complete
  double ended_at = 0;
  std::string framing_error;      // set with a usable head: invalid chunked, Content-Length, encoding
  std::string framing;            // "chunked", "Content-Length: 12", "until the connection closes"
  std::string decoded_coding;     // the Content-Encoding decoded before parsing ("gzip"), or empty
  std::vector<std::string> redirects;  // each URL redirected to, in order
  bool tls = false;
  std::string alpn;               // with ask_alpn: the protocol the server chose from h2, http/1.1 ("" none)
  std::shared_ptr<const h2::StreamRecord> h2;  // over HTTP/2: the stream's fields and ending as received
  bool got_response() const { return response_at >= 0; }
  bool peer_ended() const { return end == ProbeEnd::peer_closed || end == ProbeEnd::peer_reset; }
};

// Parses and validates a target URL (http or https). Throws CouldNotRun.
Poco::URI parse_target(const std::string& url);

// Connects (TCP, then TLS for https) by `deadline`, offering `alpn` (ALPN wire format, e.g.
// "\x02h2") when not empty. Throws CouldNotRun.
Poco::Net::StreamSocket open_connection(const Poco::URI& uri, const ProbeRequest& request,
                                        std::chrono::steady_clock::time_point deadline, std::string_view alpn = {});
// The protocol the server chose by ALPN on a TLS socket ("" none, or not TLS).
std::string negotiated_protocol(const Poco::Net::StreamSocket& socket);
// The TLS version of a TLS socket ("TLSv1.3"; "" if not TLS).
std::string tls_version(const Poco::Net::StreamSocket& socket);

// Runs one probe (over request.protocol). Throws CouldNotRun if no connection could be made (refused, unknown host).
// `stream` may be null when read_body is false.
ProbeResult probe(const ProbeRequest& request, StreamInspector* stream);

// Feeds one decoded piece of a response body to `stream`, parsing at most max_bytes in all.
// Returns why reading stops (byte_cap, or parser_limit once a limit broke), or nothing to read
// on. After a line too long, reading goes on (unparsed, bounded by the deadline) until that
// line's end, so a line that never ends is told from a huge one. Shared by both protocols.
std::optional<ProbeEnd> feed_body(StreamInspector& stream, std::string_view piece, double at, std::uint64_t max_bytes);

// Opens `count` connections, sends each a request, waits `hold_s` and resets them all (RST:
// SO_LINGER 0), as clients that vanish do. Returns how many connected.
int open_and_abandon(const ProbeRequest& request, int count, double hold_s);

}  // namespace ssespec
