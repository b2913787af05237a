#include "server/reply.hpp"

#include <Poco/Net/HTTPServerResponse.h>

namespace ssespec::server {

void reply(Poco::Net::HTTPServerResponse& response, Poco::Net::HTTPResponse::HTTPStatus status, const std::string& content_type,
           const std::string& body) {
  response.setStatusAndReason(status);
  // RFC 9110 8.6: "A server MUST NOT send a Content-Length header field in any response with a
  // status code of 1xx (Informational) or 204 (No Content)".
  if (status == Poco::Net::HTTPResponse::HTTP_NO_CONTENT) {
    response.send();
    return;
  }
  response.setContentType(content_type);
  response.setContentLength(static_cast<std::streamsize>(body.size()));
  response.send() << body;
}

}  // namespace ssespec::server
