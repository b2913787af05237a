// The one script loader (server/script.hpp): the defaults every fixture and every POSTed script
// rely on, both header forms, bytes values, the delay bound, and errors that name the field.
#include "server/script.hpp"

#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>

#include <string>

#include "json/json_error.hpp"
#include "json/json_node.hpp"

namespace ssespec::server {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The only connection of {"connections": [response]}.
ScriptedResponse one(const std::string& response) {
  const Script script = script_from_json(R"({"connections": [)" + response + "]}");
  EXPECT_EQ(script.connections.size(), 1u);
  return script.connections.at(0);
}

// What script_from_json says about `text` ("" if it loads).
std::string error_of(const std::string& text) {
  try {
    script_from_json(text);
  } catch (const FixtureError& e) {
    return e.what();
  }
  return "";
}

std::string response_error(const std::string& response) { return error_of(R"({"connections": [)" + response + "]}"); }

TEST(ScriptLoaderTest, AnEmptyResponseIs200EventStreamThenClose) {
  const ScriptedResponse r = one("{}");
  EXPECT_TRUE(r.send_head);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.reason, "");
  EXPECT_EQ(r.headers, (Headers{{"Content-Type", "text/event-stream"}}));
  EXPECT_TRUE(r.steps.empty());
  EXPECT_EQ(r.end, End::close);
  EXPECT_EQ(head_bytes(r), "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n");
}

TEST(ScriptLoaderTest, AMissingStatusIs200NotRawBytes) {
  // Only "raw" drops the head: a script without "status" still answers with a status line.
  EXPECT_TRUE(one(R"({"chunks": ["data: a\n\n"]})").send_head);
  const ScriptedResponse raw = one(R"({"raw": true, "chunks": ["HTTP/1.1 204 No Content\r\n\r\n"], "end": "reset"})");
  EXPECT_FALSE(raw.send_head);
  EXPECT_EQ(raw.steps.at(0).bytes, "HTTP/1.1 204 No Content\r\n\r\n");
  EXPECT_EQ(raw.end, End::reset);
}

TEST(ScriptLoaderTest, StatusReasonAndEndAreTakenAsGiven) {
  const ScriptedResponse r = one(R"({"status": 599, "reason": "Odd", "headers": [], "end": "hang"})");
  EXPECT_EQ(r.status, 599);
  EXPECT_EQ(r.end, End::hang);
  EXPECT_EQ(head_bytes(r), "HTTP/1.1 599 Odd\r\nConnection: close\r\n\r\n");
}

TEST(ScriptLoaderTest, ArrayHeadersKeepOrderAndDuplicates) {
  const ScriptedResponse r = one(R"({"headers": [["X-B", "1"], ["Content-Type", "text/plain"], ["X-B", "2"]]})");
  EXPECT_EQ(r.headers, (Headers{{"X-B", "1"}, {"Content-Type", "text/plain"}, {"X-B", "2"}}));
}

TEST(ScriptLoaderTest, ObjectHeadersComeInNameOrder) {
  const ScriptedResponse r = one(R"({"headers": {"X-B": "2", "Content-Type": "text/plain", "A": "1"}})");
  EXPECT_EQ(r.headers, (Headers{{"A", "1"}, {"Content-Type", "text/plain"}, {"X-B", "2"}}));
}

TEST(ScriptLoaderTest, EmptyHeadersSendNone) {
  EXPECT_TRUE(one(R"({"headers": {}})").headers.empty());
  EXPECT_TRUE(one(R"({"headers": []})").headers.empty());
}

TEST(ScriptLoaderTest, AScriptedConnectionHeaderReplacesConnectionClose) {
  EXPECT_EQ(head_bytes(one(R"({"status": 204, "headers": [["connection", "keep-alive"]]})")),
            "HTTP/1.1 204 No Content\r\nconnection: keep-alive\r\n\r\n");
}

TEST(ScriptLoaderTest, ChunksAreBytesValuesAndPauses) {
  const ScriptedResponse r = one(R"({"chunks": ["data: \u00e9\n", {"hex": "ef bb BF"}, {"base64": "YWI="},
      {"repeat": "xy", "times": 3}, ["a", {"hex": "00"}, "b"], {"delayMs": 0}, {"delayMs": 2000}]})");
  ASSERT_EQ(r.steps.size(), 7u);
  EXPECT_EQ(r.steps[0].bytes, "data: \xc3\xa9\n");
  EXPECT_EQ(r.steps[1].bytes, "\xef\xbb\xbf");
  EXPECT_EQ(r.steps[2].bytes, "ab");
  EXPECT_EQ(r.steps[3].bytes, "xyxyxy");
  EXPECT_EQ(r.steps[4].bytes, std::string("a\0b", 3));  // an array is one chunk, its pieces joined
  EXPECT_EQ(r.steps[5].delay_ms, 0);
  EXPECT_EQ(r.steps[5].bytes, "");
  EXPECT_EQ(r.steps[6].delay_ms, 2000);
}

TEST(ScriptLoaderTest, DelaysAreBoundedToTwoSeconds) {
  EXPECT_EQ(response_error(R"({"chunks": [{"delayMs": 2001}]})"),
            "script: connections[0].chunks[0].delayMs: expected 0..2000 (keep the suite fast)");
  EXPECT_EQ(response_error(R"({"chunks": ["a", {"delayMs": -1}]})"),
            "script: connections[0].chunks[1].delayMs: expected 0..2000 (keep the suite fast)");
  EXPECT_EQ(response_error(R"({"chunks": [{"delayMs": 20, "hex": "00"}]})"), "script: connections[0].chunks[0].hex: unknown field");
}

TEST(ScriptLoaderTest, ErrorsNameTheField) {
  EXPECT_EQ(response_error(R"({"status": 99})"), "script: connections[0].status: expected 100..999");
  EXPECT_EQ(response_error(R"({"status": "200"})"), "script: connections[0].status: expected an integer");
  EXPECT_EQ(response_error(R"({"stauts": 200})"), "script: connections[0].stauts: unknown field");
  EXPECT_EQ(response_error(R"({"end": "fin"})"), "script: connections[0].end: expected close, reset or hang");
  EXPECT_EQ(response_error(R"({"raw": 1})"), "script: connections[0].raw: expected true or false");
  EXPECT_EQ(response_error(R"({"headers": [["A", "1", "2"]]})"), "script: connections[0].headers[0]: expected [name, value]");
  EXPECT_EQ(response_error(R"({"headers": ["A: 1"]})"), "script: connections[0].headers[0]: expected [name, value]");
  EXPECT_EQ(response_error(R"({"headers": {"A": 1}})"), "script: connections[0].headers.A: expected a string");
  EXPECT_EQ(response_error(R"({"headers": "A: 1"})"),
            "script: connections[0].headers: expected an array of [name, value] or an object");
  EXPECT_EQ(response_error(R"({"chunks": [{"hex": "e2 8"}]})"), "script: connections[0].chunks[0].hex: odd number of hex digits");
  EXPECT_EQ(response_error(R"({"chunks": [{"hex": "zz"}]})"), "script: connections[0].chunks[0].hex: not a hex digit: 'z'");
  EXPECT_EQ(response_error(R"({"chunks": [{"repeat": "a", "times": -1}]})"),
            "script: connections[0].chunks[0].times: must be between 0 and 67108864 bytes in all");
  EXPECT_EQ(response_error(R"({"chunks": [7]})"),
            "script: connections[0].chunks[0]: expected a string, an array, or an object with hex, base64 or repeat");
}

TEST(ScriptLoaderTest, TopLevelErrorsNameTheScript) {
  EXPECT_EQ(error_of(R"({"connections": [{}]})"), "");
  EXPECT_EQ(error_of("{}"), "script: connections: missing");
  EXPECT_EQ(error_of(R"({"connections": {}})"), "script: connections: expected an array");
  EXPECT_EQ(error_of(R"({"connections": [], "extra": 1})"), "script: extra: unknown field");
  EXPECT_EQ(error_of("[]"), "script: (top level): expected an object");
  EXPECT_EQ(error_of("{").rfind("script: not valid JSON: ", 0), 0u);
}

TEST(ScriptLoaderTest, AFixtureResponseErrorNamesTheFileAndItsPath) {
  const JsonNode node(Poco::JSON::Parser().parse(R"({"status": 1000})"), "fixtures/client/status.json",
                      "cases[2].connections[0].response");
  try {
    response_from_json(node);
    FAIL() << "status 1000 was accepted";
  } catch (const FixtureError& e) {
    EXPECT_STREQ(e.what(), "fixtures/client/status.json: cases[2].connections[0].response.status: expected 100..999");
  }
}

TEST(ScriptLoaderTest, ChunkedFramingWrapsEachChunkAndEndsWithTheLastChunk) {
  const ScriptedResponse r = one(R"({"framing": "chunked", "chunks": ["data: a\r", {"delayMs": 5}, "\ndata: b\n\n"]})");
  EXPECT_EQ(r.headers, (Headers{{"Content-Type", "text/event-stream"}, {"Transfer-Encoding", "chunked"}}));
  ASSERT_EQ(r.steps.size(), 4u);
  EXPECT_EQ(r.steps[0].bytes, "8\r\ndata: a\r\r\n");
  EXPECT_EQ(r.steps[1].delay_ms, 5);
  EXPECT_EQ(r.steps[2].bytes, "a\r\n\ndata: b\n\n\r\n");
  EXPECT_EQ(r.steps[3].bytes, "0\r\n\r\n");
}

TEST(ScriptLoaderTest, ChunkedFramingThatHangsNeverEndsTheBody) {
  const ScriptedResponse r = one(R"({"framing": "chunked", "chunks": ["data: a\n\n"], "end": "hang"})");
  ASSERT_EQ(r.steps.size(), 1u);
  EXPECT_EQ(r.steps[0].bytes, "9\r\ndata: a\n\n\r\n");
}

TEST(ScriptLoaderTest, FramingIsCloseOrChunkedAndNotRaw) {
  EXPECT_EQ(one(R"({"framing": "close", "chunks": ["x"]})").steps.at(0).bytes, "x");
  EXPECT_NE(response_error(R"({"framing": "gzip"})").find("framing: expected close or chunked"), std::string::npos);
  EXPECT_NE(response_error(R"({"raw": true, "framing": "chunked"})").find("framing"), std::string::npos);
}

TEST(ScriptLoaderTest, HeadBytesFillsPlaceholdersInHeaderValues) {
  const ScriptedResponse r = one(R"({"status": 302, "headers": {"Location": "{origin}{session}/moved"}})");
  EXPECT_EQ(head_bytes(r, {{kOriginPlaceholder, "http://127.0.0.1:9"}, {kSessionPlaceholder, "/s/k"}}),
            "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/s/k/moved\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(head_bytes(r), "HTTP/1.1 302 Found\r\nLocation: {origin}{session}/moved\r\nConnection: close\r\n\r\n");
}

}  // namespace
}  // namespace ssespec::server
