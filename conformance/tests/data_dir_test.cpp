// Where the data is found (runner/data_dir.hpp) and the expectations a first CI run records
// (--write-expectations) reading back as the file later runs compare with.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "runner/data_dir.hpp"
#include "runner/expectations.hpp"

namespace ssespec {
namespace {

class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("ssespec-data-dir-test-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(DataDirTest, CommandLineBeatsEnvironmentBeatsSourceTree) {
  ::unsetenv("SSESPEC_FIXTURES");
  set_fixtures_override({});
  // A test binary is not installed: the source tree's corpus is the fallback.
  const auto fallback = default_fixtures_root();
  EXPECT_TRUE(installed_data_dir().empty());
  EXPECT_TRUE(std::filesystem::is_directory(fallback / "parse")) << fallback;

  ::setenv("SSESPEC_FIXTURES", "/from/env", 1);
  EXPECT_EQ(default_fixtures_root(), "/from/env");
  set_fixtures_override("/from/option");
  EXPECT_EQ(default_fixtures_root(), "/from/option");

  set_fixtures_override({});
  ::unsetenv("SSESPEC_FIXTURES");
  EXPECT_EQ(default_fixtures_root(), fallback);
}

TEST(DataDirTest, BrowserRunnerFilesFollowTheSameOrder) {
  ::setenv("SSESPEC_BROWSER_TESTS", "/from/env", 1);
  EXPECT_EQ(default_browser_tests_dir(), "/from/env");
  ::unsetenv("SSESPEC_BROWSER_TESTS");
  EXPECT_TRUE(std::filesystem::exists(default_browser_tests_dir() / "package-lock.json"));
}

TEST(DataDirTest, CorpusVersionIsTheFirstLineOfVersion) {
  TempDir dir;
  EXPECT_EQ(corpus_version(dir.path()), "unknown");
  std::ofstream(dir.path() / "VERSION") << "3.2\nnotes\n";
  EXPECT_EQ(corpus_version(dir.path()), "3.2");
  EXPECT_NE(corpus_version(default_fixtures_root()), "unknown");  // the real corpus has one
}

RunResult run_with_two_failures() {
  RunResult run;
  run.kind = "client";
  run.implementation = "some client";
  run.version = "1.2";
  for (const char* id : {"client/a/fails", "client/a/passes", "client/b/fails-too"}) {
    CaseResult c;
    c.id = id;
    c.verdict = std::string(id).find("fails") != std::string::npos ? Verdict::fail : Verdict::pass;
    c.message = "observed something else";
    run.cases.push_back(c);
  }
  return run;
}

TEST(WriteExpectationsTest, RecordedFailuresLoadBackAndKeepReviewedReasons) {
  TempDir dir;
  const auto file = (dir.path() / "expectations.json").string();
  std::map<std::string, Expectation> previous;
  previous["client/b/fails-too"] = {"client/b/fails-too", "reviewed: the client ignores retry", "deviation", "1.1", true};
  ASSERT_TRUE(write_expectations(run_with_two_failures(), previous, file));

  const auto loaded = load_expectations(file);
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded.at("client/a/fails").reason, "observed something else");
  EXPECT_EQ(loaded.at("client/a/fails").kind, "deviation");
  EXPECT_EQ(loaded.at("client/a/fails").version, "1.2");
  EXPECT_EQ(loaded.at("client/b/fails-too").reason, "reviewed: the client ignores retry");
  EXPECT_TRUE(loaded.at("client/b/fails-too").flaky);
  // The same run compared with what it recorded: exactly the known failures.
  EXPECT_EQ(compare_with_expectations(run_with_two_failures(), loaded, file), 0);
}

TEST(WriteExpectationsTest, UnwritableFileFailsAndLeavesNothing) {
  TempDir dir;
  const auto file = dir.path() / "no-such-folder" / "expectations.json";
  EXPECT_FALSE(write_expectations(run_with_two_failures(), {}, file.string()));
  EXPECT_FALSE(std::filesystem::exists(file.parent_path()));
}

}  // namespace
}  // namespace ssespec
