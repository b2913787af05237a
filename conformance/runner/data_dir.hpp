// Where ssespec finds its data: the fixture corpus and the browser runner's Node files.
// Installed, they sit next to the program (<prefix>/bin/ssespec, <prefix>/share/ssespec/);
// in a build tree the source checkout is the fallback, so developers need no install step.
#pragma once

#include <filesystem>
#include <string>

namespace ssespec {

// The fixture folder given on the command line (--fixtures DIR); it wins over everything else.
void set_fixtures_override(const std::filesystem::path& dir);

// <folder of this executable>/../share/ssespec when it holds fixtures/, else empty.
std::filesystem::path installed_data_dir();

// --fixtures DIR, else $SSESPEC_FIXTURES, else <installed>/fixtures, else the source tree's fixtures/.
std::filesystem::path default_fixtures_root();

// $SSESPEC_BROWSER_TESTS, else <installed>/browser-tests, else the source tree's browser-tests/.
std::filesystem::path default_browser_tests_dir();

// The corpus version: the first line of <fixtures>/VERSION, or "unknown" when it is missing.
std::string corpus_version(const std::filesystem::path& fixtures_root);

}  // namespace ssespec
