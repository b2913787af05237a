#include <Poco/UTF8String.h>

#include <array>
#include <cstring>
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
table.areas{width:auto;margin-bottom:20px}
table.areas td{text-align:right;font-variant-numeric:tabular-nums}
tr.section th{background:#1d2329;color:#fff}
td.known{background:#fbe3e1}
td.p{background:#d9f2df}td.p::after{content:"PASS"}td.s{background:#eceef0}td.s::after{content:"SKIP"}
#filter{font:inherit;padding:4px 8px;width:320px;margin:0 0 12px}
)";

// Plain inline JS, no network. Every text a cell or row opens is stored once in the page, in the
// JSON block #texts (TextTable). A cell names its texts (data-m message, data-e expected, data-o
// observed), a rule link its address (data-u), a row its rule's quotes (data-q); they are
// written into its <details> when it first opens, a skip's reason into its title and the links'
// addresses on load. The filter hides the case rows whose text, with the texts they name, lacks
// the typed words.
constexpr const char* kScript = R"(
var T=JSON.parse(document.getElementById('texts').textContent);
function text(n){return T.texts[n].map(function(p){return T.pieces[p];}).join('');}
function add(box,tag,content){var e=document.createElement(tag);e.textContent=content;box.appendChild(e);return e;}
document.querySelectorAll('td.s[data-m]').forEach(function(c){c.title=text(+c.dataset.m);});
document.querySelectorAll('a[data-u]').forEach(function(a){a.href=text(+a.dataset.u);});
document.addEventListener('toggle',function(e){var d=e.target,c=d.parentElement;
if(!d.open||d.dataset.filled)return;d.dataset.filled=1;
(d.dataset.q||'').split(' ').filter(Boolean).forEach(function(q){add(add(d,'div',''),'a',"the rule's words").href='#q'+q;});
if(c.dataset.m)add(d,'p',text(+c.dataset.m));
if(d.dataset.e)add(d,'div','expected'),add(d,'pre',text(+d.dataset.e));
if(c.dataset.e)add(d,'div','expected'),add(d,'pre',text(+c.dataset.e));
if(c.dataset.as)add(d,'div','observed: as '+c.dataset.as);
else if(c.dataset.o)add(d,'div','observed'),add(d,'pre',text(+c.dataset.o));},true);
function words(r){if(r.words===undefined){var t=r.textContent;
r.querySelectorAll('[data-m],[data-e],[data-o]').forEach(function(c){['m','e','o'].forEach(function(k){
if(c.dataset[k])t+=' '+text(+c.dataset[k]);});});r.words=t.toLowerCase();}return r.words;}
document.getElementById('filter').addEventListener('input',function(e){
var want=e.target.value.toLowerCase().split(/\s+/).filter(Boolean);
document.querySelectorAll('tr.case-row').forEach(function(r){var t=words(r);
r.hidden=!want.every(function(w){return t.indexOf(w)>=0;});});});
)";

constexpr Verdict kOrder[] = {Verdict::pass, Verdict::fail, Verdict::warn, Verdict::info, Verdict::skip};

std::string upper(const char* text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A cell's text at most `limit` bytes (cut at a UTF-8 boundary): one run's 3 MB message (a
// repeated complaint) must not make the page; the JSON keeps the whole.
std::string capped(const std::string& text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + " [\u2026 " + std::to_string(text.size()) + " bytes in all: see the JSON]";
}
constexpr std::size_t kMessageLimit = 1000, kTextLimit = 4000;

// The page's texts, each stored once (the JSON block the script reads): a text is a list of
// pieces, each ending after a line break, ", " or " | ", and each distinct piece stored once too.
// Most of a matrix's texts repeat, whole or in pieces: a known deviation's reason in every case it
// explains, a trace line or a request's headers in many observations, a skip's reason in a column.
class TextTable {
 public:
  // The number of `whole`, cut at `limit` bytes.
  std::size_t add(const std::string& whole, std::size_t limit) {
    std::string text = well_formed(capped(whole, limit));
    for (std::size_t at = text.find('\0'); at != std::string::npos; at = text.find('\0', at)) text.replace(at, 1, "\\u0000");  // visible, as in a cell's HTML
    const auto [it, first] = text_ids_.emplace(text, texts_.size());
    if (!first) return it->second;
    std::vector<std::size_t> pieces;
    for (std::size_t start = 0; start < text.size() || pieces.empty();) {
      std::size_t end = text.size();
      for (const char* sep : {"\n", ", ", " | "}) {
        const std::size_t at = text.find(sep, start);
        if (at != std::string::npos && at + std::strlen(sep) < end) end = at + std::strlen(sep);
      }
      pieces.push_back(piece_ids_.emplace(text.substr(start, end - start), piece_ids_.size()).first->second);
      start = end;
    }
    texts_.push_back(std::move(pieces));
    return it->second;
  }
  // The JSON block's content, {"pieces":[...],"texts":[[piece, piece...], ...]}; "<" as \u003c, so
  // no text can end the <script> element.
  std::string json() const {
    std::vector<const std::string*> by_number(piece_ids_.size());
    for (const auto& [piece, n] : piece_ids_) by_number[n] = &piece;
    std::ostringstream out;
    out << "{\"pieces\":[";
    for (std::size_t n = 0; n < by_number.size(); ++n) {
      std::string quoted = Poco::UTF8::escape(*by_number[n], true);
      for (std::size_t at = quoted.find('<'); at != std::string::npos; at = quoted.find('<', at)) quoted.replace(at, 1, "\\u003c");
      out << (n ? ",\"" : "\"") << quoted << "\"" << (n % 8 == 7 ? "\n" : "");
    }
    out << "],\n\"texts\":[";
    for (std::size_t t = 0; t < texts_.size(); ++t) {
      out << (t ? ",[" : "[");
      for (std::size_t i = 0; i < texts_[t].size(); ++i) out << (i ? "," : "") << texts_[t][i];
      out << "]" << (t % 16 == 15 ? "\n" : "");
    }
    out << "]}";
    return out.str();
  }

 private:
  std::map<std::string, std::size_t> piece_ids_;
  std::map<std::string, std::size_t> text_ids_;
  std::vector<std::vector<std::size_t>> texts_;
};

bool went_wrong(const CaseResult& c) { return c.verdict != Verdict::pass && c.verdict != Verdict::skip; }

// A cell: the verdict; where something went wrong, the message, what was observed and (only where
// it differs from the row's) what was expected, named in the page's text table and shown when
// the cell opens. The row header holds the rule's words once, so a matrix of many implementations
// stays small (the JSON keeps everything).
// `same_observed_as`: the implementation whose cell in this row already shows the same observation.
void write_cell(std::ostringstream& out, const CaseResult& c, const std::string& row_expected,
                const std::string* same_observed_as, TextTable& texts) {
  if (c.verdict == Verdict::pass && c.message.empty()) {  // most cells: nothing to open, a few bytes
    out << "<td class=\"p\"></td>";  // the word comes from the style sheet
    return;
  }
  if (c.verdict == Verdict::skip) {  // the reason on hover
    out << "<td class=\"s\" data-m=\"" << texts.add(c.message, kMessageLimit) << "\"></td>";
    return;
  }
  out << "<td class=\"v-" << to_string(c.verdict) << (c.known ? " known" : "") << "\"";
  if (!c.message.empty()) out << " data-m=\"" << texts.add(c.message, kMessageLimit) << "\"";
  if (went_wrong(c) && (!c.expected.empty() || !c.observed.empty())) {
    if (c.expected != row_expected) out << " data-e=\"" << texts.add(c.expected, kTextLimit) << "\"";
    if (same_observed_as) {
      out << " data-as=\"" << html_escape(*same_observed_as) << "\"";
    } else {
      out << " data-o=\"" << texts.add(c.observed, kTextLimit) << "\"";
    }
  }
  out << "><details><summary>" << upper(to_string(c.verdict)) << (c.known ? " (known)" : "") << "</summary></details></td>";
}

// The case's rule, once per row: a link named by its anchor (the page is the same for most rules),
// its address in the text table (the script sets the href: 787 links repeat a few addresses).
void write_rule_links(std::ostringstream& out, const CaseResult& c, TextTable& texts) {
  for (const SpecRef& ref : c.spec) {
    const std::size_t hash = ref.url.rfind('#');
    const std::string name = hash == std::string::npos ? ref.url : ref.url.substr(hash);
    out << " <a class=\"rule\" data-u=\"" << texts.add(ref.url, kTextLimit) << "\">" << html_escape(name) << "</a>";
  }
}

// "parse/line-endings" -> "parse": the summary's columns.
std::string area_of(const std::string& group) { return group.substr(0, group.find('/')); }

struct Row {
  std::string id;
  const CaseResult* first = nullptr;           // describes the case
  const CaseResult* first_wrong = nullptr;     // its expected text and rule quotes, when any cell went wrong
  std::vector<const CaseResult*> cells;        // one per run; nullptr where the run lacks the case
  bool differs = false;                        // the runs that have the case do not all agree
};

// Each quoted rule once in the page (`quotes`: quote text -> its number); rows link to it.
using QuoteIds = std::map<std::string, std::size_t>;

void write_row(std::ostringstream& out, const Row& row, const std::vector<std::size_t>& columns,
               const std::vector<std::string>& names, QuoteIds& quotes, TextTable& texts) {
  out << "<tr class=\"case-row\" data-id=\"" << html_escape(row.id) << "\"><td class=\"case\">" << html_escape(row.id)
      << "<small>" << html_escape(row.first->description);
  write_rule_links(out, *row.first, texts);
  const std::string row_expected = row.first_wrong ? row.first_wrong->expected : std::string();
  if (row.first_wrong) {  // something went wrong here: the rule's words and the expected, once
    // The links to the rule's words (quoted once at the end of the page) and the expected text
    // are written in when it opens.
    std::string quote_numbers;
    for (const SpecRef& ref : row.first_wrong->spec) {
      if (ref.quote.empty()) continue;
      const std::size_t n = quotes.emplace(ref.quote, quotes.size()).first->second;
      quote_numbers += (quote_numbers.empty() ? "" : " ") + std::to_string(n);
    }
    out << "<details";
    if (!quote_numbers.empty()) out << " data-q=\"" << quote_numbers << "\"";
    if (!row_expected.empty()) out << " data-e=\"" << texts.add(row_expected, kTextLimit) << "\"";
    out << "><summary>rule and expected</summary></details>";
  }
  out << "</small></td>";
  std::map<std::string, const std::string*> shown_observed;  // observed text -> the implementation showing it
  for (const std::size_t r : columns) {
    const CaseResult* c = row.cells[r];
    if (c == nullptr) {
      out << "<td class=\"none\">\u2014</td>";  // em dash, as UTF-8
      continue;
    }
    const std::string* same = nullptr;
    if (went_wrong(*c) && !c->observed.empty()) {
      const auto [it, first] = shown_observed.emplace(c->observed, &names[r]);
      if (!first) same = it->second;
    }
    write_cell(out, *c, row_expected, same, texts);
  }
  out << "</tr>\n";
}

// Runs that share a case go in one matrix (clients, browsers and the parser share the parse
// cases); encoders and the server check have cases of their own, and get their own matrices,
// instead of a column of dashes in every other row.
std::vector<std::vector<std::size_t>> matrices_of(const std::vector<RunResult>& runs) {
  std::vector<std::size_t> parent(runs.size());
  for (std::size_t r = 0; r < runs.size(); ++r) parent[r] = r;
  auto root = [&](std::size_t r) {
    while (parent[r] != r) r = parent[r] = parent[parent[r]];
    return r;
  };
  std::map<std::string, std::size_t> owner;  // case id -> first run with it
  for (std::size_t r = 0; r < runs.size(); ++r) {
    for (const CaseResult& c : runs[r].cases) {
      const auto [it, first] = owner.emplace(c.id, r);
      if (!first) parent[root(r)] = root(it->second);
    }
  }
  std::map<std::size_t, std::vector<std::size_t>> by_root;
  std::vector<std::vector<std::size_t>> out;
  for (std::size_t r = 0; r < runs.size(); ++r) by_root[root(r)].push_back(r);
  for (std::size_t r = 0; r < runs.size(); ++r) {  // in the order of their first run
    const auto it = by_root.find(root(r));
    if (it != by_root.end()) {
      out.push_back(it->second);
      by_root.erase(it);
    }
  }
  return out;
}

}  // namespace

std::string to_html(const std::vector<RunResult>& runs) {
  // Rows: every case id seen in any run, grouped; the first run that has a case describes it.
  std::map<std::string, std::map<std::string, Row>> rows;  // group -> id -> row
  std::set<std::string> areas;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    for (const CaseResult& c : runs[r].cases) {
      Row& row = rows[c.group][c.id];
      if (row.first == nullptr) {
        row.id = c.id;
        row.first = &c;
        row.cells.assign(runs.size(), nullptr);
      }
      if (row.first_wrong == nullptr && went_wrong(c)) row.first_wrong = &c;
      row.cells[r] = &c;
      areas.insert(area_of(c.group));
    }
  }
  std::vector<std::string> names;  // each column's implementation, as a cell refers to it
  for (const RunResult& run : runs) names.push_back(run.implementation + (run.version.empty() ? "" : " " + run.version));
  std::size_t differing = 0;
  for (auto& [group, cases] : rows) {
    for (auto& [id, row] : cases) {
      std::set<Verdict> verdicts;
      for (const CaseResult* c : row.cells) {
        if (c) verdicts.insert(c->verdict);
      }
      row.differs = verdicts.size() > 1;
      differing += row.differs ? 1 : 0;
    }
  }
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ssespec report</title><style>"
      << kStyle << "</style></head><body>\n<h1>ssespec report</h1>\n<div class=\"meta\">" << runs.size()
      << " implementation(s); generated " << html_escape(now_iso8601()) << "</div>\n";
  // The summary first: implementation x area, pass/fail counts (known failures in brackets).
  out << "<table class=\"areas\" id=\"areas\"><thead><tr><th>implementation</th>";
  for (const std::string& area : areas) out << "<th>" << html_escape(area) << "<br><small>pass / fail</small></th>";
  out << "</tr></thead><tbody>\n";
  for (const RunResult& run : runs) {
    std::map<std::string, std::array<std::size_t, 3>> counts;  // area -> pass, fail, known
    for (const CaseResult& c : run.cases) {
      auto& n = counts[area_of(c.group)];
      n[0] += c.verdict == Verdict::pass ? 1 : 0;
      n[1] += c.verdict == Verdict::fail ? 1 : 0;
      n[2] += c.verdict == Verdict::fail && c.known ? 1 : 0;
    }
    out << "<tr><th>" << html_escape(run.implementation) << " <small>" << html_escape(run.version) << "</small></th>";
    for (const std::string& area : areas) {
      const auto it = counts.find(area);
      if (it == counts.end()) {
        out << "<td class=\"none\">&mdash;</td>";
        continue;
      }
      const auto& n = it->second;
      out << "<td class=\"" << (n[1] > n[2] ? "v-fail" : n[1] > 0 ? "known" : "v-pass") << "\">" << n[0] << " / " << n[1];
      if (n[2] > 0) out << " <small>(" << n[2] << " known)</small>";
      out << "</td>";
    }
    out << "</tr>\n";
  }
  out << "</tbody></table>\n";
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
  out << "</div>\n<input id=\"filter\" type=\"search\" placeholder=\"filter rows: words in the id, verdict or message\">\n";
  QuoteIds quotes;
  TextTable texts;
  bool first_matrix = true;
  for (const std::vector<std::size_t>& columns : matrices_of(runs)) {
    std::set<std::size_t> in_matrix(columns.begin(), columns.end());
    auto belongs = [&](const Row& row) {
      for (const std::size_t r : columns) {
        if (row.cells[r]) return true;
      }
      return false;
    };
    out << "<table " << (first_matrix ? "id=\"matrix\" " : "") << "class=\"matrix\"><thead><tr><th>case</th>";
    first_matrix = false;
    for (const std::size_t r : columns) {
      out << "<th class=\"impl\">" << html_escape(runs[r].implementation) << "<br><small>" << html_escape(runs[r].version)
          << "</small></th>";
    }
    out << "</tr></thead>\n";
    // First the rows where the implementations differ, then the rest, each part grouped.
    for (const bool differ_part : {true, false}) {
      std::size_t n = 0;
      for (const auto& [group, cases] : rows) {
        for (const auto& [id, row] : cases) n += belongs(row) && row.differs == differ_part ? 1 : 0;
      }
      if (n == 0) continue;
      out << "<tbody class=\"" << (differ_part ? "differ" : "agree") << "\"><tr class=\"section\"><th colspan=\""
          << columns.size() + 1 << "\">" << n
          << (differ_part ? " case(s) where the implementations differ" : " case(s) where they agree") << "</th></tr>\n";
      for (const auto& [group, cases] : rows) {
        bool header = false;
        for (const auto& [id, row] : cases) {
          if (!belongs(row) || row.differs != differ_part) continue;
          if (!header) {
            out << "<tr class=\"group\"><th colspan=\"" << columns.size() + 1 << "\">" << html_escape(group) << "</th></tr>\n";
            header = true;
          }
          write_row(out, row, columns, names, quotes, texts);
        }
      }
      out << "</tbody>\n";
    }
    out << "</table>\n";
  }
  if (!quotes.empty()) {
    std::vector<const std::string*> by_number(quotes.size());
    for (const auto& [text, n] : quotes) by_number[n] = &text;
    out << "<h2>The rules' words</h2>\n";
    for (std::size_t n = 0; n < by_number.size(); ++n) {
      out << "<blockquote id=\"q" << n << "\">" << html_escape(*by_number[n]) << "</blockquote>\n";
    }
  }
  out << "<script type=\"application/json\" id=\"texts\">" << texts.json() << "</script>\n";
  out << "<script>" << kScript << "</script>\n</body></html>\n";
  return out.str();
}

}  // namespace ssespec
