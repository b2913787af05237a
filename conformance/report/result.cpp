#include "report/result.hpp"

#include <CLI/CLI.hpp>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "report/seconds_text.hpp"
#include "report/writers.hpp"
#include "json/json_node.hpp"
#include "utf8.hpp"  // reference/src: the UTF-8 decoder's replacement, one implementation

#ifndef SSESPEC_VERSION
#define SSESPEC_VERSION "0.0.0"
#endif

namespace ssespec {
namespace {

constexpr Verdict kAllVerdicts[] = {Verdict::pass, Verdict::fail, Verdict::warn, Verdict::info, Verdict::skip};

bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }

const char* colour_of(Verdict v) {
  switch (v) {
    case Verdict::pass: return "\x1b[32m";
    case Verdict::fail: return "\x1b[31m";
    case Verdict::warn: return "\x1b[33m";
    case Verdict::info: return "\x1b[36m";
    case Verdict::skip: return "\x1b[90m";
  }
  return "";
}

std::string label(Verdict v, bool colour) {
  std::string text = to_string(v);
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return colour ? colour_of(v) + text + "\x1b[0m" : text;
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path);
}

void indent_into(std::ostream& out, const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) out << "      " << line << "\n";
}

// An INFO is something the checks chose to tell (what was read, what was offered), so it is shown.
bool worth_showing(const CaseResult& c) {
  return (c.verdict == Verdict::fail && !c.known) || c.verdict == Verdict::warn || c.verdict == Verdict::info;
}

// One case's line, and for a failure or warning the rule and the difference.
void print_case(std::ostream& out, const CaseResult& result, bool colour) {
  out << std::left << std::setw(5) << label(result.verdict, false).substr(0, 4);
  if (colour) out << "\r" << label(result.verdict, true) << " ";
  out << result.id;
  if (!result.message.empty()) out << ": " << result.message;
  out << "\n";
  if (result.verdict != Verdict::fail && result.verdict != Verdict::warn) return;
  if (!result.spec.empty()) out << "    spec: " << result.spec.front().url << "\n";
  if (!result.spec.empty() && !result.spec.front().quote.empty()) out << "      \"" << result.spec.front().quote << "\"\n";
  if (!result.expected.empty() || !result.observed.empty()) {
    out << "    expected:\n";
    indent_into(out, result.expected.empty() ? "(nothing)" : result.expected);
    out << "    observed:\n";
    indent_into(out, result.observed.empty() ? "(nothing)" : result.observed);
  }
}

// The terminal's one progress line (print_progress callers hold their own lock).
struct ProgressLine {
  std::size_t total = 0, done = 0, failed = 0;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  bool shown = false;
};
ProgressLine progress_line;

void clear_progress_line() {
  if (!progress_line.shown) return;
  std::cout << "\r\x1b[K";
  progress_line.shown = false;
}

}  // namespace

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::pass: return "pass";
    case Verdict::fail: return "fail";
    case Verdict::warn: return "warn";
    case Verdict::info: return "info";
    case Verdict::skip: return "skip";
  }
  return "fail";
}

Verdict verdict_from_string(const std::string& text) {
  for (const Verdict v : kAllVerdicts) {
    if (text == to_string(v)) return v;
  }
  throw std::invalid_argument("unknown verdict '" + text + "'");
}

std::size_t RunResult::count(Verdict verdict) const {
  std::size_t n = 0;
  for (const CaseResult& c : cases) n += c.verdict == verdict ? 1 : 0;
  return n;
}

std::string now_iso8601() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::ostringstream out;
  out << std::put_time(&utc, "%Y-%m-%dT%H:%M:%SZ");
  return out.str();
}

void add_report_options(CLI::App& command, ReportOptions& options) {
  command.add_option("--json", options.json_file, "Write the results as JSON (conformance/REPORTS.md)");
  command.add_option("--junit", options.junit_file, "Write JUnit XML (one testsuite per fixture group)");
  command.add_option("--html", options.html_file, "Write a self-contained HTML report");
  command.add_flag("--quiet,-q", options.quiet, "Print only the summary and unexpected failures (no progress line)");
  command.add_flag("--verbose,-v", options.verbose, "Print every case as it finishes, and every known failure");
}

void start_progress(std::size_t total) { progress_line = ProgressLine{total}; }

void print_progress(const CaseResult& result, const ReportOptions& options) {
  if (options.verbose) {
    print_case(std::cout, result, stdout_is_terminal());
    std::cout.flush();
    return;
  }
  if (options.quiet || !stdout_is_terminal()) return;
  ProgressLine& p = progress_line;
  ++p.done;
  if (result.verdict == Verdict::fail) ++p.failed;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - p.started).count();
  std::cout << "\r\x1b[K  " << p.done;
  if (p.total >= p.done) {
    std::cout << "/" << p.total << " cases";
  } else {
    std::cout << " cases";
  }
  std::cout << ", " << p.failed << " failed";
  if (p.total > p.done) {
    std::cout << ", ~" << seconds_text(std::round(elapsed / static_cast<double>(p.done) * static_cast<double>(p.total - p.done)))
              << " left";
  }
  p.shown = true;
  std::cout.flush();
}

int finish_run(const RunResult& run, const ReportOptions& options) {
  const bool colour = stdout_is_terminal();
  clear_progress_line();
  if (!options.verbose) {
    for (const CaseResult& c : run.cases) {
      if (worth_showing(c)) print_case(std::cout, c, colour);
    }
  }
  // Summary table: one row per group, then the total.
  std::map<std::string, std::map<Verdict, std::size_t>> by_group;
  for (const CaseResult& c : run.cases) ++by_group[c.group][c.verdict];
  std::cout << "\n" << run.implementation << (run.version.empty() ? "" : " " + run.version) << " (" << run.kind
            << ": " << run.target << ")\n";
  std::cout << "  " << std::left << std::setw(40) << "group";
  for (const Verdict v : kAllVerdicts) std::cout << std::right << std::setw(6) << label(v, false);
  std::cout << "\n";
  for (const auto& [group, counts] : by_group) {
    std::cout << "  " << std::left << std::setw(40) << group;
    for (const Verdict v : kAllVerdicts) {
      const auto it = counts.find(v);
      std::cout << std::right << std::setw(6) << (it == counts.end() ? 0 : it->second);
    }
    std::cout << "\n";
  }
  std::cout << "  " << std::left << std::setw(40) << "total";
  for (const Verdict v : kAllVerdicts) std::cout << std::right << std::setw(6) << run.count(v);
  std::cout << "\n";
  const std::size_t failed = run.count(Verdict::fail);
  const std::string verdict = failed == 0 ? label(Verdict::pass, colour) : label(Verdict::fail, colour);
  std::cout << verdict << ": " << run.cases.size() << " cases, " << failed << " failed, in "
            << static_cast<long>(run.duration_ms) << " ms\n";
  std::size_t known = 0;
  for (const CaseResult& c : run.cases) known += c.verdict == Verdict::fail && c.known ? 1 : 0;
  if (known > 0) {
    std::cout << known << " known failure" << (known == 1 ? "" : "s")
              << (options.verbose ? " (listed above)" : " (see report; --verbose lists them)") << "\n";
  }
  if (!options.json_file.empty()) write_file(options.json_file, to_json(run));
  if (!options.junit_file.empty()) write_file(options.junit_file, to_junit_xml(run));
  if (!options.html_file.empty()) write_file(options.html_file, to_html({run}));
  for (const std::string* file : {&options.json_file, &options.junit_file, &options.html_file}) {
    if (!file->empty()) std::cout << "report: " << *file << "\n";
  }
  std::cout.flush();
  return failed == 0 ? 0 : 1;
}

std::string well_formed(const std::string& text) {
  if (utf8::is_valid(text)) return text;
  std::string out;
  utf8::decode_with_replacement(text, out);
  return out;
}

std::string to_json(const RunResult& run) {
  using Poco::JSON::Array;
  using Poco::JSON::Object;
  Object::Ptr root = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  root->set("format", "ssespec-results/1");
  root->set("ssespec", SSESPEC_VERSION);
  root->set("kind", run.kind);
  root->set("implementation", run.implementation);
  root->set("version", run.version);
  root->set("target", run.target);
  root->set("startedAt", run.started_at);
  root->set("durationMs", run.duration_ms);
  Object::Ptr summary = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const Verdict v : kAllVerdicts) summary->set(to_string(v), run.count(v));
  root->set("summary", summary);
  Array::Ptr cases = new Array;
  for (const CaseResult& c : run.cases) {
    Object::Ptr item = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    item->set("id", c.id);
    item->set("group", c.group);
    item->set("description", well_formed(c.description));
    item->set("verdict", to_string(c.verdict));
    item->set("message", well_formed(c.message));
    item->set("expected", well_formed(c.expected));
    item->set("observed", well_formed(c.observed));
    Array::Ptr spec = new Array;
    for (const SpecRef& ref : c.spec) {
      Object::Ptr r = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
      r->set("url", ref.url);
      r->set("quote", ref.quote);
      spec->add(r);
    }
    item->set("spec", spec);
    item->set("durationMs", c.duration_ms);
    if (c.known) item->set("known", true);
    cases->add(item);
  }
  root->set("cases", cases);
  std::ostringstream out;
  root->stringify(out, 1);
  out << "\n";
  return out.str();
}

RunResult run_from_json(const std::string& text, const std::string& source_name) {
  JsonNode root(Poco::Dynamic::Var(), source_name, "");
  try {
    Poco::JSON::Parser parser;
    root = JsonNode(parser.parse(text), source_name, "");
  } catch (const Poco::Exception& e) {
    throw FixtureError(source_name + ": not valid JSON: " + e.message());
  }
  if (root.string_or("format", "") != "ssespec-results/1") root.at("format").fail("expected \"ssespec-results/1\"");
  RunResult run;
  run.kind = root.at("kind").as_string();
  run.implementation = root.at("implementation").as_string();
  run.version = root.string_or("version", "");
  run.target = root.string_or("target", "");
  run.started_at = root.string_or("startedAt", "");
  run.duration_ms = root.has("durationMs") ? root.at("durationMs").value().convert<double>() : 0;
  root.at("cases").for_each([&](const JsonNode& node) {
    CaseResult c;
    c.id = node.at("id").as_string();
    c.group = node.at("group").as_string();
    c.description = node.string_or("description", "");
    try {
      c.verdict = verdict_from_string(node.at("verdict").as_string());
    } catch (const std::invalid_argument& e) {
      node.at("verdict").fail(e.what());
    }
    c.message = node.string_or("message", "");
    c.expected = node.string_or("expected", "");
    c.observed = node.string_or("observed", "");
    if (node.has("spec")) {
      node.at("spec").for_each([&](const JsonNode& ref) {
        c.spec.push_back({ref.at("url").as_string(), ref.string_or("quote", "")});
      });
    }
    c.duration_ms = node.has("durationMs") ? node.at("durationMs").value().convert<double>() : 0;
    c.known = node.bool_or("known", false);
    run.cases.push_back(std::move(c));
  });
  return run;
}

}  // namespace ssespec
