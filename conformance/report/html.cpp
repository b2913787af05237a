#include <map>
#include <set>
#include <sstream>

#include "report/writers.hpp"

namespace ssespec {
namespace {

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\0': out += "\\u0000"; break;
      default: out += ch;
    }
  }
  return out;
}

constexpr const char* kStyle = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2329}
h1{font-size:20px;margin:0 0 4px}
.meta{color:#5b6570;margin-bottom:16px}
.summary{display:grid;grid-template-columns:max-content 1fr max-content;gap:6px 12px;align-items:center;margin-bottom:20px}
.bar{display:flex;height:14px;border-radius:3px;overflow:hidden;background:#eef0f2;min-width:240px}
.bar span{display:block;height:100%}
.v-pass{background:#d9f2df}.v-fail{background:#f8d3d0}.v-warn{background:#fbeccb}.v-info{background:#d6e8f7}.v-skip{background:#eceef0}
.bar .v-pass{background:#2e9e4f}.bar .v-fail{background:#d1342b}.bar .v-warn{background:#e0a10b}.bar .v-info{background:#3a86c8}.bar .v-skip{background:#a3abb3}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #d8dde2;padding:3px 6px;vertical-align:top;text-align:left}
thead th{position:sticky;top:0;background:#f6f8fa}
tr.group th{background:#eef2f6;font-weight:600}
td.case{font-family:ui-monospace,monospace;font-size:12px}
td.case small{display:block;font-family:system-ui,sans-serif;color:#5b6570}
td.none{color:#a3abb3;text-align:center}
details summary{cursor:pointer;font-weight:600;font-size:12px}
details pre{white-space:pre-wrap;word-break:break-all;font-size:12px;background:#fff;border:1px solid #d8dde2;padding:4px;margin:4px 0}
details blockquote{margin:4px 0;padding-left:8px;border-left:3px solid #a3abb3;color:#3d4650}
)";

constexpr Verdict kOrder[] = {Verdict::pass, Verdict::fail, Verdict::warn, Verdict::info, Verdict::skip};

std::string upper(const char* text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A spec link named by its anchor (the page is the same for most rules; the href has it all).
void write_link(std::ostringstream& out, const SpecRef& ref, const char* css_class = nullptr) {
  const std::size_t hash = ref.url.rfind('#');
  const std::string name = hash == std::string::npos ? ref.url : ref.url.substr(hash);
  out << "<a " << (css_class ? std::string("class=\"") + css_class + "\" " : std::string()) << "href=\""
      << html_escape(ref.url) << "\">" << html_escape(name) << "</a>";
}

void write_cell(std::ostringstream& out, const CaseResult& c) {
  out << "<td class=\"cell v-" << to_string(c.verdict) << "\" data-verdict=\"" << to_string(c.verdict) << "\"";
  const long ms = static_cast<long>(c.duration_ms);
  if (c.verdict == Verdict::pass && c.message.empty()) {  // most cells: nothing to open
    out << " title=\"" << ms << " ms\">PASS</td>";
    return;
  }
  out << "><details><summary>" << upper(to_string(c.verdict)) << "</summary>";
  if (!c.message.empty()) out << "<p>" << html_escape(c.message) << "</p>";
  // The row header links the case's rule once. A cell where something went wrong adds the
  // difference and the rule's words; a pass or skip cell adds nothing (a matrix of many
  // implementations stays small; the JSON keeps everything).
  const bool went_wrong = c.verdict != Verdict::pass && c.verdict != Verdict::skip;
  if (went_wrong) {
    if (!c.expected.empty() || !c.observed.empty()) {
      out << "<div>expected</div><pre>" << html_escape(c.expected) << "</pre><div>observed</div><pre>"
          << html_escape(c.observed) << "</pre>";
    }
    for (const SpecRef& ref : c.spec) {
      out << "<div>";
      write_link(out, ref);
      out << "</div>";
      if (!ref.quote.empty()) out << "<blockquote>" << html_escape(ref.quote) << "</blockquote>";
    }
  }
  out << "<div>" << ms << " ms</div></details></td>";
}

// The case's rule, once per row.
void write_rule_links(std::ostringstream& out, const CaseResult& c) {
  for (const SpecRef& ref : c.spec) {
    out << " ";
    write_link(out, ref, "rule");
  }
}

}  // namespace

std::string to_html(const std::vector<RunResult>& runs) {
  // Rows: every case id seen in any run, grouped; the first run that has a case describes it.
  std::map<std::string, std::map<std::string, const CaseResult*>> rows;  // group -> id -> first seen
  std::vector<std::map<std::string, const CaseResult*>> by_run(runs.size());
  for (std::size_t r = 0; r < runs.size(); ++r) {
    for (const CaseResult& c : runs[r].cases) {
      by_run[r][c.id] = &c;
      rows[c.group].emplace(c.id, &c);
    }
  }
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ssespec report</title><style>"
      << kStyle << "</style></head><body>\n<h1>ssespec report</h1>\n<div class=\"meta\">" << runs.size()
      << " implementation(s); generated " << html_escape(now_iso8601()) << "</div>\n";
  out << "<div class=\"summary\" id=\"summary\">\n";
  for (const RunResult& run : runs) {
    const double total = run.cases.empty() ? 1.0 : static_cast<double>(run.cases.size());
    out << "<div class=\"impl-name\">" << html_escape(run.implementation) << " <small>" << html_escape(run.version)
        << " (" << html_escape(run.kind) << ")</small></div><div class=\"bar\">";
    for (const Verdict v : kOrder) {
      const std::size_t n = run.count(v);
      if (n != 0) {
        out << "<span class=\"v-" << to_string(v) << "\" style=\"width:" << (100.0 * static_cast<double>(n) / total)
            << "%\" title=\"" << n << " " << to_string(v) << "\"></span>";
      }
    }
    out << "</div><div>";
    for (const Verdict v : kOrder) out << run.count(v) << " " << to_string(v) << " ";
    out << "</div>\n";
  }
  out << "</div>\n<table id=\"matrix\"><thead><tr><th>case</th>";
  for (const RunResult& run : runs) {
    out << "<th class=\"impl\">" << html_escape(run.implementation) << "<br><small>" << html_escape(run.version)
        << "</small></th>";
  }
  out << "</tr></thead><tbody>\n";
  for (const auto& [group, cases] : rows) {
    out << "<tr class=\"group\"><th colspan=\"" << runs.size() + 1 << "\">" << html_escape(group) << "</th></tr>\n";
    for (const auto& [id, first] : cases) {
      out << "<tr class=\"case-row\" data-id=\"" << html_escape(id) << "\"><td class=\"case\">" << html_escape(id)
          << "<small>" << html_escape(first->description);
      write_rule_links(out, *first);
      out << "</small></td>";
      for (std::size_t r = 0; r < runs.size(); ++r) {
        const auto it = by_run[r].find(id);
        if (it == by_run[r].end()) {
          out << "<td class=\"none\" data-verdict=\"none\">&mdash;</td>";
        } else {
          write_cell(out, *it->second);
        }
      }
      out << "</tr>\n";
    }
  }
  out << "</tbody></table>\n</body></html>\n";
  return out.str();
}

}  // namespace ssespec
