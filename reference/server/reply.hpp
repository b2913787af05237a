// The one way every handler of the reference server (the API, the runner page, /demo) answers a
// request that is not a stream: the status line with the status's own reason phrase, the body
// and its length. Extra headers (CORS, Cache-Control) are set on `response` before calling.
#pragma once

#include <Poco/Net/HTTPResponse.h>

#include <string>

namespace Poco::Net {
class HTTPServerResponse;
}

namespace ssespec::server {

// Sends `body` as `content_type`. POCO's setStatus() alone keeps the reason "OK" (a "404 OK"),
// so the reason is always set with the status. A 204 carries no body and, as RFC 9110 requires,
// neither Content-Type nor Content-Length.
void reply(Poco::Net::HTTPServerResponse& response, Poco::Net::HTTPResponse::HTTPStatus status, const std::string& content_type,
           const std::string& body);

}  // namespace ssespec::server
