#include <iomanip>
#include <map>
#include <sstream>

#include "report/writers.hpp"

namespace ssespec {
namespace {

// XML 1.0 cannot carry most control characters, even escaped: show them as \u00XX instead.
std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          std::ostringstream hex;
          hex << "\\u" << std::hex << std::setw(4) << std::setfill('0') << static_cast<int>(c);
          out += hex.str();
        } else {
          out += ch;
        }
    }
  }
  return out;
}

// JUnit's time attribute: seconds as a plain decimal number, no unit (junit.xsd's "seconds").
std::string junit_time(double ms) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(3) << ms / 1000.0;
  return out.str();
}

}  // namespace

std::string to_junit_xml(const RunResult& run) {
  std::map<std::string, std::vector<const CaseResult*>> groups;
  for (const CaseResult& c : run.cases) groups[c.group].push_back(&c);
  const std::string suite_prefix = run.implementation + ": ";
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"" << xml_escape("ssespec " + run.kind + ": " + run.implementation) << "\" tests=\""
      << run.cases.size() << "\" failures=\"" << run.count(Verdict::fail) << "\" errors=\"0\" time=\"" << junit_time(run.duration_ms)
      << "\">\n";
  int suite_id = 0;
  for (const auto& [group, cases] : groups) {
    std::size_t failures = 0, skipped = 0;
    double ms = 0;
    for (const CaseResult* c : cases) {
      failures += c->verdict == Verdict::fail ? 1 : 0;
      skipped += c->verdict == Verdict::skip ? 1 : 0;
      ms += c->duration_ms;
    }
    out << "  <testsuite name=\"" << xml_escape(suite_prefix + group) << "\" id=\"" << suite_id++
        << "\" package=\"" << xml_escape(group) << "\" hostname=\"localhost\" timestamp=\""
        << xml_escape(run.started_at.empty() ? "1970-01-01T00:00:00" : run.started_at.substr(0, 19))
        << "\" tests=\"" << cases.size() << "\" failures=\"" << failures << "\" errors=\"0\" skipped=\""
        << skipped << "\" time=\"" << junit_time(ms) << "\">\n";
    out << "    <properties>\n      <property name=\"implementation\" value=\"" << xml_escape(run.implementation)
        << "\"/>\n      <property name=\"version\" value=\"" << xml_escape(run.version) << "\"/>\n"
        << "      <property name=\"target\" value=\"" << xml_escape(run.target) << "\"/>\n    </properties>\n";
    for (const CaseResult* c : cases) {
      out << "    <testcase name=\"" << xml_escape(c->id) << "\" classname=\"" << xml_escape(group) << "\" time=\""
          << junit_time(c->duration_ms) << "\"";
      const std::string spec = c->spec.empty() ? "" : "\nspec: " + c->spec.front().url;
      switch (c->verdict) {
        case Verdict::pass:
          out << "/>\n";
          break;
        case Verdict::fail:
          out << ">\n      <failure message=\"" << xml_escape(c->message) << "\" type=\"fail\">"
              << xml_escape(c->description + spec + "\nexpected:\n" + c->expected + "\nobserved:\n" + c->observed)
              << "</failure>\n    </testcase>\n";
          break;
        case Verdict::skip:
          out << ">\n      <skipped message=\"" << xml_escape(c->message) << "\"/>\n    </testcase>\n";
          break;
        case Verdict::warn:
        case Verdict::info:
          out << ">\n      <system-out>" << xml_escape(std::string(to_string(c->verdict)) + ": " + c->message + spec)
              << "</system-out>\n    </testcase>\n";
          break;
      }
    }
    out << "    <system-out></system-out>\n    <system-err></system-err>\n  </testsuite>\n";
  }
  out << "</testsuites>\n";
  return out.str();
}

}  // namespace ssespec
