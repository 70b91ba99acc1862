// Malformed inputs: every reader throws InputError naming the file, line and column (or IoError for
// a file it must not read). The bad files are made by editing a valid encoded demo take.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>
#include <typeinfo>
#include <vector>

#include "semblend/demo.h"
#include "semblend/error.h"
#include "semblend/formats.h"
#include "test_util.h"

namespace semblend {
namespace {

// ---------------------------------------------------------------------------------------------
// Helpers

const Take& demo() {
  static const Take take = make_demo_take(10).take;  // 65 frames
  return take;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    lines.push_back(text.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

struct Edit {
  std::string text;
  std::size_t column = 0;  // 1-based column of the edited field
};

// Replaces field `field` (0-based) of line `line_no` (1-based) in a CSV text.
Edit set_csv_field(const std::string& csv, std::size_t line_no, std::size_t field,
                   const std::string& value) {
  std::vector<std::string> lines = lines_of(csv);
  std::string& line = lines.at(line_no - 1);
  std::size_t start = 0;
  for (std::size_t i = 0; i < field; ++i) start = line.find(',', start) + 1;
  const auto end = line.find(',', start);
  line.replace(start, end == std::string::npos ? std::string::npos : end - start, value);
  return {join_lines(lines), start + 1};
}

// Parses `text` and expects an InputError at `line`:`column` whose message names `name`.
// Returns the message.
std::string expect_error_at(const std::function<void()>& parse, const std::string& name,
                            std::size_t line, std::size_t column) {
  try {
    parse();
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.file(), name) << what;
    EXPECT_EQ(e.line(), line) << what;
    EXPECT_EQ(e.column(), column) << what;
    std::string where = name;
    if (line > 0) where += ":" + std::to_string(line);
    if (line > 0 && column > 0) where += ":" + std::to_string(column);
    EXPECT_EQ(what.rfind(where + ": ", 0), 0u) << what;
    return what;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected InputError, got " << typeid(e).name() << ": " << e.what();
    return {};
  }
  ADD_FAILURE() << "expected InputError, nothing thrown";
  return {};
}

std::string csv_error_at(const std::string& text, std::size_t line, std::size_t column) {
  return expect_error_at([&] { parse_take(text, TakeFormat::LiveLinkCsv, "bad.csv"); }, "bad.csv",
                         line, column);
}

std::string valid_csv() {
  return encode_livelink_csv(demo());
}

// ---------------------------------------------------------------------------------------------
// Live Link CSV

TEST(BadCsv, TheUneditedDemoCsvIsValid) {
  const Take take = parse_livelink_csv(valid_csv(), "good.csv");
  EXPECT_EQ(take.frames.size(), demo().frames.size());
}

TEST(BadCsv, ExtraColumnInARow) {
  std::vector<std::string> lines = lines_of(valid_csv());
  const std::size_t column = lines[4].size() + 2;  // where the 64th field starts
  lines[4] += ",0.5";
  const std::string what = csv_error_at(join_lines(lines), 5, column);
  EXPECT_TRUE(test::contains(what, "expected 63 fields, got 64")) << what;
}

TEST(BadCsv, MissingColumnInARow) {
  std::vector<std::string> lines = lines_of(valid_csv());
  lines[6].erase(lines[6].rfind(','));  // drop the last field
  const std::size_t last_field = lines[6].rfind(',') + 2;
  const std::string what = csv_error_at(join_lines(lines), 7, last_field);
  EXPECT_TRUE(test::contains(what, "expected 63 fields, got 62")) << what;
  EXPECT_FALSE(test::contains(what, "truncated")) << what;
}

TEST(BadCsv, NonNumericValue) {
  const Edit e = set_csv_field(valid_csv(), 8, 12, "abc");
  const std::string what = csv_error_at(e.text, 8, e.column);
  EXPECT_TRUE(test::contains(what, "not a number")) << what;
  EXPECT_TRUE(test::contains(what, "EyeLookOutRight")) << what;  // the column's name (field 12)
}

TEST(BadCsv, EmptyValue) {
  const Edit e = set_csv_field(valid_csv(), 3, 20, "");
  const std::string what = csv_error_at(e.text, 3, e.column);
  EXPECT_TRUE(test::contains(what, "empty value")) << what;
}

TEST(BadCsv, NaNValue) {
  const Edit e = set_csv_field(valid_csv(), 9, 30, "nan");
  const std::string what = csv_error_at(e.text, 9, e.column);
  EXPECT_TRUE(test::contains(what, "NaN")) << what;
  const Edit upper = set_csv_field(valid_csv(), 9, 30, "NaN");
  csv_error_at(upper.text, 9, upper.column);
}

TEST(BadCsv, InfiniteValue) {
  const Edit e = set_csv_field(valid_csv(), 4, 5, "inf");
  const std::string what = csv_error_at(e.text, 4, e.column);
  EXPECT_TRUE(test::contains(what, "infinite")) << what;
  const Edit huge = set_csv_field(valid_csv(), 4, 5, "1e400");
  const std::string what2 = csv_error_at(huge.text, 4, huge.column);
  EXPECT_TRUE(test::contains(what2, "out of range")) << what2;
}

TEST(BadCsv, CoefficientOutOfRange) {
  const Edit e = set_csv_field(valid_csv(), 10, 2, "1.5");
  const std::string what = csv_error_at(e.text, 10, e.column);
  EXPECT_TRUE(test::contains(what, "EyeBlinkLeft")) << what;
  EXPECT_TRUE(test::contains(what, "outside [0, 1]")) << what;
  const Edit low = set_csv_field(valid_csv(), 10, 2, "-0.2");
  csv_error_at(low.text, 10, low.column);
}

TEST(BadCsv, SmallOvershootIsAccepted) {
  const Edit e = set_csv_field(valid_csv(), 10, 2, "1.04");
  const Take take = parse_livelink_csv(e.text, "overshoot.csv");
  EXPECT_EQ(take.frames[8].coefficients[Blendshape::EyeBlinkLeft], 1.04f);
}

TEST(BadCsv, AngleOutOfRange) {
  const Edit e = set_csv_field(valid_csv(), 6, 54, "3.5");  // HeadYaw
  const std::string what = csv_error_at(e.text, 6, e.column);
  EXPECT_TRUE(test::contains(what, "HeadYaw")) << what;
}

TEST(BadCsv, TruncatedLastRow) {
  const std::string csv = valid_csv();
  const std::vector<std::string> lines = lines_of(csv);
  const std::string& last = lines.back();
  const std::string cut = csv.substr(0, csv.size() - 1 - last.size() / 2);  // half the last row
  const std::string cut_row = last.substr(0, last.size() - last.size() / 2);
  const std::size_t last_field = cut_row.rfind(',') + 2;
  const std::string what = csv_error_at(cut, lines.size(), last_field);
  EXPECT_TRUE(test::contains(what, "truncated")) << what;
}

TEST(BadCsv, EmptyFile) {
  const std::string what = csv_error_at("", 0, 0);
  EXPECT_TRUE(test::contains(what, "empty")) << what;
}

TEST(BadCsv, FileWithOnlyAByteOrderMark) {
  const std::string what = csv_error_at("\xEF\xBB\xBF", 0, 0);
  EXPECT_TRUE(test::contains(what, "empty")) << what;
}

TEST(BadCsv, HeaderOnly) {
  const std::string csv = valid_csv();
  const std::string what = csv_error_at(csv.substr(0, csv.find('\n') + 1), 1, 0);
  EXPECT_TRUE(test::contains(what, "no rows")) << what;
}

TEST(BadCsv, BinaryGarbage) {
  const std::string garbage("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  const std::string what = csv_error_at(garbage, 2, 1);  // the 0x1A byte opens line 2
  EXPECT_TRUE(test::contains(what, "binary")) << what;
}

TEST(BadCsv, NulByteInsideARow) {
  std::vector<std::string> lines = lines_of(valid_csv());
  lines[3][7] = '\0';
  const std::string what = csv_error_at(join_lines(lines), 4, 8);
  EXPECT_TRUE(test::contains(what, "0x00")) << what;
}

TEST(BadCsv, WrongBlendShapeCount) {
  const Edit e = set_csv_field(valid_csv(), 2, 1, "52");
  EXPECT_EQ(e.column, 17u);  // after "HH:MM:SS:FF.fff,"
  const std::string what = csv_error_at(e.text, 2, 17);
  EXPECT_TRUE(test::contains(what, "BlendShapeCount")) << what;
  EXPECT_TRUE(test::contains(what, "61")) << what;
}

TEST(BadCsv, HeaderWithWrongColumnCount) {
  std::vector<std::string> lines = lines_of(valid_csv());
  lines[0].erase(lines[0].rfind(','));
  const std::string what = csv_error_at(join_lines(lines), 1, 0);
  EXPECT_TRUE(test::contains(what, "header has 62 columns")) << what;
}

TEST(BadCsv, UnknownHeaderColumn) {
  const Edit e = set_csv_field(valid_csv(), 1, 20, "MouthSmile");
  const std::string what = csv_error_at(e.text, 1, e.column);
  EXPECT_TRUE(test::contains(what, "MouthSmile")) << what;
}

TEST(BadCsv, DuplicateHeaderColumn) {
  const Edit e = set_csv_field(valid_csv(), 1, 3, "EyeBlinkLeft");
  const std::string what = csv_error_at(e.text, 1, e.column);
  EXPECT_TRUE(test::contains(what, "twice")) << what;
}

TEST(BadCsv, NotALiveLinkHeader) {
  csv_error_at("time,value\n0,1\n", 1, 1);
}

TEST(BadCsv, MalformedTimecode) {
  const Edit e = set_csv_field(valid_csv(), 5, 0, "00:00:0x:03.000");
  const std::string what = csv_error_at(e.text, 5, 1);
  EXPECT_TRUE(test::contains(what, "timecode")) << what;
}

TEST(BadCsv, TimecodeThatDoesNotAdvance) {
  std::vector<std::string> lines = lines_of(valid_csv());
  lines[5] = lines[4];  // line 6 repeats line 5
  const std::string what = csv_error_at(join_lines(lines), 6, 1);
  EXPECT_TRUE(test::contains(what, "does not advance")) << what;
}

TEST(BadCsv, EmptyRowInTheMiddle) {
  std::vector<std::string> lines = lines_of(valid_csv());
  lines[10].clear();
  csv_error_at(join_lines(lines), 11, 1);
}

TEST(BadCsv, TrailingBlankLinesAreHarmless) {
  EXPECT_EQ(parse_livelink_csv(valid_csv() + "\n\n", "blank.csv").frames.size(),
            demo().frames.size());
}

TEST(BadCsv, ReadTakeNamesThePathOfTheFile) {
  test::TempDir tmp;
  const std::string path = tmp.path("broken.csv");
  const Edit e = set_csv_field(valid_csv(), 12, 40, "x");
  test::write_text(path, e.text);
  const std::string what = expect_error_at([&] { read_take(path); }, path, 12, e.column);
  EXPECT_TRUE(test::contains(what, path)) << what;
}

TEST(BadCsv, EmptyFileOnDiskNamesThePath) {
  test::TempDir tmp;
  const std::string path = tmp.path("empty.csv");
  test::write_text(path, "");
  expect_error_at([&] { read_take(path); }, path, 0, 0);
}

// ---------------------------------------------------------------------------------------------
// Files too large to read

void expect_too_large(const std::string& path) {
  try {
    read_take(path);
    FAIL() << "expected IoError for " << path;
  } catch (const IoError& e) {
    EXPECT_EQ(e.op(), IoError::Op::Read);
    EXPECT_TRUE(test::contains(e.what(), path)) << e.what();
    EXPECT_TRUE(test::contains(e.what(), "limit")) << e.what();
  }
}

TEST(BadInput, SparseTwoGigabyteCsvIsRefused) {
  test::TempDir tmp;
  const std::string path = tmp.path("huge.csv");
  test::write_text(path, valid_csv());
  std::filesystem::resize_file(path, 2'000'000'000);
  expect_too_large(path);
}

TEST(BadInput, SparseTwoGigabyteJsonAndJsonlAreRefused) {
  test::TempDir tmp;
  for (const char* name : {"huge.json", "huge.jsonl"}) {
    const std::string path = tmp.path(name);
    test::write_text(path, "{");
    std::filesystem::resize_file(path, 2'000'000'000);
    expect_too_large(path);
  }
}

TEST(BadInput, MaxBytesOptionLowersTheLimit) {
  test::TempDir tmp;
  const std::string path = tmp.path("small.csv");
  test::write_text(path, valid_csv());
  ReadOptions o;
  o.max_bytes = 1000;
  EXPECT_THROW(read_take(path, o), IoError);
}

// ---------------------------------------------------------------------------------------------
// JSONL (one frame a line: errors carry the line)

std::string valid_jsonl() {
  return encode_jsonl(demo());
}

// Replaces the first `from` on line `line_no` by `to`; returns the text and the 1-based column.
Edit replace_on_line(const std::string& text, std::size_t line_no, const std::string& from,
                     const std::string& to) {
  std::vector<std::string> lines = lines_of(text);
  std::string& line = lines.at(line_no - 1);
  const auto p = line.find(from);
  EXPECT_NE(p, std::string::npos) << from;
  if (p == std::string::npos) return {text, 0};
  line.replace(p, from.size(), to);
  return {join_lines(lines), p + 1};
}

std::string jsonl_error_at(const std::string& text, std::size_t line, std::size_t column) {
  return expect_error_at([&] { parse_take(text, TakeFormat::Jsonl, "bad.jsonl"); }, "bad.jsonl",
                         line, column);
}

// The value of "jawOpen" on a given line, as written ("\"jawOpen\":0.123").
std::string jaw_open_entry(const std::string& text, std::size_t line_no) {
  const std::string line = lines_of(text).at(line_no - 1);
  const auto p = line.find("\"jawOpen\":");
  const auto end = line.find_first_of(",}", p);
  return line.substr(p, end - p);
}

TEST(BadJsonl, TheUneditedDemoJsonlIsValid) {
  EXPECT_EQ(parse_jsonl(valid_jsonl(), "good.jsonl"), demo());
}

TEST(BadJsonl, MissingBlendshape) {  // the JSON analogue of a missing column
  const std::string text = valid_jsonl();
  const Edit e = replace_on_line(text, 4, jaw_open_entry(text, 4) + ",", "");
  const std::string what = jsonl_error_at(e.text, 4, 0);
  EXPECT_TRUE(test::contains(what, "missing jawOpen")) << what;
}

TEST(BadJsonl, UnknownBlendshape) {  // an extra column
  const Edit e =
      replace_on_line(valid_jsonl(), 6, "\"blendshapes\":{", "\"blendshapes\":{\"grin\":0.5,");
  const std::string what = jsonl_error_at(e.text, 6, 0);
  EXPECT_TRUE(test::contains(what, "grin")) << what;
}

TEST(BadJsonl, NonNumericValue) {
  const std::string text = valid_jsonl();
  const Edit e = replace_on_line(text, 3, jaw_open_entry(text, 3), "\"jawOpen\":\"wide\"");
  const std::string what = jsonl_error_at(e.text, 3, 0);
  EXPECT_TRUE(test::contains(what, "blendshapes.jawOpen")) << what;
  EXPECT_TRUE(test::contains(what, "expected a number")) << what;
}

TEST(BadJsonl, NaNIsASyntaxErrorAtItsColumn) {
  const std::string text = valid_jsonl();
  const Edit e = replace_on_line(text, 5, jaw_open_entry(text, 5), "\"jawOpen\":NaN");
  const std::size_t nan_column = e.column + std::string("\"jawOpen\":").size();
  const std::string what = jsonl_error_at(e.text, 5, nan_column);
  EXPECT_TRUE(test::contains(what, "invalid JSON")) << what;
}

TEST(BadJsonl, ABlendshapeNamedTwiceNamesTheLine) {
  const std::string text = valid_jsonl();
  const std::string entry = jaw_open_entry(text, 4);
  const Edit e = replace_on_line(text, 4, entry, entry + ",\"jawOpen\":0.5");
  const std::string what = jsonl_error_at(e.text, 4, 0);
  EXPECT_TRUE(test::contains(what, "blendshapes: duplicate key \"jawOpen\"")) << what;
}

TEST(BadJsonl, ValueOutOfRange) {
  const std::string text = valid_jsonl();
  const Edit e = replace_on_line(text, 7, jaw_open_entry(text, 7), "\"jawOpen\":1.2");
  const std::string what = jsonl_error_at(e.text, 7, 0);
  EXPECT_TRUE(test::contains(what, "jawOpen")) << what;
  EXPECT_TRUE(test::contains(what, "outside [0, 1]")) << what;
}

TEST(BadJsonl, TruncatedLastLine) {
  const std::string text = valid_jsonl();
  const std::vector<std::string> lines = lines_of(text);
  const std::string cut = text.substr(0, text.size() - 1 - lines.back().size() / 2);
  const std::size_t cut_length = lines.back().size() - lines.back().size() / 2;
  const std::string what = jsonl_error_at(cut, lines.size(), cut_length + 1);
  EXPECT_TRUE(test::contains(what, "truncated")) << what;
}

TEST(BadJsonl, EmptyFile) {
  jsonl_error_at("", 0, 0);
  const std::string what = jsonl_error_at("\n\n", 0, 0);
  EXPECT_TRUE(test::contains(what, "no frames")) << what;
}

TEST(BadJsonl, BinaryGarbage) {
  const std::string garbage("{\"a\":1}\n\x7f\x45\x4c\x46\x02\x01\x01\x00", 16);
  const std::string what = jsonl_error_at(garbage, 2, 5);  // the 0x02 byte
  EXPECT_TRUE(test::contains(what, "binary")) << what;
}

TEST(BadJsonl, TimesThatDoNotIncrease) {
  const std::string text = valid_jsonl();
  std::vector<std::string> lines = lines_of(text);
  lines[5] = lines[4];  // frame on line 6 repeats line 5
  const std::string what = jsonl_error_at(join_lines(lines), 6, 0);
  EXPECT_TRUE(test::contains(what, "does not increase")) << what;
}

// ---------------------------------------------------------------------------------------------
// JSON take (one document; semantic errors carry the JSON path of the value)

std::string valid_json() {
  return encode_take_json(demo());
}

std::string json_error(const std::string& text, std::size_t line, std::size_t column) {
  return expect_error_at([&] { parse_take(text, TakeFormat::Json, "bad.json"); }, "bad.json", line,
                         column);
}

TEST(BadJson, TheUneditedDemoJsonIsValid) {
  EXPECT_EQ(parse_take_json(valid_json(), "good.json"), demo());
}

TEST(BadJson, MissingBlendshapeNamesTheFrame) {
  const std::string text = valid_json();
  const std::size_t line = 9;  // 6 header lines + "frames": [ on line 6; frame 2 on line 9
  ASSERT_TRUE(test::contains(lines_of(text)[line - 1], "\"time\""));
  const Edit e = replace_on_line(text, line, jaw_open_entry(text, line) + ",", "");
  const std::string what = json_error(e.text, 0, 0);
  EXPECT_TRUE(test::contains(what, "frames[2].blendshapes: missing jawOpen")) << what;
}

TEST(BadJson, NonNumericValueNamesThePath) {
  const std::string text = valid_json();
  const Edit e = replace_on_line(text, 10, jaw_open_entry(text, 10), "\"jawOpen\":[]");
  const std::string what = json_error(e.text, 0, 0);
  EXPECT_TRUE(test::contains(what, "frames[3].blendshapes.jawOpen: expected a number")) << what;
}

TEST(BadJson, ValueOutOfRangeNamesThePath) {
  const std::string text = valid_json();
  const Edit e = replace_on_line(text, 10, jaw_open_entry(text, 10), "\"jawOpen\":-1");
  const std::string what = json_error(e.text, 0, 0);
  EXPECT_TRUE(test::contains(what, "frames[3].blendshapes.jawOpen")) << what;
}

TEST(BadJson, ABlendshapeNamedTwiceNamesThePath) {  // nlohmann alone keeps the last silently
  const std::string text = valid_json();
  const std::string entry = jaw_open_entry(text, 10);
  const Edit e = replace_on_line(text, 10, entry, entry + ",\"jawOpen\":0.5");
  const std::string what = json_error(e.text, 0, 0);
  EXPECT_TRUE(test::contains(what, "frames[3].blendshapes: duplicate key \"jawOpen\"")) << what;
}

TEST(BadJson, NaNIsASyntaxErrorAtItsLineAndColumn) {
  const std::string text = valid_json();
  const Edit e = replace_on_line(text, 11, jaw_open_entry(text, 11), "\"jawOpen\":NaN");
  json_error(e.text, 11, e.column + std::string("\"jawOpen\":").size());
}

TEST(BadJson, TruncatedFile) {
  const std::string text = valid_json();
  const std::vector<std::string> lines = lines_of(text);
  // Cut in the middle of frame 5's line (line 12): the parser reports the end of the text.
  std::size_t offset = 0;
  for (std::size_t i = 0; i < 11; ++i) offset += lines[i].size() + 1;
  const std::string cut = text.substr(0, offset + 100);
  const std::string what = json_error(cut, 12, 101);
  EXPECT_TRUE(test::contains(what, "invalid JSON")) << what;
}

TEST(BadJson, EmptyFile) {
  json_error("", 0, 0);
  const std::string what = json_error("  \n", 2, 1);  // points at the end of the text
  EXPECT_TRUE(test::contains(what, "empty")) << what;
}

TEST(BadJson, BinaryGarbage) {
  json_error(std::string("\x1f\x8b\x08\x00", 4), 1, 1);  // a gzip header
}

TEST(BadJson, MissingFramesArray) {
  const std::string what = json_error(R"({"format": "semblend.take", "version": 1})", 0, 0);
  EXPECT_TRUE(test::contains(what, "frames")) << what;
}

// ---------------------------------------------------------------------------------------------
// ARKit dictionaries

std::string arkit_error(const std::string& text, std::size_t line, std::size_t column) {
  return expect_error_at([&] { parse_take(text, TakeFormat::ArkitJson, "bad.json"); }, "bad.json",
                         line, column);
}

TEST(BadArkit, NaNAndTruncationAreSyntaxErrors) {
  arkit_error("{\n  \"jawOpen\": NaN\n}", 2, 14);
  const std::string what = arkit_error("[{\"jawOpen\": 0.5},\n {\"jawOpen\": 0.", 2, 16);
  EXPECT_TRUE(test::contains(what, "invalid JSON")) << what;
}

TEST(BadArkit, OutOfRangeAndNonNumericNameTheElement) {
  std::string what = arkit_error(R"([{"jawOpen": 0.5}, {"jawOpen": 2}])", 0, 0);
  EXPECT_TRUE(test::contains(what, "[1].jawOpen")) << what;
  what = arkit_error(R"({"jawOpen": true})", 0, 0);
  EXPECT_TRUE(test::contains(what, "jawOpen: expected a number")) << what;
}

TEST(BadArkit, AShapeNamedTwice) {
  const std::string what =
      arkit_error(R"([{"jawOpen": 0.5}, {"jawOpen": 0.1, "jawOpen": 0.2}])", 0, 0);
  EXPECT_TRUE(test::contains(what, "[1]: duplicate key \"jawOpen\"")) << what;
}

TEST(BadArkit, EmptyAndBinary) {
  arkit_error("", 0, 0);
  arkit_error(std::string("[\0]", 3), 1, 2);
}

}  // namespace
}  // namespace semblend
