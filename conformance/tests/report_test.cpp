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

TEST(ReportTest, JsonOfTextCutMidCharacterStaysReadable) {
  // An adapter's stderr tail cut inside a two-byte character ("\xC3\xA9"), as Mastodon.py's was.
  RunResult run = sample_run("impl", Verdict::fail);
  run.cases[1].observed = "adapter stderr: ...\xA9\xC3\xA9\xC3";
  const RunResult back = run_from_json(to_json(run), "mem.json");
  EXPECT_EQ(back.cases[1].observed, "adapter stderr: ...\xEF\xBF\xBD\xC3\xA9\xEF\xBF\xBD");  // U+FFFD for each cut end
  EXPECT_EQ(back.cases[1].message, run.cases[1].message);  // well-formed texts are written as they are
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
  EXPECT_NE(html.find("<td class=\"v-fail\""), std::string::npos);
  EXPECT_EQ(html.find("<script src"), std::string::npos);  // self-contained
}

TEST(ReportTest, HtmlMatrixQuotesTheRuleOnlyWhereSomethingWentWrong) {
  // Every case passes: the row header links the rule once, and no cell repeats it.
  const std::string passing = to_html({sample_run("alpha", Verdict::pass), sample_run("beta", Verdict::pass)});
  EXPECT_NE(passing.find("<a class=\"rule\" data-u=\"0\">#sse-processing-model</a>"), std::string::npos);
  EXPECT_NE(passing.find("\"https:\\/\\/html.spec.whatwg.org\\/multipage\\/server-sent-events.html#sse-processing-model\""),
            std::string::npos);  // its address, in the text table
  EXPECT_EQ(passing.find("<blockquote>"), std::string::npos);
  EXPECT_EQ(passing.find("<pre>"), std::string::npos);
  // A failing cell opens the difference, the link and the quote.
  const std::string failing = to_html({sample_run("alpha", Verdict::fail)});
  EXPECT_NE(failing.find("<blockquote id=\"q0\">announce</blockquote>"), std::string::npos);
  EXPECT_NE(failing.find("<details data-q=\"0\""), std::string::npos);  // links to #q0 when it opens
  // The observation is named from the page's text table, written once, shown when the cell opens.
  EXPECT_NE(failing.find("data-o=\""), std::string::npos);
  EXPECT_NE(failing.find("\"{}\""), std::string::npos);
  EXPECT_NE(failing.find("<script type=\"application/json\" id=\"texts\">"), std::string::npos);
}

// Each distinct text is in the page once, however many cells name it: a known deviation's reason
// in every case it explains (the runner's own message after " | " differs per case), a trace line
// in many observations; and no text can end the JSON block early.
TEST(ReportTest, HtmlStoresEachTextOnce) {
  RunResult alpha = sample_run("alpha", Verdict::pass), beta = sample_run("beta", Verdict::pass);
  const std::string reason = "known deviation (beta.json): the library ignores a lone CR as a line end";
  for (int i = 0; i < 20; ++i) {
    CaseResult c = alpha.cases[0];
    c.id = "client/open/case-" + std::to_string(i);
    alpha.cases.push_back(c);
    c.verdict = Verdict::fail;
    c.known = true;
    c.message = reason + " | timed out after 5.0 s waiting for trace entry #" + std::to_string(i);
    c.expected = "{\"open\":{}}\n{\"message\":{\"type\":\"message\",\"data\":\"a\",\"lastEventId\":\"\"}}";
    c.observed = "{\"open\":{}}\nrequests: " + std::to_string(i) + "</script><!--";
    beta.cases.push_back(c);
  }
  const std::string html = to_html({alpha, beta});
  auto count = [&](const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = html.find(what); at != std::string::npos; at = html.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("the library ignores a lone CR"), 1u);
  EXPECT_EQ(count("{\\\"open\\\":{}}"), 1u);  // one line of the expected and of every observation, stored once
  EXPECT_EQ(count("timed out after 5.0 s waiting for trace entry #7"), 1u);
  EXPECT_EQ(count("</script>"), 2u);  // the JSON block's and the script's own: a text's "<" is \u003c
  EXPECT_EQ(count("<td class=\"v-fail known\""), 20u);
}


TEST(ReportTest, HtmlOpensOnTheSummaryAndShowsDifferingRowsFirst) {
  const std::string html = to_html({sample_run("alpha", Verdict::pass), sample_run("beta", Verdict::fail)});
  const std::size_t summary = html.find("<table class=\"areas\"");
  const std::size_t matrix = html.find("<table id=\"matrix\"");
  ASSERT_NE(summary, std::string::npos);
  EXPECT_LT(summary, matrix);
  // One matrix for runs that share cases, another for runs with cases of their own.
  RunResult encoder = sample_run("gamma", Verdict::pass);
  for (CaseResult& c : encoder.cases) c.id = "encoder/" + c.id;
  const std::string two = to_html({sample_run("alpha", Verdict::pass), encoder});
  std::size_t tables = 0;
  for (std::size_t at = two.find("class=\"matrix\""); at != std::string::npos; at = two.find("class=\"matrix\"", at + 1)) ++tables;
  EXPECT_EQ(tables, 2u);
  EXPECT_EQ(two.find("<td class=\"none\">"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"v-fail\">1 / 1</td>"), std::string::npos);  // beta x client: 1 pass, 1 fail
  // client/open/second (alpha passes, beta fails) comes before client/open/first (both pass).
  const std::size_t second = html.find("data-id=\"client/open/second\"");
  const std::size_t first = html.find("data-id=\"client/open/first\"");
  ASSERT_NE(second, std::string::npos);
  ASSERT_NE(first, std::string::npos);
  EXPECT_LT(second, first);
  EXPECT_NE(html.find("1 case(s) where the implementations differ"), std::string::npos);
  EXPECT_NE(html.find("<input id=\"filter\""), std::string::npos);
  EXPECT_NE(html.find("getElementById('filter')"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);  // nothing fetched
}

// The main job's shape (measured on its 35 runs' JSON, 2026-12-03): 20 client-side runs (reference,
// 12 libraries, 6 browser contexts) by 437 cases, one cell in 12 failing, one in 9 skipped; 15
// encoder runs by 72 cases, a third failing. A failure's message is a known deviation's reason
// (~250 bytes, shared by the cases it explains) then the runner's own (~150 bytes, its own), its
// expected trace is the row's (~150 bytes), its observation two common trace lines and one of its
// own (~250 bytes in all). Each row quotes a 250-byte rule. With every text in the page once,
// such a page stays under 1 MB (it was 1.9 MB when each cell carried its texts: conformance/REPORTS.md).
RunResult synthetic_run(int r, const std::string& area, int cases, int fail_every) {
  RunResult run = sample_run(area + " impl " + std::to_string(r), Verdict::pass);
  run.cases.clear();
  for (int i = 0; i < cases; ++i) {
    CaseResult c;
    c.group = area + "/group-" + std::to_string(i / 20);
    c.id = c.group + "/case-" + std::to_string(i);
    c.description = "what case " + std::to_string(i) + " checks, in one line of about eighty characters";
    c.spec.push_back({"https://html.spec.whatwg.org/multipage/server-sent-events.html#dispatchMessage", std::string(250, 'q')});
    c.duration_ms = 12;
    if ((i + r) % 9 == 4) {
      c.verdict = Verdict::skip;
      c.message = "needs capability 'last-event-id', which the adapter does not declare (--capabilities)";
    }
    if ((i + r) % fail_every == 0) {
      const std::string own = std::to_string(r) + "/" + std::to_string(i);
      c.verdict = Verdict::fail;
      c.known = r % 2 == 0;
      c.message = "known deviation (impl-" + std::to_string(r) + ".json): reason " + std::to_string(i / 60) + " " +
                  std::string(220, 'r') + " | timed out at " + own + " " + std::string(140, 'm');
      c.expected = "{\"open\":{}}\n" + std::string(130, 'e');
      c.observed = "{\"open\":{}}\n{\"error\":{\"readyState\":0}}\nrequest 0 at " + own + " " + std::string(180, 'o');
    }
    run.cases.push_back(c);
  }
  return run;
}

TEST(ReportTest, HtmlMatrixOfManyImplementationsStaysUnderOneMegabyte) {
  std::vector<RunResult> runs;
  for (int r = 0; r < 20; ++r) runs.push_back(synthetic_run(r, "client", 437, 12));
  for (int r = 0; r < 15; ++r) runs.push_back(synthetic_run(r, "encoder", 72, 3));
  const std::string html = to_html(runs);
  EXPECT_LT(html.size(), 1000000u) << "the matrix is " << html.size() << " bytes";
  EXPECT_NE(html.find("(known)"), std::string::npos);  // known deviations are listed, marked
  // The structure that keeps it small: a passing cell is a few bytes, a skip's reason is stored once.
  EXPECT_NE(html.find("<td class=\"p\"></td>"), std::string::npos);
  std::size_t reasons = 0;
  for (std::size_t at = html.find("needs capability 'last-event-id'"); at != std::string::npos;
       at = html.find("needs capability 'last-event-id'", at + 1)) {
    ++reasons;
  }
  EXPECT_EQ(reasons, 1u);
}

TEST(ReportTest, HtmlSaysAnObservationSharedByImplementationsOnce) {
  RunResult alpha = sample_run("alpha", Verdict::fail), beta = sample_run("beta", Verdict::fail);
  const std::string html = to_html({alpha, beta});
  EXPECT_NE(html.find("data-as=\"alpha 1.2\""), std::string::npos);  // shown as "observed: as alpha 1.2"
  beta.cases[1].observed = "{\"other\":1}";
  EXPECT_EQ(to_html({alpha, beta}).find("data-as="), std::string::npos);
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
