// Every parse fixture against the reference parser, at every chunking (runner/parse_runner).
// A failure prints the case id, its file, the chunking and an expected/observed diff.
#include <gtest/gtest.h>

#include "runner/fixture.hpp"
#include "runner/parse_runner.hpp"

namespace ssespec {
namespace {

struct Corpus {
  std::vector<ParseCase> cases;
  std::string error;  // a FixtureError while loading, reported by its own test
};

const Corpus& corpus() {
  static const Corpus loaded = [] {
    Corpus c;
    try {
      c.cases = load_parse_cases(SSESPEC_FIXTURES_DIR);
    } catch (const FixtureError& e) {
      c.error = e.what();
    }
    return c;
  }();
  return loaded;
}

TEST(ParseFixtureFiles, LoadWithoutErrors) {
  EXPECT_EQ(corpus().error, "");
  EXPECT_GE(corpus().cases.size(), 120u) << "the parse corpus promises at least 120 cases";
}

}  // namespace

// Names the case instead of dumping its bytes when GoogleTest prints the parameter.
void PrintTo(const ParseCase* c, std::ostream* out) { *out << c->full_id(); }

namespace {

// Parameters point into the loaded corpus: copying megabyte streams per test would dominate.
class ParseFixture : public testing::TestWithParam<const ParseCase*> {};

TEST_P(ParseFixture, MatchesAtEveryChunking) {
  const ParseCase& c = *GetParam();
  const ParseVerdict verdict = run_parse_case(c);
  EXPECT_TRUE(verdict.pass) << c.full_id() << " (fixtures/" << c.group << ".json), chunking " << verdict.failed_chunking
                            << ": " << c.description << "\n  spec: " << c.spec.front().url << "\n"
                            << verdict.diff;
}

std::vector<const ParseCase*> case_pointers() {
  std::vector<const ParseCase*> out;
  for (const ParseCase& c : corpus().cases) out.push_back(&c);
  return out;
}

std::string test_name(const testing::TestParamInfo<const ParseCase*>& info) {
  std::string name = info.param->full_id();
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, ParseFixture, testing::ValuesIn(case_pointers()), test_name);

}  // namespace
}  // namespace ssespec
