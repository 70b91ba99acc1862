// Batch manifests (batch.h read_manifest): CSV and JSONL, relative paths, bad lines.
#include <gtest/gtest.h>

#include <filesystem>

#include "semblend/batch.h"
#include "semblend/error.h"
#include "test_util.h"

namespace semblend {
namespace {

namespace fs = std::filesystem;
using test::TempDir;
using test::write_text;

TEST(BatchManifest, CsvResolvesRelativePathsAndQuotes) {
  TempDir tmp;
  fs::create_directories(tmp.path("m"));
  write_text(tmp.path("m/list.csv"),
             "\xEF\xBB\xBFspeaker,input,output\n"
             "ann,clips/a.mp4,takes/a.csv\r\n"
             "\n"
             "bob,\"clips/b, the second.mp4\",/abs/b.json\n"
             "cy,\"say \"\"hi\"\".mp4\",c.jsonl\n");
  const BatchList l = read_manifest(tmp.path("m/list.csv"), "", "json");
  ASSERT_TRUE(l.errors.empty()) << l.errors[0].message;
  ASSERT_EQ(l.items.size(), 3u);
  EXPECT_EQ(l.items[0].input, tmp.path("m/clips/a.mp4"));
  EXPECT_EQ(l.items[0].output, tmp.path("m/takes/a.csv")) << "against the manifest's folder";
  EXPECT_EQ(l.items[0].key, "clips/a.mp4") << "the input as written";
  EXPECT_EQ(l.items[0].origin, tmp.path("m/list.csv") + ":2");
  EXPECT_EQ(l.items[1].input, tmp.path("m/clips/b, the second.mp4"));
  EXPECT_EQ(l.items[1].output, "/abs/b.json");
  EXPECT_EQ(l.items[2].key, "say \"hi\".mp4");
  // With --out-dir, relative outputs go there.
  const BatchList o = read_manifest(tmp.path("m/list.csv"), tmp.path("out"), "json");
  EXPECT_EQ(o.items[0].output, tmp.path("out/takes/a.csv"));
}

TEST(BatchManifest, InputOnlyNeedsAnOutDirAndBadLinesAreErrorsOfTheirOwn) {
  TempDir tmp;
  write_text(tmp.path("l.csv"), "input\na.mp4\n\"\"\nb.mp4,extra\nsub/c.mp4\n\"open.mp4\n");
  const BatchList l = read_manifest(tmp.path("l.csv"), tmp.path("out"), "csv");
  ASSERT_EQ(l.items.size(), 2u);
  EXPECT_EQ(l.items[0].output, tmp.path("out/a.csv"));
  EXPECT_EQ(l.items[1].output, tmp.path("out/c.csv"));
  ASSERT_EQ(l.errors.size(), 3u);
  EXPECT_NE(l.errors[0].message.find("l.csv:3: the line names no input"), std::string::npos)
      << l.errors[0].message;
  EXPECT_NE(l.errors[1].message.find("l.csv:4: expected 1 fields"), std::string::npos)
      << l.errors[1].message;
  EXPECT_NE(l.errors[2].message.find("l.csv:6"), std::string::npos) << l.errors[2].message;
  for (const auto& e : l.errors) EXPECT_EQ(e.kind, BatchErrorKind::ManifestLine);
  // Without --out-dir every line lacks its output.
  const BatchList n = read_manifest(tmp.path("l.csv"), "", "csv");
  EXPECT_TRUE(n.items.empty());
  EXPECT_NE(n.errors[0].message.find("no output"), std::string::npos);
}

TEST(BatchManifest, WholeFileProblemsThrow) {
  TempDir tmp;
  write_text(tmp.path("h.csv"), "file,target\na.mp4,a.csv\n");
  EXPECT_THROW(read_manifest(tmp.path("h.csv"), "", "csv"), InputError);
  write_text(tmp.path("e.csv"), "");
  EXPECT_THROW(read_manifest(tmp.path("e.csv"), "", "csv"), InputError);
  EXPECT_THROW(read_manifest(tmp.path("missing.csv"), "", "csv"), IoError);
  write_text(tmp.path("x.txt"), "input\n");
  EXPECT_THROW(read_manifest(tmp.path("x.txt"), "", "csv"), std::invalid_argument);
  // A manifest that lists nothing is a mistake, not a batch with nothing to do.
  write_text(tmp.path("header_only.csv"), "input,output\n");
  EXPECT_THROW(read_manifest(tmp.path("header_only.csv"), "", "csv"), InputError);
  write_text(tmp.path("blank.jsonl"), "\n  \n");
  EXPECT_THROW(read_manifest(tmp.path("blank.jsonl"), "", "csv"), InputError);
}

TEST(BatchManifest, JsonlLinesWithErrorsPerLine) {
  TempDir tmp;
  write_text(tmp.path("l.jsonl"),
             "{\"input\": \"a.mp4\", \"output\": \"a.csv\", \"speaker\": \"ann\"}\n"
             "\n"
             "{\"input\": \"b.mp4\"\n"
             "[1, 2]\n"
             "{\"input\": 7}\n"
             "{\"output\": \"x.csv\"}\n"
             "{\"input\": \"c.mp4\"}\n");
  const BatchList l = read_manifest(tmp.path("l.jsonl"), tmp.path("out"), "json");
  ASSERT_EQ(l.items.size(), 2u);
  EXPECT_EQ(l.items[0].input, tmp.path("a.mp4"));
  EXPECT_EQ(l.items[0].output, tmp.path("out/a.csv"));
  EXPECT_EQ(l.items[1].output, tmp.path("out/c.json"));
  ASSERT_EQ(l.errors.size(), 4u);
  EXPECT_NE(l.errors[0].message.find("l.jsonl:3"), std::string::npos) << l.errors[0].message;
  EXPECT_NE(l.errors[1].message.find("l.jsonl:4"), std::string::npos) << l.errors[1].message;
  EXPECT_NE(l.errors[2].message.find("input is not a string"), std::string::npos)
      << l.errors[2].message;
  EXPECT_NE(l.errors[3].message.find("names no input"), std::string::npos) << l.errors[3].message;
}

}  // namespace
}  // namespace semblend
