// `ssespec server` over real sockets (conformance/tests/server_check/transport_servers.js):
// https with a certificate made at run time, compressed streams, and raw responses whose HTTP
// framing is broken on purpose, each a FAIL that names the fault.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "client/http_transport.hpp"
#include "node_server.hpp"
#include "server_check/server_checks.hpp"

namespace ssespec {
namespace {

const std::string kScript = std::string(SSESPEC_TEST_SERVER_CHECK_DIR) + "/transport_servers.js";

std::map<std::string, CaseResult> check(ServerCheckOptions o) {
  o.timeout_s = 1.5;
  o.events = 2;
  o.clients = 2;
  std::map<std::string, CaseResult> by_id;
  for (auto& r : run_server_checks(o)) by_id[r.id] = r;
  return by_id;
}

std::string failures(const std::map<std::string, CaseResult>& results) {
  std::string text;
  for (const auto& [id, r] : results) {
    if (r.verdict == Verdict::fail || r.verdict == Verdict::warn) text += std::string(to_string(r.verdict)) + " " + id + ": " + r.message + "\n";
  }
  return text;
}

// Two self-signed certificates for 127.0.0.1, made with Debian's openssl for this run.
class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() / ("ssespec-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    for (const char* name : {"good", "other"}) {
      const std::string base = (dir_ / name).string();
      const std::string command = std::string(SSESPEC_OPENSSL) +
                                  " req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2"
                                  " -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
                                  base + "-key.pem -out " + base + ".pem 2>/dev/null";
      ASSERT_EQ(std::system(command.c_str()), 0) << command;
    }
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }
  static std::string file(const std::string& name) { return (dir_ / name).string(); }
  static std::string https_url(const testing::NodeServer& server) { return "https://127.0.0.1:" + std::to_string(server.port()) + "/events"; }
  static std::filesystem::path dir_;
};
std::filesystem::path TlsTest::dir_;

TEST_F(TlsTest, TrustedByCacertAndHttp2OfferedIsAnInfo) {
  testing::NodeServer server(kScript, {"tls-h2", file("good.pem"), file("good-key.pem")});
  ASSERT_GT(server.port(), 0);
  ServerCheckOptions o;
  o.url = https_url(server);
  o.cacert = file("good.pem");
  const auto results = check(o);
  EXPECT_EQ(failures(results), "");
  EXPECT_EQ(results.at("server/http/transport").verdict, Verdict::info);
  EXPECT_NE(results.at("server/http/transport").message.find("ALPN h2"), std::string::npos);
  EXPECT_GE(results.count("server/reconnect/resume"), 1u);
}

TEST_F(TlsTest, OnlyHttp1OverTlsIsAWarn) {
  testing::NodeServer server(kScript, {"tls-http1", file("good.pem"), file("good-key.pem")});
  ASSERT_GT(server.port(), 0);
  ServerCheckOptions o;
  o.url = https_url(server);
  o.cacert = file("good.pem");
  const auto results = check(o);
  EXPECT_EQ(results.at("server/http/transport").verdict, Verdict::warn);
  EXPECT_NE(results.at("server/http/transport").message.find("only HTTP/1.1"), std::string::npos);
  EXPECT_EQ(results.at("server/stream/first-event").verdict, Verdict::pass);
}

TEST_F(TlsTest, UntrustedCertificateCannotRunUnlessInsecure) {
  testing::NodeServer server(kScript, {"tls-http1", file("good.pem"), file("good-key.pem")});
  ASSERT_GT(server.port(), 0);
  ServerCheckOptions o;
  o.url = https_url(server);
  for (const std::string& cacert : {file("other.pem"), std::string()}) {  // another CA; the system's
    o.cacert = cacert;
    try {
      check(o);
      ADD_FAILURE() << "an untrusted certificate was accepted with --cacert '" << cacert << "'";
    } catch (const CouldNotRun& e) {
      EXPECT_NE(std::string(e.what()).find("certificate verify failed"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("--cacert"), std::string::npos) << e.what();
    }
  }
  o.cacert.clear();
  o.insecure = true;
  EXPECT_EQ(check(o).at("server/stream/first-event").verdict, Verdict::pass);
}

TEST(TransportTest, PlainHttpStillWorks) {
  testing::NodeServer server(kScript, {"plain"});
  ASSERT_GT(server.port(), 0);
  ServerCheckOptions o;
  o.url = server.url("/events");
  const auto results = check(o);
  EXPECT_EQ(failures(results), "");
  EXPECT_EQ(results.at("server/http/transport").verdict, Verdict::info);
}

TEST(TransportTest, FlushedCompressedStreamsAreDecodedAndPass) {
  for (const char* coding : {"gzip", "deflate", "br"}) {
    testing::NodeServer server(kScript, {std::string("compressed-") + coding});
    ASSERT_GT(server.port(), 0);
    ServerCheckOptions o;
    o.url = server.url("/events");
    o.headers = {{"Accept-Encoding", "gzip, deflate, br"}};
    const auto results = check(o);
    for (const auto& [id, r] : results) EXPECT_NE(r.verdict, Verdict::fail) << coding << ": " << id << ": " << r.message;
    EXPECT_EQ(results.at("server/http/transport").message, std::string("body chunked, Content-Encoding: ") + coding + " decoded");
    EXPECT_EQ(results.at("stream/encoding/utf-8").verdict, Verdict::pass) << coding;
    EXPECT_EQ(results.at("server/stream/first-event").verdict, Verdict::pass) << coding;
  }
}

// One probe of a raw-socket server: what the main probe of `ssespec server` sees.
ProbeResult probe_scenario(const std::string& scenario, StreamInspector& stream) {
  testing::NodeServer server(kScript, {scenario});
  EXPECT_GT(server.port(), 0);
  ProbeRequest request;
  request.uri = parse_target(server.url("/a"));
  request.timeout_s = 1.5;
  request.max_events = 10;
  return probe(request, &stream);
}

TEST(TransportTest, EachFramingErrorIsNamed) {
  const std::pair<const char*, const char*> cases[] = {
      {"chunk-zz", "invalid chunk size \"zz\""},
      {"chunk-24-hex", "chunk size \"FFFFFFFFFFFFFFFFFFFFFFFF\" is too large"},
      {"chunk-negative", "invalid chunk size \"-5\""},
      {"chunk-size-mismatch", "a chunk of 5 bytes is not followed by CRLF"},
      {"content-length-negative", "Content-Length: -1: \"-1\" is not a valid length"},
      {"content-length-abc", "Content-Length: abc: \"abc\" is not a valid length"},
      {"length-and-chunked", "Content-Length: 100 together with Transfer-Encoding: chunked"},
  };
  for (const auto& [scenario, message] : cases) {
    StreamInspector stream;
    const ProbeResult p = probe_scenario(scenario, stream);
    EXPECT_TRUE(p.got_response()) << scenario;
    EXPECT_NE(p.framing_error.find(message), std::string::npos) << scenario << ": " << p.framing_error;
    EXPECT_NE(p.end, ProbeEnd::peer_closed) << scenario << ": not \"the server ended the response\"";
  }
}

TEST(TransportTest, FramingErrorIsAFailOfTheRun) {
  testing::NodeServer server(kScript, {"chunk-zz"});
  ASSERT_GT(server.port(), 0);
  ServerCheckOptions o;
  o.url = server.url("/events");
  const auto results = check(o);
  EXPECT_EQ(results.at("server/http/transport").verdict, Verdict::fail);
  EXPECT_NE(results.at("server/http/transport").message.find("invalid chunked framing"), std::string::npos);
}

TEST(TransportTest, BadStatusLineAndRedirectLoopAreNamed) {
  for (const auto& [scenario, message] : {std::pair{"http-9.9", "version HTTP/9.9 is not HTTP/1.0 or HTTP/1.1"},
                                          std::pair{"redirect-loop", "redirect loop: "}}) {
    StreamInspector stream;
    const ProbeResult p = probe_scenario(scenario, stream);
    EXPECT_FALSE(p.got_response()) << scenario;
    EXPECT_NE(p.detail.find(message), std::string::npos) << scenario << ": " << p.detail;
  }
}

TEST(TransportTest, WideChunkSizesAndLargeChunksAreRead) {
  StreamInspector stream;
  ProbeRequest request;
  testing::NodeServer server(kScript, {"chunk-12-hex"});
  ASSERT_GT(server.port(), 0);
  request.uri = parse_target(server.url("/a"));
  request.timeout_s = 1.5;
  request.max_events = 2051;
  const ProbeResult p = probe(request, &stream);
  EXPECT_EQ(p.framing_error, "");
  EXPECT_EQ(stream.events(), 2051u);  // 2 + 2,048 in one 2 MiB chunk + 1
  EXPECT_EQ(stream.last_event_id(), "4");
}

TEST(TransportTest, FinishedChunkedResponseEndsCleanly) {
  StreamInspector stream;
  const ProbeResult p = probe_scenario("chunk-finished", stream);
  EXPECT_EQ(p.end, ProbeEnd::peer_closed);
  EXPECT_EQ(p.framing_error, "");
  EXPECT_EQ(stream.events(), 1u);
}

// The reference client's transport (`ssespec connect`) reads chunked framing the same way.
std::string read_with_reference_client(const std::string& url, HttpResponse::Read& last) {
  client::HttpTransport transport;
  std::string error;
  auto response = transport.fetch(HttpRequest{url, {}, "GET", {}, {}}, error);
  EXPECT_NE(response, nullptr) << error;
  std::string body;
  if (!response) return body;
  const std::string last_event = "data: four\n\n";  // chunk-12-hex keeps the stream open after it
  while ((last = response->read(body)) == HttpResponse::Read::data &&
         body.compare(body.size() - std::min(body.size(), last_event.size()), std::string::npos, last_event) != 0) {
  }
  return body;
}

TEST(ReferenceClientTransportTest, WideChunkSizesAreReadAndBrokenFramingIsANetworkError) {
  testing::NodeServer wide(kScript, {"chunk-12-hex"});
  HttpResponse::Read last = HttpResponse::Read::end;
  const std::string body = read_with_reference_client(wide.url("/a"), last);
  EXPECT_EQ(body.substr(0, 34), "id: 1\ndata: one\n\nid: 2\ndata: two\n\n");
  EXPECT_EQ(body.size(), 34 + (2u << 20) + 18);  // the events of chunk-12-hex, whole

  testing::NodeServer broken(kScript, {"chunk-zz"});
  EXPECT_EQ(read_with_reference_client(broken.url("/a"), last), "id: 1\ndata: one\n\n");
  EXPECT_EQ(last, HttpResponse::Read::network_error);

  testing::NodeServer finished(kScript, {"chunk-finished"});
  EXPECT_EQ(read_with_reference_client(finished.url("/a"), last), "id: 1\ndata: one\n\n");
  EXPECT_EQ(last, HttpResponse::Read::end);
}

}  // namespace
}  // namespace ssespec
