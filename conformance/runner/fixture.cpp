#include "fixture.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "json/json_node.hpp"

namespace ssespec {
namespace {

constexpr const char* kSpecPrefixes[] = {
    "https://html.spec.whatwg.org/multipage/",
    "https://encoding.spec.whatwg.org/",
    "https://fetch.spec.whatwg.org/",
    "https://mimesniff.spec.whatwg.org/",
    "https://infra.spec.whatwg.org/",
    "https://dom.spec.whatwg.org/",     // events: fire, create, listener order
    "https://webidl.spec.whatwg.org/",  // argument conversion
};

std::vector<SpecRef> load_spec(const JsonNode& node) {
  std::vector<SpecRef> refs;
  if (node.size() == 0) node.fail("cite at least one spec rule");
  node.for_each([&](const JsonNode& ref) {
    ref.allow_only({"url", "quote"});
    SpecRef r{ref.at("url").as_string(), ref.string_or("quote", "")};
    const bool known = std::any_of(std::begin(kSpecPrefixes), std::end(kSpecPrefixes),
                                   [&](const char* p) { return r.url.rfind(p, 0) == 0; });
    if (!known || r.url.find('#') == std::string::npos) {
      ref.at("url").fail("must link an anchor (#...) in a WHATWG spec");
    }
    refs.push_back(std::move(r));
  });
  return refs;
}

Observation load_observation(const JsonNode& node) {
  if (node.has("retry")) {
    node.allow_only({"retry"});
    const std::int64_t ms = node.at("retry").as_integer();
    if (ms < 0) node.at("retry").fail("must not be negative");
    return {Observation::Kind::retry, {}, {}, {}, static_cast<std::uint64_t>(ms)};
  }
  node.allow_only({"type", "data", "lastEventId"});
  return {Observation::Kind::event, node.at("type").as_bytes(), node.at("data").as_bytes(),
          node.at("lastEventId").as_bytes(), 0};
}

}  // namespace

bool valid_case_id(const std::string& id) {
  if (id.empty() || id.front() == '-' || id.back() == '-') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::string load_case_id(const JsonNode& node, std::set<std::string>& ids) {
  const std::string id = node.at("id").as_string();
  if (!valid_case_id(id)) node.at("id").fail("must be kebab-case: a-z, 0-9 and '-'");
  if (!ids.insert(id).second) node.at("id").fail("duplicate id '" + id + "'");
  return id;
}

std::string ParseCase::stream() const {
  std::string all;
  for (const std::string& chunk : chunks) all += chunk;
  return all;
}

std::vector<ParseCase> load_parse_file(const std::filesystem::path& file, const std::string& group) {
  const std::string display = "fixtures/" + group + ".json";
  const JsonNode root = JsonNode::parse_file(file, display);
  root.allow_only({"$schema", "description", "cases"});
  root.at("description").as_string();
  const JsonNode cases = root.at("cases");
  std::vector<ParseCase> out;
  std::set<std::string> ids;
  cases.for_each([&](const JsonNode& node) {
    node.allow_only({"id", "description", "spec", "chunks", "expect", "noScan", "note"});
    ParseCase c;
    c.group = group;
    c.id = load_case_id(node, ids);
    c.description = node.at("description").as_string();
    c.spec = load_spec(node.at("spec"));
    const JsonNode chunks = node.at("chunks");
    chunks.for_each([&](const JsonNode& chunk) { c.chunks.push_back(chunk.as_bytes()); });
    node.at("expect").for_each([&](const JsonNode& obs) { c.expect.push_back(load_observation(obs)); });
    c.no_scan = node.bool_or("noScan", false);
    c.note = node.string_or("note", "");
    out.push_back(std::move(c));
  });
  return out;
}

std::vector<ParseCase> load_parse_cases(const std::filesystem::path& root) {
  const std::filesystem::path dir = root / "parse";
  if (!std::filesystem::is_directory(dir)) throw FixtureError(dir.string() + ": no such fixture folder");
  return load_fixture_area(root, "parse", &load_parse_file);
}

bool for_each_fixture_file(const std::filesystem::path& root, const std::string& area,
                           const std::function<void(const std::filesystem::path&, const std::string&)>& load) {
  const std::filesystem::path dir = root / area;
  if (!std::filesystem::is_directory(dir)) return false;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) load(file, area + "/" + file.stem().string());
  return true;
}

namespace {
bool glob_match(const char* p, const char* s) {
  // Iterative glob with backtracking to the last '*': linear in practice.
  const char* star = nullptr;
  const char* resume = nullptr;
  while (*s) {
    if (*p == '?' || *p == *s) {
      ++p;
      ++s;
    } else if (*p == '*') {
      star = p++;
      resume = s;
    } else if (star) {
      p = star + 1;
      s = ++resume;
    } else {
      return false;
    }
  }
  while (*p == '*') ++p;
  return *p == '\0';
}
}  // namespace

bool matches_filter(const std::string& full_id, const std::string& pattern) {
  if (pattern.find_first_of("*?") != std::string::npos) return glob_match(pattern.c_str(), full_id.c_str());
  if (full_id == pattern) return true;
  return full_id.rfind(pattern, 0) == 0 && (pattern.back() == '/' || full_id[pattern.size()] == '/');
}

bool matches_any_filter(const std::string& full_id, const std::vector<std::string>& filters) {
  return filters.empty() || std::any_of(filters.begin(), filters.end(),
                                        [&](const std::string& f) { return matches_filter(full_id, f); });
}

bool is_selected(const std::string& full_id, const std::vector<std::string>& filters,
                 const std::vector<std::string>& excludes) {
  return matches_any_filter(full_id, filters) &&
         std::none_of(excludes.begin(), excludes.end(), [&](const std::string& x) { return matches_filter(full_id, x); });
}

}  // namespace ssespec
