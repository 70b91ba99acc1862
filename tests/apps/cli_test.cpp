// The `semblend` command line, run as a process (tests/test_util.h run_cli).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "semblend/blendshape.h"
#include "semblend/demo.h"
#include "semblend/filter.h"
#include "semblend/formats.h"
#include "test_util.h"

namespace semblend {
namespace {

using test::q;

namespace fs = std::filesystem;
using test::run_cli;
using test::TempDir;

std::string recording() {
  return test::shared_data("arkit/livelinkface_alex_rom_3.csv");
}

// A demo CSV with row 5 broken (a non-numeric value).
std::string broken_csv(const TempDir& tmp) {
  std::string csv = encode_livelink_csv(make_demo_take(10).take);
  std::size_t p = 0;
  for (int i = 0; i < 4; ++i) p = csv.find('\n', p) + 1;  // start of line 5
  p = csv.find(',', csv.find(',', p) + 1) + 1;            // its third field
  csv.replace(p, csv.find(',', p) - p, "oops");
  const std::string path = tmp.path("bad.csv");
  test::write_text(path, csv);
  return path;
}

TEST(Cli, HelpListsTheSubcommands) {
  TempDir tmp;
  const auto r = run_cli("--help", tmp);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* sub : {"convert", "info", "demo", "schema"})
    EXPECT_TRUE(test::contains(r.out, sub)) << sub;
  EXPECT_TRUE(test::contains(r.out, "Exit codes")) << r.out;
}

TEST(Cli, EachSubcommandHasHelp) {
  TempDir tmp;
  const std::pair<const char*, const char*> cases[] = {
      {"convert", "--smooth"}, {"info", "--json"}, {"demo", "--fps"}, {"schema", "--format"}};
  for (const auto& [sub, option] : cases) {
    const auto r = run_cli(std::string(sub) + " --help", tmp);
    EXPECT_EQ(r.exit_code, 0) << sub << ": " << r.err;
    EXPECT_TRUE(test::contains(r.out, option)) << sub << ": " << r.out;
  }
}

TEST(Cli, VersionPrintsTheVersion) {
  TempDir tmp;
  const auto r = run_cli("--version", tmp);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(test::contains(r.out, "semblend 0.1.0")) << r.out;
}

TEST(Cli, NoSubcommandIsAUsageError) {
  TempDir tmp;
  EXPECT_EQ(run_cli("", tmp).exit_code, 2);
  const auto r = run_cli("conver x.csv", tmp);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(test::contains(r.err, "unknown command \"conver\"")) << r.err;  // named
}

TEST(Cli, BadOptionIsAUsageError) {
  TempDir tmp;
  const auto r = run_cli("convert " + q(recording()) + " --no-such-option", tmp);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(r.err.empty());
  EXPECT_EQ(run_cli("convert", tmp).exit_code, 2);  // missing the required input
  EXPECT_EQ(run_cli("convert " + q(recording()) + " --fps 0", tmp).exit_code, 2);
}

TEST(Cli, ConvertCsvToCsvIsByteIdentical) {
  TempDir tmp;
  const std::string out = tmp.path("out.csv");
  const auto r = run_cli("convert " + q(recording()) + " -o " + q(out), tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::read_text(out), test::read_text(recording()));
  EXPECT_TRUE(test::contains(r.err, "4030 frames")) << r.err;  // the log goes to stderr
  EXPECT_TRUE(r.out.empty());
}

// The header and the first 600 rows of the real recording (they include the 1.0033 overshoot on
// line 545): JSON is slow to parse in sanitizer builds, and the library tests cover the whole take.
std::string recording_excerpt(const TempDir& tmp) {
  const std::string text = test::read_text(recording());
  std::size_t end = 0;
  for (int i = 0; i < 601; ++i) end = text.find('\n', end) + 1;
  const std::string path = tmp.path("excerpt.csv");
  test::write_text(path, text.substr(0, end));
  return path;
}

TEST(Cli, ConvertThroughJsonAndBackIsByteIdentical) {
  TempDir tmp;
  const std::string original = recording_excerpt(tmp);
  ASSERT_TRUE(test::contains(test::read_text(original), ",1.0033375025,"));
  for (const char* ext : {"json", "jsonl"}) {
    const std::string mid = tmp.path(std::string("take.") + ext), back = tmp.path("back.csv");
    auto r = run_cli("convert " + q(original) + " -o " + q(mid), tmp);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = run_cli("convert " + q(mid) + " -o " + q(back), tmp);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(test::read_text(back), test::read_text(original)) << ext;
    EXPECT_EQ(read_take(mid).frames.size(), 600u) << ext;
  }
}

TEST(Cli, ConvertWithoutOutputWritesJsonlToStdout) {
  TempDir tmp;
  const std::string csv = tmp.path("demo.csv");
  write_take(make_demo_take(10).take, csv, TakeFormat::LiveLinkCsv);
  const auto r = run_cli("convert " + q(csv), tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Take take = parse_jsonl(r.out, "stdout");
  EXPECT_EQ(take, read_take(csv));
}

TEST(Cli, ConvertFormatOptionOverridesTheExtension) {
  TempDir tmp;
  const std::string out = tmp.path("out.txt");
  const auto r = run_cli("convert " + q(recording()) + " --format csv -o " + q(out), tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::read_text(out), test::read_text(recording()));
  // ARKit dictionaries hold the 52 shapes: the recording's eye angles are lost, and it says so;
  // a take without angles converts quietly.
  auto arkit =
      run_cli("convert " + q(recording()) + " --format arkit -o " + q(tmp.path("a.json")), tmp);
  ASSERT_EQ(arkit.exit_code, 0) << arkit.err;
  EXPECT_TRUE(test::contains(arkit.err, "angles are not written")) << arkit.err;
  arkit = run_cli(
      "convert " + q(tmp.path("a.json")) + " --format arkit -o " + q(tmp.path("b.json")), tmp);
  ASSERT_EQ(arkit.exit_code, 0) << arkit.err;
  EXPECT_FALSE(test::contains(arkit.err, "warning")) << arkit.err;
}

TEST(Cli, ConvertSemanticFaceResults) {
  TempDir tmp;
  const std::string out = tmp.path("results.csv");
  const auto r = run_cli(
      "convert " + q(test::shared_data("semanticface/example_result.jsonl")) + " -o " + q(out),
      tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_take(out).frames.size(), 8u);
}

TEST(Cli, ConvertSmoothAndResample) {
  TempDir tmp;
  const std::string in = tmp.path("demo60.csv"), out = tmp.path("smooth30.csv");
  write_take(make_demo_take(60).take, in, TakeFormat::LiveLinkCsv);
  const auto r = run_cli("convert " + q(in) + " --smooth --fps 30 -o " + q(out), tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Take got = read_take(out);
  EXPECT_EQ(got.fps, 30.0);
  EXPECT_EQ(got.frames.size(), 195u);
  // The same as the library's smooth_take then resample_take.
  const Take expected = resample_take(smooth_take(read_take(in)), 30);
  EXPECT_EQ(test::read_text(out), encode_livelink_csv(expected));
}

TEST(Cli, ConvertClampRemovesTheOvershoot) {
  TempDir tmp;
  const std::string out = tmp.path("clamped.csv");
  const auto r = run_cli("convert " + q(recording()) + " --clamp -o " + q(out), tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string text = test::read_text(out);
  EXPECT_FALSE(test::contains(text, "1.0033375025"));
  EXPECT_TRUE(read_take(out).frames[543].coefficients.within(0, 1));
}

TEST(Cli, InfoPrintsTheFrameCount) {
  TempDir tmp;
  const auto r = run_cli("info " + q(recording()), tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(test::contains(r.out, "4030 frames")) << r.out;
  EXPECT_TRUE(test::contains(r.out, "most active shapes")) << r.out;
}

TEST(Cli, InfoJson) {
  TempDir tmp;
  const auto r = run_cli("info --json " + q(recording()), tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.front(), '{');
  EXPECT_TRUE(test::contains(r.out, "\"most_active\"")) << r.out;
  EXPECT_TRUE(test::contains(r.out, "\"frames\": 4030")) << r.out;
  const std::string out = tmp.path("info.json");
  ASSERT_EQ(run_cli("info " + q(recording()) + " -o " + q(out), tmp).exit_code, 0);
  EXPECT_EQ(test::read_text(out), r.out);  // -o *.json implies --json
}

TEST(Cli, DemoWritesEveryOutputAndDescribesTheTake) {
  TempDir tmp;
  const std::string csv = tmp.path("x.csv"), json = tmp.path("x.json");
  const auto r = run_cli("demo -o " + q(csv) + " -o " + q(json), tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const DemoTake demo = make_demo_take();
  EXPECT_EQ(test::read_text(csv), encode_livelink_csv(demo.take));
  EXPECT_EQ(test::read_text(json), encode_take_json(demo.take));
  EXPECT_TRUE(test::contains(r.out, describe_demo(demo))) << r.out;
  EXPECT_TRUE(test::contains(r.out, "390 frames")) << r.out;
  for (const DemoSegment& s : demo.script) EXPECT_TRUE(test::contains(r.out, s.label)) << s.label;
}

TEST(Cli, SchemaPrintsTheTable) {
  TempDir tmp;
  auto r = run_cli("schema", tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, blendshape_table_markdown());
  r = run_cli("schema --format json", tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, blendshape_table_json());
  EXPECT_EQ(run_cli("schema --format yaml", tmp).exit_code, 6);
  // -o's extension says which; a format it does not hold is refused.
  ASSERT_EQ(run_cli("schema -o '" + tmp.path("s.json") + "'", tmp).exit_code, 0);
  EXPECT_EQ(test::read_text(tmp.path("s.json")), blendshape_table_json());
  ASSERT_EQ(run_cli("schema -o '" + tmp.path("s.md") + "'", tmp).exit_code, 0);
  EXPECT_EQ(test::read_text(tmp.path("s.md")), blendshape_table_markdown());
  EXPECT_EQ(run_cli("schema --format json -o '" + tmp.path("t.md") + "'", tmp).exit_code, 6);
  EXPECT_EQ(run_cli("schema -o '" + tmp.path("t.csv") + "'", tmp).exit_code, 6);
}

TEST(Cli, MalformedInputExits4NamingFileAndLineAndWritesNothing) {
  TempDir tmp;
  const std::string bad = broken_csv(tmp), out = tmp.path("out.csv");
  const auto r = run_cli("convert " + q(bad) + " -o " + q(out), tmp);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_TRUE(test::contains(r.err, bad + ":5:")) << r.err;
  EXPECT_TRUE(test::contains(r.err, "not a number")) << r.err;
  EXPECT_FALSE(fs::exists(out));
  for (const auto& e : fs::directory_iterator(tmp.dir()))  // no temporary left either
    EXPECT_FALSE(test::contains(e.path().filename().string(), ".tmp")) << e.path();
}

TEST(Cli, MalformedInputLeavesAnExistingOutputUntouched) {
  TempDir tmp;
  const std::string bad = broken_csv(tmp), out = tmp.path("out.json");
  test::write_text(out, "precious\n");
  const auto r = run_cli("convert " + q(bad) + " -o " + q(out), tmp);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(test::read_text(out), "precious\n");
}

TEST(Cli, MalformedInputForInfoExits4) {
  TempDir tmp;
  const std::string bad = broken_csv(tmp);
  const auto r = run_cli("info " + q(bad), tmp);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_TRUE(test::contains(r.err, bad + ":5:")) << r.err;
}

TEST(Cli, EmptyInputExits4) {
  TempDir tmp;
  const std::string empty = tmp.path("empty.csv");
  test::write_text(empty, "");
  const auto r = run_cli("convert " + q(empty) + " -o " + q(tmp.path("o.csv")), tmp);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_TRUE(test::contains(r.err, empty)) << r.err;
}

TEST(Cli, MissingInputExits3) {
  TempDir tmp;
  const std::string missing = tmp.path("missing.csv");
  const auto r = run_cli("convert " + q(missing) + " -o " + q(tmp.path("o.csv")), tmp);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_TRUE(test::contains(r.err, missing)) << r.err;
  EXPECT_FALSE(fs::exists(tmp.path("o.csv")));
}

TEST(Cli, UnwritableOutputDirectoryExits5) {
  TempDir tmp;
  const std::string out = tmp.path("no/such/dir/out.csv");
  const auto r = run_cli("convert " + q(recording()) + " -o " + q(out), tmp);
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_TRUE(test::contains(r.err, out)) << r.err;
  EXPECT_FALSE(fs::exists(tmp.path("no")));
}

TEST(Cli, UnknownOutputFormatExits6) {
  TempDir tmp;
  auto r = run_cli("convert " + q(recording()) + " -o " + q(tmp.path("out.xml")), tmp);
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_FALSE(fs::exists(tmp.path("out.xml")));
  r = run_cli("convert " + q(recording()) + " --format semanticface -o " + q(tmp.path("o.csv")),
              tmp);
  EXPECT_EQ(r.exit_code, 6);
  r = run_cli("demo -o " + q(tmp.path("demo.xml")), tmp);
  EXPECT_EQ(r.exit_code, 6);
}

// What an audit of bad inputs found (2026-12-03), each now refused or said.
TEST(Cli, NonFiniteNegativeAndOutOfRangeNumbersAreUsageErrors) {
  TempDir tmp;
  const std::string take = q(recording());
  const std::vector<std::string> cases{
      "describe " + take + " --input-fps nan",
      "describe " + take + " --smooth --hold nan",
      "info " + take + " --top -1",
      "demo --fps 1e9",
      "demo --fps 0.0001",
      "convert " + take + " --fps 100000 -o " + q(tmp.path("o.csv")),
      "render --frame 5 -o " + q(tmp.path("r.png"))};
  for (const std::string& args : cases) {
    const auto r = run_cli(args, tmp);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
  }
  EXPECT_FALSE(fs::exists(tmp.path("o.csv")));
  const auto r = run_cli("info " + q(recording()) + " --top -1", tmp);
  EXPECT_TRUE(test::contains(r.err, "--top: -1 is negative")) << r.err;
  // Said plainly (CLI11's own check printed the largest double, 309 digits).
  const auto cutoff = run_cli("convert " + take + " --min-cutoff 0", tmp);
  EXPECT_EQ(cutoff.exit_code, 2);
  EXPECT_TRUE(test::contains(cutoff.err, "--min-cutoff: 0 is not > 0")) << cutoff.err;
  EXPECT_LT(cutoff.err.size(), 200u) << cutoff.err;
}

// `--export ''` meant "no export" and started a server; a mistyped --data exported a new, empty
// store with exit 0.
TEST(Cli, ServeExportNeedsAFileAndAStore) {
  TempDir tmp;
  auto r = run_cli("serve --data " + q(tmp.path("store")) + " --export ''", tmp);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(test::contains(r.err, "--export: an empty value")) << r.err;
  r = run_cli("serve --data " + q(tmp.path("typo")) + " --export " + q(tmp.path("e.jsonl")), tmp);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_FALSE(fs::exists(tmp.path("typo")));
  EXPECT_FALSE(fs::exists(tmp.path("e.jsonl")));
  r = run_cli("serve --import a.jsonl --export b.jsonl", tmp);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  // A run that fails before it serves leaves no new store behind (an empty prefs.sqlite would
  // look like a real store): a missing or malformed import, an address it cannot listen on.
  test::write_text(tmp.path("bad.jsonl"), "not json\n");
  for (const std::string& args :
       {"--import " + q(tmp.path("missing.jsonl")), "--import " + q(tmp.path("bad.jsonl")),
        std::string("--host 999.1.1.1 --port 0")}) {
    r = run_cli("serve --data " + q(tmp.path("q")) + " " + args, tmp);
    EXPECT_NE(r.exit_code, 0) << args;
    EXPECT_FALSE(fs::exists(tmp.path("q"))) << args << ": " << r.err;
  }
}

TEST(Cli, StdoutThatCannotBeWrittenExits5) {
  TempDir tmp;
  const std::string err = tmp.path("err.txt");
  const int status = std::system(
      (std::string("'") + SEMBLEND_CLI + "' schema >/dev/full 2>'" + err + "'").c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 5);
  EXPECT_TRUE(test::contains(test::read_text(err), "cannot write to standard output"));
}

TEST(Cli, DemoChecksEveryOutputBeforeWritingAny) {
  TempDir tmp;
  for (const std::string& bad : {tmp.path("d.xyz"), tmp.path("no/dir/d.json")}) {
    const auto r = run_cli("demo -o " + q(tmp.path("d.csv")) + " -o " + q(bad), tmp);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_FALSE(fs::exists(tmp.path("d.csv"))) << bad;
  }
}

TEST(Cli, OutputThroughASymbolicLinkKeepsTheLink) {
  TempDir tmp;
  fs::create_symlink("real.csv", tmp.dir() / "link.csv");
  const auto r = run_cli("convert " + q(recording()) + " -o " + q(tmp.path("link.csv")), tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(tmp.dir() / "link.csv"));
  EXPECT_EQ(test::read_text(tmp.path("real.csv")), test::read_text(recording()));
}

TEST(Cli, JsonTakesWithoutFramesOrWithHugeNumbersExit4) {
  TempDir tmp;
  const std::vector<std::pair<std::string, std::string>> cases{
      {"overflow.json", "{\"eyeBlinkLeft\": 1e999}"},
      {"noframes.json", "{\"format\": \"semblend.take\", \"version\": 1, \"frames\": []}"},
      {"emptyobject.json", "{}"},
      {"emptyframe.json", "[{}]"}};
  for (const auto& [name, text] : cases) {
    test::write_text(tmp.path(name), text);
    const auto r = run_cli("info " + q(tmp.path(name)), tmp);
    EXPECT_EQ(r.exit_code, 4) << name << "\n" << r.err;
    EXPECT_TRUE(test::contains(r.err, name)) << r.err;
  }
}

}  // namespace
}  // namespace semblend
