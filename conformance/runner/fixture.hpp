// Loading the language-neutral fixture files (fixtures/README.md describes the format).
// Every malformed file is reported as a FixtureError naming the file and the field.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iterator>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "runner/data_dir.hpp"  // default_fixtures_root()
#include "json/json_error.hpp"
#include "report/spec_ref.hpp"
#include "ssespec/parser.hpp"

namespace ssespec {

// A parse case: a byte stream in chunks and the observations `ssespec parse` must print.
struct ParseCase {
  std::string group;        // "parse/line-endings": the file, relative to fixtures/, no .json
  std::string id;           // "crlf-split-across-chunks": stable, unique within the file
  std::string description;
  std::vector<SpecRef> spec;
  std::vector<std::string> chunks;     // raw bytes, in delivery order
  std::vector<Observation> expect;
  bool no_scan = false;     // too large to replay at every split offset
  std::string note;

  std::string full_id() const { return group + "/" + id; }
  std::string stream() const;  // the chunks joined
};

// Loads one parse fixture file; `group` names it in results and errors.
std::vector<ParseCase> load_parse_file(const std::filesystem::path& file, const std::string& group);

// Loads every fixtures/parse/*.json under `root`, in file-name order.
std::vector<ParseCase> load_parse_cases(const std::filesystem::path& root);

// Calls `load(file, group)` for every <root>/<area>/*.json in file-name order, with group
// "<area>/<file name without .json>". Returns false (calling nothing) if the folder is missing.
bool for_each_fixture_file(const std::filesystem::path& root, const std::string& area,
                           const std::function<void(const std::filesystem::path&, const std::string&)>& load);

// Every <root>/<area>/*.json loaded with `load_file`, in file-name order, concatenated (none if
// the folder is missing).
template <class Case>
std::vector<Case> load_fixture_area(const std::filesystem::path& root, const std::string& area,
                                    std::vector<Case> (*load_file)(const std::filesystem::path&, const std::string&)) {
  std::vector<Case> all;
  for_each_fixture_file(root, area, [&](const std::filesystem::path& file, const std::string& group) {
    std::vector<Case> cases = load_file(file, group);
    std::move(cases.begin(), cases.end(), std::back_inserter(all));
  });
  return all;
}

// A case id: kebab-case (a-z, 0-9 and '-', not at either end).
bool valid_case_id(const std::string& id);

class JsonNode;
// A case's "id": kebab-case and not yet in `ids` (where it is then added).
std::string load_case_id(const JsonNode& node, std::set<std::string>& ids);

// True if `full_id` matches a shell-style glob (`*` any run, `?` one character). A pattern
// without glob characters also matches as a prefix at a `/` boundary ("parse/data").
bool matches_filter(const std::string& full_id, const std::string& pattern);

// True if `full_id` matches any of `filters`, or if there are none (no filter selects all).
bool matches_any_filter(const std::string& full_id, const std::vector<std::string>& filters);

// The case selection of --filter and --exclude: matches a filter (or there is none) and no exclude.
bool is_selected(const std::string& full_id, const std::vector<std::string>& filters,
                 const std::vector<std::string>& excludes);

}  // namespace ssespec
