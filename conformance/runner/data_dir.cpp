#include "runner/data_dir.hpp"

#include <cstdlib>
#include <fstream>
#include <system_error>

#include "runner/environment.hpp"

#ifndef SSESPEC_SOURCE_DIR
#error "SSESPEC_SOURCE_DIR must name the source checkout (the developers' fallback)"
#endif

namespace ssespec {
namespace {

std::filesystem::path& fixtures_override() {
  static std::filesystem::path dir;
  return dir;
}

std::filesystem::path from_env(const char* name) {
  const char* value = std::getenv(name);
  return value && *value ? std::filesystem::path(value) : std::filesystem::path();
}

}  // namespace

void set_fixtures_override(const std::filesystem::path& dir) { fixtures_override() = dir; }

std::filesystem::path installed_data_dir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);  // the real file, not argv[0]
  if (ec) return {};
  const auto share = (exe.parent_path() / ".." / "share" / "ssespec").lexically_normal();
  return std::filesystem::is_directory(share / "fixtures", ec) ? share : std::filesystem::path();
}

std::filesystem::path default_fixtures_root() {
  if (!fixtures_override().empty()) return fixtures_override();
  if (auto env = from_env(env::kFixtures); !env.empty()) return env;
  if (auto installed = installed_data_dir(); !installed.empty()) return installed / "fixtures";
  return std::filesystem::path(SSESPEC_SOURCE_DIR) / "fixtures";
}

std::filesystem::path default_browser_tests_dir() {
  if (auto env = from_env(env::kBrowserTests); !env.empty()) return env;
  if (auto installed = installed_data_dir(); !installed.empty()) return installed / "browser-tests";
  return std::filesystem::path(SSESPEC_SOURCE_DIR) / "browser-tests";
}

std::string corpus_version(const std::filesystem::path& fixtures_root) {
  std::ifstream in(fixtures_root / "VERSION");
  std::string line;
  if (!in || !std::getline(in, line) || line.empty()) return "unknown";
  return line;
}

}  // namespace ssespec
