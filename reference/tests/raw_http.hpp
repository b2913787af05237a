// Raw HTTP/1.1 over a socket, for tests that check bytes POCO's client would hide: the status
// line's reason phrase, header fields that must be absent.
#pragma once

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <cstdint>
#include <memory>
#include <string>

namespace ssespec {

// A connection to 127.0.0.1:port that has sent `request` (if any); reads time out after 10 s.
inline std::unique_ptr<Poco::Net::StreamSocket> raw_request(std::uint16_t port, const std::string& request) {
  auto socket = std::make_unique<Poco::Net::StreamSocket>(Poco::Net::SocketAddress("127.0.0.1", port));
  socket->setReceiveTimeout(Poco::Timespan(10, 0));
  if (!request.empty()) socket->sendBytes(request.data(), static_cast<int>(request.size()));
  return socket;
}

// Everything until the peer closes (or the receive timeout).
inline std::string read_all(Poco::Net::StreamSocket& socket) {
  std::string received;
  char buffer[4096];
  try {
    for (int n; (n = socket.receiveBytes(buffer, sizeof buffer)) > 0;) received.append(buffer, static_cast<std::size_t>(n));
  } catch (const Poco::TimeoutException&) {
  }
  return received;
}

// The whole answer to `method target` with `body` (the server closes every non-stream answer).
inline std::string raw_exchange(std::uint16_t port, const std::string& method, const std::string& target,
                                const std::string& body = "") {
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (method == "POST") request += "Content-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  request += "\r\n" + body;
  auto socket = raw_request(port, request);
  return read_all(*socket);
}

inline std::string status_line(const std::string& answer) { return answer.substr(0, answer.find("\r\n")); }

// The head of an answer, up to its blank line.
inline std::string head_of(const std::string& answer) { return answer.substr(0, answer.find("\r\n\r\n") + 2); }

}  // namespace ssespec
