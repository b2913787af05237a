#include "runner/expectations.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <vector>

#include "json/json_node.hpp"

namespace ssespec {

std::map<std::string, Expectation> load_expectations(const std::string& file) {
  const JsonNode root = JsonNode::parse_file(file, file);
  root.allow_only({"$schema", "adapter", "implementation", "browserVersion", "description", "failures"});
  std::map<std::string, Expectation> out;
  root.at("failures").for_each([&](const JsonNode& f) {
    f.allow_only({"id", "reason", "kind", "version", "flaky"});
    Expectation e{f.at("id").as_string(), f.at("reason").as_string(), f.at("kind").as_string(),
                  f.string_or("version", root.string_or("browserVersion", "")), f.bool_or("flaky", false)};
    if (e.kind != "deviation" && e.kind != "fixture") f.at("kind").fail("expected \"deviation\" or \"fixture\"");
    if (e.reason.empty()) f.at("reason").fail("say why");
    if (!out.emplace(e.id, e).second) f.at("id").fail("listed twice");
  });
  return out;
}

void annotate_known_failures(RunResult& run, const std::map<std::string, Expectation>& expected,
                             const std::string& file) {
  for (CaseResult& c : run.cases) {
    const auto it = expected.find(c.id);
    if (it != expected.end() && c.verdict == Verdict::fail) {
      c.known = true;
      // The file's name, not its path: the message is repeated in every report cell.
      c.message = "known " + it->second.kind + " (" + std::filesystem::path(file).filename().string() +
                  "): " + it->second.reason + " | " + c.message;
    }
  }
}

int compare_with_expectations(const RunResult& run, const std::map<std::string, Expectation>& expected,
                              const std::string& file, bool list_known) {
  std::vector<std::string> new_failures, fixed, matched;
  std::set<std::string> ran;
  for (const CaseResult& c : run.cases) {
    ran.insert(c.id);
    const auto it = expected.find(c.id);
    if (c.verdict == Verdict::fail && it == expected.end()) new_failures.push_back(c.id + ": " + c.message);
    if (c.verdict == Verdict::pass && it != expected.end() && !it->second.flaky) fixed.push_back(c.id);
    if (c.verdict == Verdict::fail && it != expected.end()) matched.push_back(c.id);
  }
  std::cout << "\nexpectations (" << file << "): " << matched.size() << " known deviation(s) of " << run.implementation
            << (run.version.empty() ? "" : " " + run.version) << " matched\n";
  for (const std::string& id : list_known ? matched : std::vector<std::string>{}) {
    const Expectation& e = expected.at(id);
    std::cout << "  known        " << id << " (" << e.kind << (e.flaky ? ", flaky" : "")
              << (e.version.empty() ? "" : ", since " + e.version) << "): " << e.reason << "\n";
  }
  for (const std::string& f : new_failures) std::cout << "  NEW FAILURE  " << f << "\n";
  for (const std::string& f : fixed) std::cout << "  NOW PASSES   " << f << " (remove it from the expectations)\n";
  std::vector<std::string> not_run;
  for (const auto& [id, e] : expected) {
    if (!ran.count(id)) not_run.push_back(id);
  }
  if (not_run.size() > 5) {
    std::cout << "  not run      " << not_run.size() << " listed case(s) (filtered, skipped, or no such case)\n";
  } else {
    for (const std::string& id : not_run) std::cout << "  not run      " << id << " (filtered, skipped, or no such case)\n";
  }
  return new_failures.empty() && fixed.empty() ? 0 : 1;
}

bool write_expectations(const RunResult& run, const std::map<std::string, Expectation>& previous,
                        const std::string& file) {
  Poco::JSON::Array failures;
  for (const CaseResult& c : run.cases) {
    if (c.verdict != Verdict::fail) continue;
    const auto it = previous.find(c.id);
    Expectation e = it != previous.end() ? it->second : Expectation{c.id, c.message, "deviation", run.version, false};
    Poco::JSON::Object entry(Poco::JSON_PRESERVE_KEY_ORDER);
    entry.set("id", e.id);
    entry.set("kind", e.kind);
    entry.set("reason", e.reason.empty() ? "failed" : e.reason);
    if (!e.version.empty()) entry.set("version", e.version);
    if (e.flaky) entry.set("flaky", true);
    failures.add(entry);
  }
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  root.set("implementation", run.implementation + (run.version.empty() ? "" : " " + run.version));
  root.set("description", "Recorded by ssespec " + run.kind + " --write-expectations on " + run.started_at +
                              " from " + run.target + "; review each reason.");
  root.set("failures", failures);
  const std::string temp = file + ".tmp";  // written whole, then renamed: a failed write loses no old file
  bool written = false;
  {
    std::ofstream out(temp);
    root.stringify(out, 2);
    out << "\n";
    written = static_cast<bool>(out);
  }
  if (!written || std::rename(temp.c_str(), file.c_str()) != 0) {
    std::remove(temp.c_str());
    std::cerr << "ssespec: " << file << ": cannot write the expectations\n";
    return false;
  }
  std::cout << "\nexpectations written (" << file << "): " << failures.size() << " failure(s) recorded\n";
  return true;
}

int finish_run_with_expectations(RunResult& run, const std::map<std::string, Expectation>& expected,
                                 const std::string& expectations_file, const std::string& write_file,
                                 const ReportOptions& report) {
  constexpr int kCannotWrite = 2;  // the commands' usage/IO status (commands.hpp kExitUsage)
  // A known deviation stays a failure in every report (the implementation does break the rule);
  // the message says it is known, and the exit status compares with the expectations.
  annotate_known_failures(run, expected, expectations_file);
  const int status = finish_run(run, report);
  if (!write_file.empty()) return write_expectations(run, expected, write_file) ? 0 : kCannotWrite;
  if (expectations_file.empty()) return status;
  return compare_with_expectations(run, expected, expectations_file, report.verbose);
}

}  // namespace ssespec
