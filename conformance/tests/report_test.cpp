// The report writers: JSON round trip, JUnit escaping, the HTML matrix's columns.
#include <gtest/gtest.h>

#include "report/payload.hpp"
#include "report/result.hpp"
#include "report/seconds_text.hpp"
#include "report/writers.hpp"

namespace ssespec {
namespace {

TEST(SecondsTextTest, OneFormatForEveryMessage) {
  EXPECT_EQ(seconds_text(5), "5 s");
  EXPECT_EQ(seconds_text(0.25), "0.25 s");
  EXPECT_EQ(seconds_text(1.23456), "1.235 s");
  EXPECT_EQ(seconds_text(0.0004), "0 s");
  EXPECT_EQ(seconds_text(12.345), "12.3 s");
  EXPECT_EQ(seconds_text(120), "120 s");
}

RunResult sample_run(const std::string& implementation, Verdict second) {
  RunResult run;
  run.kind = "client";
  run.implementation = implementation;
  run.version = "1.2";
  run.target = "adapter";
  run.started_at = "2026-11-25T07:00:00Z";
  run.duration_ms = 12.5;
  CaseResult a;
  a.id = "client/open/first";
  a.group = "client/open";
  a.description = "opens";
  a.verdict = Verdict::pass;
  a.spec.push_back({"https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model", "announce"});
  CaseResult b = a;
  b.id = "client/open/second";
  b.verdict = second;
  b.message = "saw <nothing> & more";
  b.expected = std::string("data \0 nul", 10);
  b.observed = "{}";
  run.cases = {a, b};
  return run;
}

TEST(ReportTest, JsonRoundTripKeepsEveryField) {
  const RunResult run = sample_run("impl", Verdict::fail);
  const RunResult back = run_from_json(to_json(run), "mem.json");
  EXPECT_EQ(back.implementation, "impl");
  EXPECT_EQ(back.version, "1.2");
  ASSERT_EQ(back.cases.size(), 2u);
  EXPECT_EQ(back.cases[1].verdict, Verdict::fail);
  EXPECT_EQ(back.cases[1].expected, run.cases[1].expected);
  EXPECT_EQ(back.cases[1].message, run.cases[1].message);
  EXPECT_EQ(back.cases[0].spec.at(0).quote, "announce");
}

TEST(ReportTest, MalformedJsonNamesTheFileAndField) {
  EXPECT_THROW(run_from_json("{", "x.json"), FixtureError);
  try {
    run_from_json(R"({"format": "ssespec-results/1", "kind": "client", "implementation": "i",
                      "cases": [{"id": "a", "group": "g", "verdict": "maybe"}]})",
                  "x.json");
    FAIL() << "accepted an unknown verdict";
  } catch (const FixtureError& e) {
    EXPECT_EQ(std::string(e.what()), "x.json: cases[0].verdict: unknown verdict 'maybe'");
  }
}

TEST(ReportTest, JunitEscapesMarkupAndControlCharacters) {
  const std::string xml = to_junit_xml(sample_run("impl", Verdict::fail));
  EXPECT_NE(xml.find("saw &lt;nothing&gt; &amp; more"), std::string::npos);
  EXPECT_NE(xml.find("data \\u0000 nul"), std::string::npos);
  EXPECT_EQ(xml.find('\0'), std::string::npos);
  EXPECT_NE(xml.find("<failure"), std::string::npos);
}

TEST(ReportTest, JunitMarksSkipsAndKeepsWarningsPassing) {
  EXPECT_NE(to_junit_xml(sample_run("impl", Verdict::skip)).find("<skipped message="), std::string::npos);
  const std::string warn = to_junit_xml(sample_run("impl", Verdict::warn));
  EXPECT_EQ(warn.find("<failure"), std::string::npos);
  EXPECT_NE(warn.find("<system-out>warn: saw"), std::string::npos);
}

TEST(ReportTest, HtmlMatrixHasOneColumnPerRun) {
  const std::string html = to_html({sample_run("alpha", Verdict::pass), sample_run("beta", Verdict::fail)});
  std::size_t columns = 0;
  for (std::size_t at = html.find("<th class=\"impl\">"); at != std::string::npos;
       at = html.find("<th class=\"impl\">", at + 1)) {
    ++columns;
  }
  EXPECT_EQ(columns, 2u);
  EXPECT_NE(html.find("data-verdict=\"fail\""), std::string::npos);
  EXPECT_EQ(html.find("<script src"), std::string::npos);  // self-contained
}

TEST(ReportTest, HtmlMatrixQuotesTheRuleOnlyWhereSomethingWentWrong) {
  // Every case passes: the row header links the rule once, and no cell repeats it.
  const std::string passing = to_html({sample_run("alpha", Verdict::pass), sample_run("beta", Verdict::pass)});
  EXPECT_NE(passing.find("class=\"rule\" href=\"https://html.spec.whatwg.org/multipage/server-sent-events.html#sse-processing-model\""),
            std::string::npos);
  EXPECT_EQ(passing.find("<blockquote>"), std::string::npos);
  EXPECT_EQ(passing.find("<pre>"), std::string::npos);
  // A failing cell opens the difference, the link and the quote.
  const std::string failing = to_html({sample_run("alpha", Verdict::fail)});
  EXPECT_NE(failing.find("<blockquote>announce</blockquote>"), std::string::npos);
  EXPECT_NE(failing.find("<div>observed</div><pre>{}</pre>"), std::string::npos);
}

TEST(ReportTest, ExitStatusFollowsFailuresOnly) {
  ReportOptions quiet;
  quiet.quiet = true;
  testing::internal::CaptureStdout();
  const int warn_status = finish_run(sample_run("impl", Verdict::warn), quiet);
  const int fail_status = finish_run(sample_run("impl", Verdict::fail), quiet);
  testing::internal::GetCapturedStdout();
  EXPECT_EQ(warn_status, 0);
  EXPECT_EQ(fail_status, 1);
}

TEST(Payload, SmallValuesStayWholeLargeOnesBecomeLengthHashAndExcerpts) {
  EXPECT_EQ(payload_for_report("short"), "short");
  const std::string big(1 << 20, 'a');
  const std::string shown = payload_for_report(big);
  EXPECT_LT(shown.size(), 200u) << shown;
  EXPECT_NE(shown.find("1048576 bytes"), std::string::npos) << shown;
  EXPECT_NE(shown.find("sha256 "), std::string::npos) << shown;
  std::string other = big;
  other[700000] = 'b';
  EXPECT_NE(payload_for_report(other), shown);  // the hash tells them apart
}

TEST(Payload, FirstDifferenceGivesLengthsOffsetAndExcerpts) {
  std::string expected(1 << 20, 'a');
  std::string observed = expected;
  observed[524288] = '\n';
  const std::string d = first_difference(expected, observed);
  EXPECT_NE(d.find("lengths 1048576 and 1048576"), std::string::npos) << d;
  EXPECT_NE(d.find("first difference at byte 524288"), std::string::npos) << d;
  EXPECT_NE(d.find("\\x0a"), std::string::npos) << d;  // escaped, so the line stays one line
  EXPECT_LT(d.size(), 250u) << d;
  EXPECT_EQ(first_difference("same", "same"), "");
  EXPECT_NE(first_difference("abc", "ab").find("first difference at byte 2"), std::string::npos);
}

}  // namespace
}  // namespace ssespec
