// The strict JSON parser behind every JSON reader: syntax errors with their place, numbers out of
// range, and keys named twice in one object.
#include "formats/json_parse.h"

#include <gtest/gtest.h>

#include <string>

#include "semblend/error.h"
#include "semblend/formats.h"
#include "semblend/speech.h"
#include "test_util.h"

namespace semblend::formats {
namespace {

// The InputError `text` raises, as its message.
std::string error_of(const std::string& text, std::size_t line_offset = 0) {
  try {
    parse_json_strict<nlohmann::json>(text, "in.json", line_offset);
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "in.json");
    return e.what();
  }
  ADD_FAILURE() << "no error for " << text;
  return {};
}

TEST(JsonParse, ReadsValidJsonInBothFlavours) {
  const std::string text = R"({"b": [1, {"x": 2}], "a": {"x": 3}, "c": [{"x": 4}, {"x": 5}]})";
  const auto j = parse_json_strict<nlohmann::json>(text, "in.json");
  EXPECT_EQ(j["c"][1]["x"], 5);
  const auto o = parse_json_strict<nlohmann::ordered_json>(text, "in.json");
  EXPECT_EQ(o.begin().key(), "b");  // the order written
  EXPECT_EQ(o.dump(), nlohmann::ordered_json::parse(text).dump());
}

TEST(JsonParse, ARepeatedKeyIsNamedWithItsPath) {
  std::string what = error_of(R"({"format": "a", "format": "b"})");
  EXPECT_TRUE(test::contains(what, "duplicate key \"format\"")) << what;
  what = error_of(R"({"frames": [{"t": 0}, {"t": 1, "bs": {"jawOpen": 0.1, "jawOpen": 0.9}}]})");
  EXPECT_TRUE(test::contains(what, "frames[1].bs: duplicate key \"jawOpen\"")) << what;
  what = error_of(R"({"a": [[1, 2], [3, {"x": 1, "x": 2}]]})");
  EXPECT_TRUE(test::contains(what, "a[1][1]: duplicate key \"x\"")) << what;
  what = error_of(R"({"a": {"b": {"c": 1}, "d": 2, "d": 3}})");
  EXPECT_TRUE(test::contains(what, "a: duplicate key \"d\"")) << what;
}

TEST(JsonParse, TheSameKeyInDifferentObjectsIsFine) {
  EXPECT_NO_THROW(parse_json_strict<nlohmann::json>(
      R"([{"x": 1}, {"x": 2, "y": {"x": 3}}, {"x": [{"x": 4}]}])", "in.json"));
}

TEST(JsonParse, ALineOfJsonLinesIsNamed) {
  try {
    parse_json_strict<nlohmann::json>(R"({"x": 1, "x": 2})", "in.jsonl", 6);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 7u);
  }
  try {
    parse_json_strict<nlohmann::json>("{\"x\": }", "in.jsonl", 6);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 7u);
    EXPECT_EQ(e.column(), 7u);
  }
}

TEST(JsonParse, SyntaxAndRangeErrors) {
  EXPECT_TRUE(test::contains(error_of("{\"x\": 1e999}"), "invalid JSON"))
      << error_of("{\"x\": 1e999}");
  EXPECT_TRUE(test::contains(error_of("  "), "empty"));
  EXPECT_TRUE(test::contains(error_of("[1, 2"), "invalid JSON"));
}

// Every JSON reader goes through it: here the phone alignment reader.
TEST(JsonParse, ReadersRefuseRepeatedKeys) {
  const std::string what = [] {
    try {
      parse_phone_alignment_json(R"({"b": 0, "d": 1, "t": "x", "b": 0.5, "w": []})", "p.json");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  }();
  EXPECT_TRUE(test::contains(what, "duplicate key \"b\"")) << what;
  EXPECT_TRUE(test::contains(what, "p.json")) << what;
}

// The public form for callers that parse JSON themselves (the preference server's bodies).
TEST(JsonParse, CheckJsonIsThePublicRule) {
  EXPECT_NO_THROW(check_json(R"({"a": {"x": 1}, "b": {"x": 2}})", "body"));
  try {
    check_json(R"({"a": [{"x": 1, "x": 2}]})", "body");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "body");
    EXPECT_EQ(e.problem(), "a[0]: duplicate key \"x\" (an object may name each key once)");
  }
  try {
    check_json("{\"a\": }", "body");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 1u);
    EXPECT_EQ(e.column(), 7u);
  }
}

}  // namespace
}  // namespace semblend::formats
