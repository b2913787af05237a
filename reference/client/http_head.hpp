// Two rules about an HTTP response head that the reference client and the suite's probes share.
#pragma once

#include <Poco/Net/NameValueCollection.h>

#include <string>
#include <vector>

namespace ssespec {

// Fetch's redirect status: 301, 302, 303, 307 or 308 (https://fetch.spec.whatwg.org/#redirect-status).
bool is_redirect(int status);

// The value of every field named `name` (case-insensitively), in the order received; POCO keeps
// same-named fields in order. For fetch's "extract a MIME type" (ssespec/mime.hpp).
std::vector<std::string> field_values(const Poco::Net::NameValueCollection& head, const std::string& name);

}  // namespace ssespec
