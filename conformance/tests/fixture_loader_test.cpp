// A malformed fixture fails loudly, naming the file and the field.
#include <gtest/gtest.h>

#include <fstream>

#include "runner/fixture.hpp"

namespace ssespec {
namespace {

class FixtureLoaderTest : public testing::Test {
 protected:
  std::string load_error(const std::string& json) {
    const auto path = std::filesystem::temp_directory_path() /
                      ("ssespec-loader-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".json");
    std::ofstream(path) << json;
    std::string error;
    try {
      load_parse_file(path, "parse/sample");
    } catch (const FixtureError& e) {
      error = e.what();
    }
    std::filesystem::remove(path);
    return error;
  }

  static std::string wrap(const std::string& case_json) {
    return R"({"description": "d", "cases": [)" + case_json + "]}";
  }
  static constexpr const char* kSpec =
      R"("spec": [{"url": "https://html.spec.whatwg.org/multipage/server-sent-events.html#dispatchMessage"}])";
};

TEST_F(FixtureLoaderTest, ValidCaseLoads) {
  EXPECT_EQ(load_error(wrap(std::string(R"({"id": "ok", "description": "d", )") + kSpec +
                            R"(, "chunks": ["data: a\n", {"hex": "0a"}], "expect": [{"retry": 5}]})")),
            "");
}

TEST_F(FixtureLoaderTest, SyntaxErrorNamesTheFile) {
  EXPECT_NE(load_error("{\"cases\": [").find("fixtures/parse/sample.json: not valid JSON"), std::string::npos);
}

TEST_F(FixtureLoaderTest, MissingFieldIsNamed) {
  EXPECT_EQ(load_error(wrap(std::string(R"({"id": "a", "description": "d", )") + kSpec + R"(, "chunks": []})")),
            "fixtures/parse/sample.json: cases[0].expect: missing");
}

TEST_F(FixtureLoaderTest, WrongTypeIsNamed) {
  EXPECT_EQ(load_error(wrap(std::string(R"({"id": "a", "description": "d", )") + kSpec +
                            R"(, "chunks": [7], "expect": []})")),
            "fixtures/parse/sample.json: cases[0].chunks[0]: expected a string, an array, or an object with hex, "
            "base64 or repeat");
}

TEST_F(FixtureLoaderTest, BadHexIsNamed) {
  EXPECT_EQ(load_error(wrap(std::string(R"({"id": "a", "description": "d", )") + kSpec +
                            R"(, "chunks": [{"hex": "0g"}], "expect": []})")),
            "fixtures/parse/sample.json: cases[0].chunks[0].hex: not a hex digit: 'g'");
}

TEST_F(FixtureLoaderTest, UnknownFieldIsRejected) {
  EXPECT_EQ(load_error(wrap(std::string(R"({"id": "a", "description": "d", )") + kSpec +
                            R"(, "chunks": [], "expect": [], "expected": []})")),
            "fixtures/parse/sample.json: cases[0].expected: unknown field");
}

TEST_F(FixtureLoaderTest, DuplicateIdIsRejected) {
  const std::string c = std::string(R"({"id": "a", "description": "d", )") + kSpec + R"(, "chunks": [], "expect": []})";
  EXPECT_EQ(load_error(wrap(c + "," + c)), "fixtures/parse/sample.json: cases[1].id: duplicate id 'a'");
}

TEST_F(FixtureLoaderTest, SpecMustLinkAWhatwgAnchor) {
  EXPECT_EQ(load_error(wrap(R"({"id": "a", "description": "d", "spec": [{"url": "https://example.com/"}],
                               "chunks": [], "expect": []})")),
            "fixtures/parse/sample.json: cases[0].spec[0].url: must link an anchor (#...) in a WHATWG spec");
}

TEST(FilterTest, GlobAndPrefixMatching) {
  EXPECT_TRUE(matches_filter("parse/field-id/nul-ignored", "parse/field-id/*"));
  EXPECT_TRUE(matches_filter("parse/field-id/nul-ignored", "parse/field-id"));
  EXPECT_TRUE(matches_filter("parse/field-id/nul-ignored", "*nul*"));
  EXPECT_FALSE(matches_filter("parse/field-id-extra/x", "parse/field-id"));
  EXPECT_FALSE(matches_filter("parse/field-id/nul-ignored", "client/*"));
}

TEST(FilterTest, AnyFilterSelectsAndNoFilterSelectsAll) {
  EXPECT_TRUE(matches_any_filter("parse/bom/x", {}));
  EXPECT_TRUE(matches_any_filter("parse/bom/x", {"client/*", "parse/bom"}));
  EXPECT_FALSE(matches_any_filter("parse/bom/x", {"client/*", "parse/field-id"}));
}

TEST(FilterTest, ExcludeWinsOverFilter) {
  EXPECT_TRUE(is_selected("parse/bom/x", {}, {}));
  EXPECT_TRUE(is_selected("parse/bom/x", {"parse/*"}, {"parse/field-id"}));
  EXPECT_FALSE(is_selected("parse/bom/x", {}, {"*/bom/*"}));
  EXPECT_FALSE(is_selected("parse/bom/x", {"parse/bom"}, {"parse/bom/x"}));
  EXPECT_FALSE(is_selected("parse/bom/x", {"client/*"}, {}));
}

}  // namespace
}  // namespace ssespec
