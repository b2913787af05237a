// The `ssespec server` check table on synthetic observations: each verdict function judged on a
// hand-made response head and a stream fed at chosen times, no sockets; and the schedule's pure
// parts (the run's deadline, the verdicts of checks whose probe was not reached).
#include "server_check/server_checks.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "server_check/h2/h2_checks.hpp"
#include "server_check/server_schedule.hpp"
#include "server_check/stream_checks.hpp"

namespace ssespec {
namespace {

const ServerCheck& check(const std::string& id) {
  for (const ServerCheck& c : server_check_table()) {
    if (id == c.id) return c;
  }
  ADD_FAILURE() << "no check " << id;
  return server_check_table().front();
}

CaseResult judge(const std::string& id, const ServerObservations& o) {
  const ServerCheck& c = check(id);
  return check_result(c.id, c.title, c.spec, c.judge(o));
}

std::string verdict(const std::string& id, const ServerObservations& o) { return to_string(judge(id, o).verdict); }

// A response head that arrived at `at` seconds; the probe then read until 1 s (still open).
ProbeResult head(int status, const HeaderList& headers, double at = 0.01) {
  ProbeResult p;
  p.response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  for (const auto& [name, value] : headers) p.response.add(name, value);
  p.response_at = at;
  p.end = ProbeEnd::deadline;
  p.ended_at = 1.0;
  p.framing = "chunked";
  return p;
}

const HeaderList kGoodHeaders{{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-store"}};

// The body arriving in pieces (seconds after the request, bytes); `closed_at` >= 0: the server
// ended the response then, else the probe stopped at its deadline (1 s).
Observed observed(ProbeResult p, const std::vector<std::pair<double, std::string>>& arrivals, double closed_at = -1) {
  Observed o{std::move(p), StreamInspector()};
  for (const auto& [at, bytes] : arrivals) o.stream.feed(bytes, at);
  if (closed_at >= 0) {
    o.stream.end_of_stream(closed_at);
    o.probe.end = ProbeEnd::peer_closed;
    o.probe.ended_at = closed_at;
  }
  return o;
}

// A run whose main probe got the good head and `arrivals`.
ServerObservations run_with(const std::vector<std::pair<double, std::string>>& arrivals, double closed_at = -1,
                            const HeaderList& headers = kGoodHeaders) {
  ServerObservations o;
  o.options.timeout_s = 1;
  o.main = observed(head(200, headers), arrivals, closed_at);
  return o;
}

const std::vector<std::pair<double, std::string>> kTicks{
    {0.1, "id: 1\ndata: tick 1\n\n"}, {0.3, "id: 2\ndata: tick 2\n\n"}, {0.5, "id: 3\ndata: tick 3\n\n"}};

bool cites(const CaseResult& r, const std::string& words) {
  for (const SpecRef& ref : r.spec) {
    if (ref.quote.find(words) != std::string::npos) return true;
  }
  return false;
}

// ---- The table ---------------------------------------------------------------------------

TEST(ServerCheckTableTest, IdsAreUniqueAndEveryCheckSaysWhatItChecksAndCitesTheSpec) {
  std::set<std::string> ids;
  for (const ServerCheck& c : server_check_table()) {
    EXPECT_TRUE(ids.insert(c.id).second) << c.id << " twice";
    EXPECT_FALSE(std::string(c.title).empty()) << c.id;
    EXPECT_FALSE(c.spec.empty()) << c.id;
    EXPECT_TRUE(c.judge) << c.id;
  }
  EXPECT_EQ(ids.size(), server_check_table().size());
}

TEST(ServerCheckTableTest, StreamChecksAreInTheTableInTheirOrder) {
  std::vector<std::string> in_table;
  for (const ServerCheck& c : server_check_table()) {
    if (std::string(c.id).rfind("stream/", 0) == 0) in_table.push_back(c.id);
  }
  std::vector<std::string> stream;
  for (const StreamCheck& c : stream_check_table()) stream.push_back(c.id);
  EXPECT_EQ(in_table, stream);
}

// A check that runs later than the body's gate is never judged before it.
TEST(ServerCheckTableTest, GatesOnlyGrowDownTheTable) {
  JudgedAfter last = JudgedAfter::request;
  for (const ServerCheck& c : server_check_table()) {
    EXPECT_GE(static_cast<int>(c.judged_after), static_cast<int>(last)) << c.id;
    last = c.judged_after;
  }
}

// Every check id in the table has a row in CHECKS.md, and every row names a check that exists
// (the HTTP/2 table's too; the lint-only stream/limits/line-ends is `ssespec lint`'s).
TEST(ServerCheckTableTest, ChecksMdListsExactlyTheChecks) {
  std::ifstream in(SSESPEC_CHECKS_MD);
  ASSERT_TRUE(in) << SSESPEC_CHECKS_MD;
  std::set<std::string> documented;
  const std::regex row(R"(^\| ((server|stream)/[a-z0-9/-]+) \|)");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, row)) documented.insert(m[1]);
  }
  std::set<std::string> table;
  for (const ServerCheck& c : server_check_table()) table.insert(c.id);
  for (const ServerCheck& c : h2_check_table()) table.insert(c.id);
  table.insert("stream/limits/line-ends");
  for (const std::string& id : table) EXPECT_EQ(documented.count(id), 1u) << id << " is not in CHECKS.md";
  for (const std::string& id : documented)
    EXPECT_EQ(table.count(id), 1u) << "CHECKS.md lists " << id << ", no check has it";
}

// ---- HTTP checks -------------------------------------------------------------------------

TEST(ServerChecksTest, Response) {
  ServerObservations o = run_with({});
  EXPECT_EQ(verdict("server/http/response", o), "pass");
  o.main.probe.response_at = -1;
  const CaseResult r = judge("server/http/response", o);
  EXPECT_EQ(to_string(r.verdict), std::string("fail"));
  EXPECT_NE(r.message.find("no response within --timeout 1 s"), std::string::npos) << r.message;
}

TEST(ServerChecksTest, Transport) {
  ServerObservations o = run_with({});
  EXPECT_EQ(verdict("server/http/transport", o), "info");
  EXPECT_TRUE(cites(judge("server/http/transport", o), "invalid Content-Length"));
  o.main.probe.framing_error = "invalid chunk size \"zz\"";
  EXPECT_EQ(verdict("server/http/transport", o), "fail");
  o.main.probe.framing_error.clear();
  o.main.probe.tls = true;
  o.main.probe.alpn = "http/1.1";
  const CaseResult r = judge("server/http/transport", o);
  EXPECT_EQ(to_string(r.verdict), std::string("warn"));
  EXPECT_TRUE(cites(r, "per-server connection limitation"));
  o.main.probe.alpn = "h2";
  EXPECT_EQ(verdict("server/http/transport", o), "info");
}

TEST(ServerChecksTest, Status) {
  ServerObservations o = run_with({});
  EXPECT_EQ(verdict("server/http/status", o), "pass");
  o.main.probe = head(500, kGoodHeaders);
  const CaseResult r = judge("server/http/status", o);
  EXPECT_EQ(to_string(r.verdict), std::string("fail"));
  EXPECT_TRUE(cites(r, "does not attempt to reconnect"));
  o.main.probe = head(204, {});
  EXPECT_TRUE(cites(judge("server/http/status", o), "204 No Content"));
}

TEST(ServerChecksTest, ContentType) {
  const auto type = [](const HeaderList& headers) {
    return verdict("server/headers/content-type", run_with({}, -1, headers));
  };
  EXPECT_EQ(type({{"Content-Type", "text/event-stream"}}), "pass");
  EXPECT_EQ(type({{"Content-Type", "Text/Event-Stream ; Charset=\"UTF-8\""}}), "pass");
  EXPECT_EQ(type({{"Content-Type", "text/plain"}}), "fail");
  EXPECT_EQ(type({}), "fail");
  EXPECT_EQ(type({{"Content-Type", "text/event-stream; charset=ISO-8859-1"}}), "warn");
  // Fetch's "extract a MIME type": every Content-Type line, the last that parses wins.
  EXPECT_EQ(type({{"Content-Type", "text/plain"}, {"Content-Type", "text/event-stream"}}), "pass");
  EXPECT_EQ(type({{"Content-Type", "text/event-stream"}, {"Content-Type", "text/plain"}}), "fail");
  EXPECT_EQ(type({{"Content-Type", "text/event-stream"}, {"Content-Type", "bogus"}}), "pass");
  const CaseResult warn = judge("server/headers/content-type",
                                run_with({}, -1, {{"Content-Type", "text/event-stream; charset=\"ISO-8859-1\""}}));
  EXPECT_NE(warn.message.find("charset=iso-8859-1 is ignored"), std::string::npos) << warn.message;
  // The headers of a response that is not a 200 are not judged.
  ServerObservations error = run_with({});
  error.main.probe = head(500, {{"Content-Type", "text/plain"}});
  EXPECT_EQ(verdict("server/headers/content-type", error), "skip");
  EXPECT_FALSE(body_is_interpreted(error));
  EXPECT_TRUE(body_is_interpreted(run_with({})));
}

TEST(ServerChecksTest, ContentLength) {
  EXPECT_EQ(verdict("server/headers/content-length", run_with({})), "pass");
  HeaderList fixed = kGoodHeaders;
  fixed.push_back({"Content-Length", "120"});
  EXPECT_EQ(verdict("server/headers/content-length", run_with({}, -1, fixed)), "warn");
  fixed.back().second = "12a";
  EXPECT_EQ(verdict("server/headers/content-length", run_with({}, -1, fixed)), "skip");
}

TEST(ServerChecksTest, CacheControl) {
  EXPECT_EQ(verdict("server/headers/cache-control", run_with({})), "pass");
  EXPECT_EQ(verdict("server/headers/cache-control", run_with({}, -1, {{"Content-Type", "text/event-stream"}})), "warn");
  EXPECT_EQ(verdict("server/headers/cache-control",
                    run_with({}, -1, {{"Content-Type", "text/event-stream"}, {"Cache-Control", "max-age=60"}})),
            "warn");
}

TEST(ServerChecksTest, ContentEncoding) {
  ServerObservations o = run_with(kTicks);
  o.browser_like = observed(head(200, kGoodHeaders), kTicks);
  EXPECT_EQ(verdict("server/headers/content-encoding", o), "pass");
  HeaderList gzip = kGoodHeaders;
  gzip.push_back({"Content-Encoding", "gzip"});
  o.browser_like = observed(head(200, gzip), {});
  const CaseResult r = judge("server/headers/content-encoding", o);
  EXPECT_EQ(to_string(r.verdict), std::string("info"));
  EXPECT_NE(r.message.find("browser"), std::string::npos);
  o.browser_like->probe.response_at = -1;
  EXPECT_EQ(verdict("server/headers/content-encoding", o), "skip");
}

// ---- Stream timing -----------------------------------------------------------------------

TEST(ServerChecksTest, FirstEvent) {
  EXPECT_EQ(verdict("server/stream/first-event", run_with(kTicks)), "pass");
  EXPECT_EQ(verdict("server/stream/first-event", run_with({})), "warn");
  EXPECT_EQ(verdict("server/stream/first-event", run_with({{0.2, ": ping\n"}, {0.6, ": ping\n"}})), "info");
  EXPECT_EQ(verdict("server/stream/first-event", run_with({{0.2, "data: a\n"}}, 0.3)), "warn");
}

TEST(ServerChecksTest, Flushed) {
  EXPECT_EQ(verdict("server/stream/flushed", run_with(kTicks)), "pass");
  // Every event in one write as the response ended, 0.8 s after the request.
  EXPECT_EQ(verdict("server/stream/flushed", run_with({{0.8, "data: a\n\ndata: b\n\ndata: c\n\n"}}, 0.8)), "warn");
  EXPECT_EQ(verdict("server/stream/flushed", run_with({})), "skip");
}

TEST(ServerChecksTest, Buffering) {
  EXPECT_EQ(verdict("server/stream/buffering", run_with(kTicks)), "pass");
  // An event cut apart by a buffer, its end 1.2 s later.
  EXPECT_EQ(verdict("server/stream/buffering", run_with({{0.1, "data: a\n\ndata: b"}, {1.3, "\n\n"}})), "fail");
  // Groups of events 1.1 s apart, each after the first holding two.
  EXPECT_EQ(verdict("server/stream/buffering",
                    run_with({{0.1, "data: a\n\n"}, {1.2, "data: b\n\ndata: c\n\n"}, {2.3, "data: d\n\ndata: e\n\n"}})),
            "warn");
  // Compressed only for a browser's Accept-Encoding, and then nothing arrives.
  ServerObservations o = run_with(kTicks);
  HeaderList gzip = kGoodHeaders;
  gzip.push_back({"Content-Encoding", "gzip"});
  o.browser_like = observed(head(200, gzip), {});
  EXPECT_EQ(verdict("server/stream/buffering", o), "fail");
  EXPECT_EQ(verdict("server/stream/buffering", run_with({})), "skip");
}

TEST(ServerChecksTest, MaxBytes) {
  ServerObservations o = run_with(kTicks);
  EXPECT_EQ(verdict("server/limits/max-bytes", o), "pass");
  o.main.probe.end = ProbeEnd::byte_cap;
  EXPECT_EQ(verdict("server/limits/max-bytes", o), "info");
}

TEST(ServerChecksTest, KeepAlive) {
  ServerObservations o = run_with(kTicks);
  EXPECT_EQ(verdict("server/stream/keep-alive", o), "skip");  // no --idle
  o.options.idle_s = 0.5;
  o.idle = observed(head(200, kGoodHeaders), {{0.2, ": a\n"}, {0.5, ": b\n"}, {0.8, ": c\n"}});
  EXPECT_EQ(verdict("server/stream/keep-alive", o), "pass");
  o.options.idle_s = 0.4;
  o.idle = observed(head(200, kGoodHeaders), {{0.05, ": a\n"}});
  const CaseResult r = judge("server/stream/keep-alive", o);
  EXPECT_EQ(to_string(r.verdict), std::string("warn"));
  EXPECT_NE(r.message.find("silent for 0.95 s"), std::string::npos) << r.message;
}

// ---- Reconnection and robustness ---------------------------------------------------------

TEST(ServerChecksTest, LastEventId) {
  ServerObservations o = run_with({{0.1, "data: no id\n\n"}});
  EXPECT_EQ(verdict("server/reconnect/last-event-id", o), "skip");  // nothing to reconnect with
  o = run_with(kTicks);
  o.reconnect = observed(head(200, kGoodHeaders), {{0.1, "id: 4\ndata: tick 4\n\n"}});
  EXPECT_EQ(verdict("server/reconnect/last-event-id", o), "pass");
  o.reconnect->probe = head(500, {});
  const CaseResult r = judge("server/reconnect/last-event-id", o);
  EXPECT_EQ(to_string(r.verdict), std::string("fail"));
  EXPECT_NE(r.message.find("Last-Event-ID: 3 got 500"), std::string::npos) << r.message;
  o.reconnect->probe = head(204, {});
  EXPECT_EQ(verdict("server/reconnect/last-event-id", o), "warn");
}

TEST(ServerChecksTest, Resume) {
  ServerObservations o = run_with(kTicks);
  EXPECT_EQ(verdict("server/reconnect/resume", o), "skip");  // no reconnected stream
  o.reconnect = observed(head(200, kGoodHeaders), {{0.1, "data: hello\n\n"}, {0.2, "id: 4\ndata: tick 4\n\n"}});
  EXPECT_EQ(verdict("server/reconnect/resume", o), "pass");
  o.reconnect = observed(head(200, kGoodHeaders), {{0.1, "id: 1\ndata: tick 1\n\n"}});
  EXPECT_EQ(verdict("server/reconnect/resume", o), "info");  // a replay, and no --resume claimed
  o.options.resume = true;
  EXPECT_EQ(verdict("server/reconnect/resume", o), "fail");
}

TEST(ServerChecksTest, BogusLastEventId) {
  ServerObservations o = run_with(kTicks);
  o.bogus = head(200, kGoodHeaders);
  EXPECT_EQ(verdict("server/robustness/bogus-last-event-id", o), "pass");
  o.bogus = head(500, {});
  const CaseResult r = judge("server/robustness/bogus-last-event-id", o);
  EXPECT_EQ(to_string(r.verdict), std::string("fail"));
  EXPECT_NE(r.message.find(kBogusLastEventId), std::string::npos);
  o.bogus = head(404, {});
  EXPECT_EQ(verdict("server/robustness/bogus-last-event-id", o), "warn");
  o.bogus->response_at = -1;
  EXPECT_EQ(verdict("server/robustness/bogus-last-event-id", o), "fail");
}

TEST(ServerChecksTest, AbruptClients) {
  ServerObservations o = run_with(kTicks);
  o.abrupt = AbruptObservation{5, 5, true, observed(head(200, kGoodHeaders), {{0.1, "data: a\n\n"}})};
  EXPECT_EQ(verdict("server/robustness/abrupt-clients", o), "pass");
  o.abrupt->connected = 3;
  EXPECT_EQ(verdict("server/robustness/abrupt-clients", o), "warn");
  o.abrupt->connected = 5;
  o.abrupt->fresh = observed(head(200, kGoodHeaders), {});
  EXPECT_EQ(verdict("server/robustness/abrupt-clients", o), "fail");  // 200, but no event
  o.abrupt->fresh.probe = head(503, {});
  EXPECT_EQ(verdict("server/robustness/abrupt-clients", o), "fail");
}

// ---- The schedule's pure parts -----------------------------------------------------------

TEST(ServerScheduleTest, RunDeadlineIsThreeTimeoutsPlusTheIdleWatch) {
  ServerCheckOptions options;
  options.timeout_s = 2;
  EXPECT_DOUBLE_EQ(run_budget_s(options), 6);
  options.idle_s = 4;
  EXPECT_DOUBLE_EQ(run_budget_s(options), 6 + 4 * 1.5 + 0.5);
}

TEST(ServerScheduleTest, ProbeCutByTheDeadlineIsNotJudged) {
  NotReached not_reached(6);
  const CaseResult r = not_reached.result(check("server/robustness/bogus-last-event-id"));
  EXPECT_EQ(to_string(r.verdict), std::string("skip"));
  EXPECT_NE(r.message.find("the run's deadline (6 s"), std::string::npos) << r.message;
  EXPECT_EQ(r.description, check("server/robustness/bogus-last-event-id").title);
}

TEST(ServerScheduleTest, ServerThatStopsAcceptingFailsOnceThenSkipsPointToIt) {
  NotReached not_reached(6);
  not_reached.server_stopped("Connection refused");
  const CaseResult first = not_reached.result(check("server/headers/content-encoding"));
  EXPECT_EQ(to_string(first.verdict), std::string("fail"));
  EXPECT_NE(first.message.find("stopped accepting connections after its first response (Connection refused)"),
            std::string::npos);
  const CaseResult later = not_reached.result(check("server/robustness/abrupt-clients"));
  EXPECT_EQ(to_string(later.verdict), std::string("skip"));
  EXPECT_NE(later.message.find("see server/headers/content-encoding"), std::string::npos) << later.message;
}

}  // namespace
}  // namespace ssespec
