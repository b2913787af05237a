#include "client/http_head.hpp"

#include <Poco/String.h>

namespace ssespec {

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::vector<std::string> field_values(const Poco::Net::NameValueCollection& head, const std::string& name) {
  std::vector<std::string> values;
  for (const auto& [field, value] : head) {
    if (Poco::icompare(field, name) == 0) values.push_back(value);
  }
  return values;
}

}  // namespace ssespec
