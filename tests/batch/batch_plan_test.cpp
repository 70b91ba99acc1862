// Batch planning (batch.h): folder listing, shards, validation, finished outputs.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <stdexcept>

#include "semblend/batch.h"
#include "semblend/error.h"
#include "semblend/file_io.h"
#include "test_util.h"

namespace semblend {
namespace {

namespace fs = std::filesystem;
using test::TempDir;
using test::write_text;

TEST(BatchFolder, ListsMediaSortedSkipsHiddenAndMirrorsSubfolders) {
  TempDir tmp;
  fs::create_directories(tmp.path("in/sub"));
  fs::create_directories(tmp.path("in/.cache"));
  for (const char* f : {"in/b.mp4", "in/a.MOV", "in/notes.txt", "in/.hidden.mp4", "in/sub/c.mkv",
                        "in/.cache/d.mp4", "in/e.jpg"})
    write_text(tmp.path(f), "x");
  const BatchList flat =
      list_folder(tmp.path("in"), MediaKind::Video, tmp.path("out"), "csv", false);
  ASSERT_EQ(flat.items.size(), 2u);
  EXPECT_EQ(flat.items[0].key, "a.MOV");
  EXPECT_EQ(flat.items[1].key, "b.mp4");
  EXPECT_EQ(flat.items[0].output, tmp.path("out/a.csv"));
  const BatchList deep =
      list_folder(tmp.path("in"), MediaKind::Video, tmp.path("out"), "json", true);
  ASSERT_EQ(deep.items.size(), 3u);
  EXPECT_EQ(deep.items[2].key, "sub/c.mkv");
  EXPECT_EQ(deep.items[2].output, tmp.path("out/sub/c.json"));
  const BatchList images = list_folder(tmp.path("in"), MediaKind::Image, tmp.path("o"), "json");
  ASSERT_EQ(images.items.size(), 1u);
  EXPECT_EQ(images.items[0].key, "e.jpg");
  EXPECT_THROW(list_folder(tmp.path("nope"), MediaKind::Video, tmp.path("o"), "csv"), IoError);
  EXPECT_THROW(list_folder(tmp.path("in"), MediaKind::Video, "", "csv"), std::invalid_argument);
}

// Audio: a recording takes the text file beside it with its stem as its transcript; a manifest
// names transcripts in a column (CSV) or key (JSONL), resolved beside the manifest; the plan
// refuses an item whose transcript is missing.
TEST(BatchFolder, RecordingsTakeTheirTranscriptsBesideThem) {
  TempDir tmp;
  fs::create_directories(tmp.path("in"));
  for (const char* f :
       {"in/one.wav", "in/one.txt", "in/two.M4A", "in/three.mp4", "in/four.txt", "in/song.mp3"})
    write_text(tmp.path(f), "x");
  const BatchList list = list_folder(tmp.path("in"), MediaKind::Audio, tmp.path("out"), "csv");
  ASSERT_EQ(list.items.size(), 3u);  // a video and a lone text are not recordings
  EXPECT_EQ(list.items[0].key, "one.wav");
  EXPECT_EQ(list.items[0].transcript, tmp.path("in/one.txt"));
  EXPECT_EQ(list.items[1].key, "song.mp3");
  EXPECT_EQ(list.items[2].key, "two.M4A");
  EXPECT_EQ(list.items[2].transcript, "");
  // Subtitles beside a recording are its transcript too, and a song's lyrics (.lrc); a .txt comes
  // first, then subtitles.
  write_text(tmp.path("in/two.vtt"), "x");
  write_text(tmp.path("in/two.lrc"), "x");
  write_text(tmp.path("in/one.srt"), "x");
  write_text(tmp.path("in/song.lrc"), "x");
  const BatchList subtitled = list_folder(tmp.path("in"), MediaKind::Audio, tmp.path("out"), "csv");
  ASSERT_EQ(subtitled.items.size(), 3u);
  EXPECT_EQ(subtitled.items[0].transcript, tmp.path("in/one.txt"));
  EXPECT_EQ(subtitled.items[1].transcript, tmp.path("in/song.lrc"));
  EXPECT_EQ(subtitled.items[2].transcript, tmp.path("in/two.vtt"));
  // Whisper's TSV too; never a .json or .csv beside it, the names of the batch's own outputs
  // (a rerun into the same folder would take its takes for transcripts).
  fs::create_directories(tmp.path("whisper"));
  for (const char* f : {"whisper/a.wav", "whisper/a.json", "whisper/a.csv", "whisper/b.wav",
                        "whisper/b.json", "whisper/b.tsv"})
    write_text(tmp.path(f), "x");
  const BatchList whisper =
      list_folder(tmp.path("whisper"), MediaKind::Audio, tmp.path("whisper"), "json");
  ASSERT_EQ(whisper.items.size(), 2u);
  EXPECT_EQ(whisper.items[0].transcript, "");
  EXPECT_EQ(whisper.items[1].transcript, tmp.path("whisper/b.tsv"));
  write_text(tmp.path("in/list.csv"),
             "input,transcript,output\none.wav,one.txt,a.csv\ntwo.M4A,,b.csv\n"
             "one.wav,gone.txt,c.csv\n");
  const BatchList csv = read_manifest(tmp.path("in/list.csv"), "", "csv");
  ASSERT_EQ(csv.items.size(), 3u);
  EXPECT_EQ(csv.items[0].transcript, tmp.path("in/one.txt"));
  EXPECT_EQ(csv.items[1].transcript, "");
  write_text(tmp.path("in/list.jsonl"),
             "{\"input\": \"one.wav\", \"output\": \"a.csv\", \"transcript\": \"one.txt\"}\n");
  EXPECT_EQ(read_manifest(tmp.path("in/list.jsonl"), "", "csv").items.at(0).transcript,
            tmp.path("in/one.txt"));
  const BatchPlan plan = plan_batch(csv);
  EXPECT_EQ(plan.todo.size(), 2u);
  ASSERT_EQ(plan.errors.size(), 1u);
  EXPECT_EQ(plan.errors[0].kind, BatchErrorKind::InputMissing);
  EXPECT_NE(
      plan.errors[0].message.find("transcript " + tmp.path("in/gone.txt") + " does not exist"),
      std::string::npos)
      << plan.errors[0].message;
}

TEST(BatchShard, ParsesKOfNWithClearErrors) {
  const Shard s = parse_shard("2/5");
  EXPECT_EQ(s.index, 2u);
  EXPECT_EQ(s.count, 5u);
  for (const char* bad : {"5/5", "1", "a/2", "1/0", "-1/3", "1/2/3", "", "/4", "1/"}) {
    try {
      parse_shard(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("--shard"), std::string::npos) << e.what();
    }
  }
}

TEST(BatchShard, HashIsFnv1aAndShardsPartitionStably) {
  // FNV-1a 64 reference values: anyone can reproduce the assignment (docs/batch.md).
  EXPECT_EQ(shard_hash(""), 14695981039346656037ull);
  EXPECT_EQ(shard_hash("a"), 0xaf63dc4c8601ec8cull);
  std::vector<std::string> keys;
  for (int i = 0; i < 200; ++i)
    keys.push_back("speaker" + std::to_string(i % 7) + "/clip" + std::to_string(i) + ".mp4");
  std::vector<int> per(4, 0);
  for (const auto& k : keys) {
    int owners = 0;
    for (std::uint32_t s = 0; s < 4; ++s)
      if (in_shard(k, Shard{s, 4})) ++owners, ++per[s];
    EXPECT_EQ(owners, 1) << k;
    EXPECT_TRUE(in_shard(k, Shard{}));  // one shard: everything
  }
  for (int n : per) EXPECT_GT(n, 30) << "roughly even";
}

BatchItem item(const TempDir& tmp, const std::string& in, const std::string& out) {
  return {tmp.path(in), tmp.path(out), in, in, ""};
}

TEST(BatchPlan, BadItemsAreErrorsFinishedAreSkippedTheRestRuns) {
  TempDir tmp;
  fs::create_directories(tmp.path("out"));
  for (const char* f : {"a.mp4", "b.mp4", "c.mp4", "d.mp4", "e.mp4", "blocker"})
    write_text(tmp.path(f), "x");
  write_text(tmp.path("out/b.csv"), "done");
  write_text(tmp.path("out/.a.csv.tmp.123"), "partial");  // a killed run's temporary
  BatchList list;
  list.items = {item(tmp, "a.mp4", "out/a.csv"),       item(tmp, "b.mp4", "out/b.csv"),
                item(tmp, "missing.mp4", "out/m.csv"), item(tmp, "c.mp4", "out/same.csv"),
                item(tmp, "d.mp4", "out/./same.csv"),  item(tmp, "e.mp4", "blocker/e.csv")};
  BatchPlan plan = plan_batch(list);
  ASSERT_EQ(plan.todo.size(), 1u);
  EXPECT_EQ(plan.todo[0].key, "a.mp4") << "a temporary is not a finished output";
  ASSERT_EQ(plan.finished.size(), 1u);
  EXPECT_EQ(plan.finished[0].key, "b.mp4");
  ASSERT_EQ(plan.errors.size(), 4u);
  EXPECT_EQ(plan.errors[0].kind, BatchErrorKind::InputMissing);
  EXPECT_NE(plan.errors[0].message.find("missing.mp4"), std::string::npos);
  EXPECT_EQ(plan.errors[1].kind, BatchErrorKind::DuplicateOutput);
  EXPECT_NE(plan.errors[1].message.find("d.mp4"), std::string::npos) << plan.errors[1].message;
  EXPECT_EQ(plan.errors[2].kind, BatchErrorKind::DuplicateOutput);
  EXPECT_EQ(plan.errors[3].kind, BatchErrorKind::OutputUnwritable);
  EXPECT_NE(plan.errors[3].message.find("not a folder"), std::string::npos)
      << plan.errors[3].message;
  PlanOptions force;
  force.force = true;
  EXPECT_EQ(plan_batch(list, force).todo.size(), 2u);
  // A folder that does not exist yet is fine (it is made); the commit file with per_face is the
  // index, so a take alone is not finished.
  list.items = {item(tmp, "a.mp4", "new/deeper/a.csv"), item(tmp, "b.mp4", "out/b.csv")};
  PlanOptions faces;
  faces.per_face = true;
  plan = plan_batch(list, faces);
  EXPECT_EQ(plan.todo.size(), 2u);
  // Relative outputs in a folder that does not exist yet (under the working directory).
  list.items.push_back({tmp.path("c.mp4"), "semblend-no-such-folder/c.csv", "c.mp4", "c.mp4", ""});
  EXPECT_EQ(plan_batch(list, faces).todo.size(), 3u)
      << plan_batch(list, faces).errors.at(0).message;
  write_text(tmp.path("out/b.faces.json"), "{}");
  EXPECT_EQ(plan_batch(list, faces).finished.size(), 1u);
}

// A manifest can name anything as an output: never another item's input (a photo written over
// with JSON), never a file the command's format does not go into (JSON in a .txt or a .jpg).
TEST(BatchPlan, AnOutputIsNeverAnInputAndAlwaysOfTheCommandsFormat) {
  TempDir tmp;
  for (const char* f : {"happy.jpg", "sad.jpg", "calm.jpg"}) write_text(tmp.path(f), "x");
  BatchList list;
  list.items = {item(tmp, "happy.jpg", "sad.jpg"), item(tmp, "sad.jpg", "sad.json"),
                item(tmp, "calm.jpg", "calm.txt"), item(tmp, "calm.jpg", "calm.JSON")};
  PlanOptions o;
  o.extensions = {"json"};
  const BatchPlan plan = plan_batch(list, o);
  ASSERT_EQ(plan.errors.size(), 2u);
  EXPECT_EQ(plan.errors[0].kind, BatchErrorKind::DuplicateOutput);
  EXPECT_NE(plan.errors[0].message.find("is the input of"), std::string::npos)
      << plan.errors[0].message;
  EXPECT_EQ(plan.errors[1].kind, BatchErrorKind::OutputFormat);
  EXPECT_NE(plan.errors[1].message.find("calm.txt"), std::string::npos) << plan.errors[1].message;
  EXPECT_NE(plan.errors[1].message.find(".json"), std::string::npos) << plan.errors[1].message;
  ASSERT_EQ(plan.todo.size(), 2u) << "the extension's case does not matter";
  EXPECT_TRUE(plan.finished.empty()) << "an input is never taken for a finished output";
  // Without a list of extensions, any is taken (the input check stays).
  EXPECT_EQ(plan_batch(list).errors.size(), 1u);
}

TEST(BatchPlan, EachShardTakesItsOwnAndDuplicatesAreFoundAcrossShards) {
  TempDir tmp;
  BatchList list;
  for (int i = 0; i < 20; ++i) {
    const std::string in = "v" + std::to_string(i) + ".mp4";
    write_text(tmp.path(in), "x");
    list.items.push_back(item(tmp, in, i == 19 ? "v0.csv" : "v" + std::to_string(i) + ".csv"));
  }
  std::multiset<std::string> seen;
  std::size_t errors = 0;
  for (std::uint32_t k = 0; k < 3; ++k) {
    PlanOptions po;
    po.shard = {k, 3};
    const BatchPlan p = plan_batch(list, po);
    EXPECT_EQ(p.todo.size() + p.errors.size() + p.other_shards, 20u);
    for (const auto& it : p.todo) seen.insert(it.key);
    errors += p.errors.size();
  }
  EXPECT_EQ(seen.size(), 18u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 18u) << "no item twice";
  EXPECT_EQ(errors, 2u) << "v0 and v19 both write v0.csv, whichever shards they are in";
}

TEST(BatchPaths, FaceTakesAndIndexSitBesideTheOutput) {
  EXPECT_EQ(face_take_path("out/clip.csv", 2), "out/clip.face2.csv");
  EXPECT_EQ(face_index_path("out/clip.csv"), "out/clip.faces.json");
  EXPECT_EQ(commit_path({"in.mp4", "o/x.json", "k", "k", ""}, false), "o/x.json");
  EXPECT_EQ(commit_path({"in.mp4", "o/x.json", "k", "k", ""}, true), "o/x.faces.json");
}

TEST(BatchTemporaries, StaleOnesAreRemovedOthersKept) {
  TempDir tmp;
  for (const char* f : {".a.csv.tmp.123", ".a.csv.tmp.99", "a.csv", ".a.csv.tmp.x", ".b.csv.tmp.1"})
    write_text(tmp.path(f), "x");
  EXPECT_EQ(remove_stale_temporaries(tmp.path("a.csv")), 2u);
  EXPECT_TRUE(fs::exists(tmp.path("a.csv")));
  EXPECT_TRUE(fs::exists(tmp.path(".a.csv.tmp.x")));
  EXPECT_TRUE(fs::exists(tmp.path(".b.csv.tmp.1")));
  EXPECT_EQ(remove_stale_temporaries(tmp.path("nowhere/a.csv")), 0u);
}

}  // namespace
}  // namespace semblend
