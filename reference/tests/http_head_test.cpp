// The two head rules the reference transport and the suite's probes share (client/http_head.hpp).
#include "client/http_head.hpp"

#include <gtest/gtest.h>

#include <Poco/Net/HTTPResponse.h>

namespace ssespec {
namespace {

TEST(HttpHeadTest, FieldValuesAreEveryLineOfTheNameInOrder) {
  Poco::Net::HTTPResponse head;
  head.add("Content-Type", "text/plain");
  head.add("X-Other", "x");
  head.add("content-type", "text/event-stream");
  head.add("CONTENT-TYPE", "");
  EXPECT_EQ(field_values(head, "Content-Type"), (std::vector<std::string>{"text/plain", "text/event-stream", ""}));
  EXPECT_EQ(field_values(head, "Location"), std::vector<std::string>{});
}

TEST(HttpHeadTest, RedirectStatusesAreFetchs) {
  // "A redirect status is a status that is 301, 302, 303, 307, or 308."
  for (const int status : {301, 302, 303, 307, 308}) EXPECT_TRUE(is_redirect(status)) << status;
  for (const int status : {200, 204, 300, 304, 305, 306, 309, 399, 401}) EXPECT_FALSE(is_redirect(status)) << status;
}

}  // namespace
}  // namespace ssespec
