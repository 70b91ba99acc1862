// Bounded reads and atomic writes (include/semblend/file_io.h).
#include "semblend/file_io.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "semblend/error.h"
#include "test_util.h"

namespace semblend {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(ReadFile, ReadsTheWholeFile) {
  TempDir tmp;
  std::string data = "line one\n";
  data.push_back('\0');
  data += "binary too\n";
  test::write_text(tmp.path("a.txt"), data);
  EXPECT_EQ(read_file(tmp.path("a.txt")), data);
}

TEST(ReadFile, ReadsAnEmptyFile) {
  TempDir tmp;
  test::write_text(tmp.path("empty"), "");
  EXPECT_EQ(read_file(tmp.path("empty")), "");
}

TEST(ReadFile, MissingFileThrowsIoErrorNamingIt) {
  TempDir tmp;
  const std::string path = tmp.path("nope.csv");
  try {
    (void)read_file(path);
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_EQ(e.op(), IoError::Op::Read);
    EXPECT_EQ(e.file(), path);
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(ReadFile, DirectoryIsRefused) {
  TempDir tmp;
  try {
    (void)read_file(tmp.dir().string());
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_EQ(e.op(), IoError::Op::Read);
    EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos) << e.what();
  }
}

// A pipe (what /dev/stdin is under `whisper ... | semblend speech a.wav --transcript -`, or a
// shell's `<(...)`) is read to its end, within the same limit.
TEST(ReadFile, APipeIsReadToItsEndWithinTheLimit) {
  TempDir tmp;
  const std::string fifo = tmp.path("pipe");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::size_t limit : {std::size_t{200000}, std::size_t{99999}}) {
    std::thread writer([&] {
      std::ofstream out(fifo, std::ios::binary);
      out << std::string(100000, 'x');  // more than one 64 KiB read
    });
    if (limit >= 100000) {
      EXPECT_EQ(read_file(fifo, limit), std::string(100000, 'x'));
    } else {
      try {
        (void)read_file(fifo, limit);
        ADD_FAILURE() << "a pipe over the limit was read";
      } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find("limit"), std::string::npos) << e.what();
      }
    }
    writer.join();
  }
}

TEST(ReadFile, FileOverTheLimitIsRefused) {
  TempDir tmp;
  const std::string path = tmp.path("big");
  test::write_text(path, std::string(100, 'x'));
  EXPECT_EQ(read_file(path, 100).size(), 100u);
  EXPECT_THROW((void)read_file(path, 99), IoError);
}

TEST(ReadFile, SparseTwoGiBFileIsRefusedWithTheLimitInTheMessage) {
  TempDir tmp;
  const std::string path = tmp.path("huge.csv");
  test::write_text(path, "Timecode,BlendShapeCount\n");
  fs::resize_file(path, std::uintmax_t{2} << 30);  // sparse: no real disk use
  try {
    (void)read_file(path);
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.op(), IoError::Op::Read);
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find("limit"), std::string::npos) << what;
    EXPECT_NE(what.find("1.0 GiB"), std::string::npos) << what;  // the limit itself
    EXPECT_NE(what.find("2.0 GiB"), std::string::npos) << what;  // the file's size
  }
}

TEST(WriteFileAtomic, WritesAndLeavesNoTemporaryFiles) {
  TempDir tmp;
  const std::string path = tmp.path("out.csv");
  write_file_atomic(path, "hello\n");
  EXPECT_EQ(test::read_text(path), "hello\n");
  EXPECT_EQ(entries(tmp.dir()), std::vector<std::string>{"out.csv"});
}

TEST(WriteFileAtomic, ReplacesExistingContent) {
  TempDir tmp;
  const std::string path = tmp.path("out.json");
  test::write_text(path, "a much longer old content that must disappear entirely\n");
  write_file_atomic(path, "new\n");
  EXPECT_EQ(test::read_text(path), "new\n");
  write_file_atomic(path, "");
  EXPECT_EQ(test::read_text(path), "");
  EXPECT_EQ(entries(tmp.dir()), std::vector<std::string>{"out.json"});
}

TEST(WriteFileAtomic, MissingDirectoryThrowsAndCreatesNothing) {
  TempDir tmp;
  const fs::path missing = tmp.dir() / "no" / "such";
  const std::string path = (missing / "out.csv").string();
  try {
    write_file_atomic(path, "x");
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_EQ(e.op(), IoError::Op::Write);
    EXPECT_EQ(e.file(), path);
  }
  EXPECT_FALSE(fs::exists(tmp.dir() / "no"));
  EXPECT_TRUE(entries(tmp.dir()).empty());
}

TEST(WriteFileAtomic, TargetThatIsADirectoryIsRefused) {
  TempDir tmp;
  fs::create_directory(tmp.dir() / "out.csv");
  EXPECT_THROW(write_file_atomic(tmp.path("out.csv"), "x"), IoError);
  EXPECT_TRUE(fs::is_directory(tmp.dir() / "out.csv"));
  EXPECT_EQ(entries(tmp.dir()), std::vector<std::string>{"out.csv"});
}

// A write that fails half-way (the file size limit is hit, as on a full disk) leaves the existing
// output exactly as it was and no temporary file behind.
TEST(WriteFileAtomic, FailedWriteLeavesExistingOutputUntouched) {
  TempDir tmp;
  const std::string path = tmp.path("out.csv");
  const std::string old = "old content\n";
  test::write_text(path, old);

  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  const auto previous_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = saved;
  small.rlim_cur = 4096;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  bool threw = false;
  try {
    write_file_atomic(path, std::string(64 * 1024, 'n'));
  } catch (const IoError& e) {
    threw = e.op() == IoError::Op::Write;
  }
  setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, previous_handler);

  EXPECT_TRUE(threw);
  EXPECT_EQ(test::read_text(path), old);
  EXPECT_EQ(entries(tmp.dir()), std::vector<std::string>{"out.csv"});
}

// A symbolic link stays a link: the file it names is replaced (and keeps its permissions).
TEST(WriteFileAtomic, FollowsASymbolicLinkAndKeepsTheTargetsPermissions) {
  TempDir tmp;
  test::write_text(tmp.path("real.csv"), "old\n");
  fs::permissions(tmp.path("real.csv"), fs::perms::owner_read | fs::perms::group_read);
  fs::create_symlink("real.csv", tmp.dir() / "link.csv");
  write_file_atomic(tmp.path("link.csv"), "new\n");
  EXPECT_TRUE(fs::is_symlink(tmp.dir() / "link.csv"));
  EXPECT_EQ(test::read_text(tmp.path("real.csv")), "new\n");
  EXPECT_EQ(fs::status(tmp.dir() / "real.csv").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::group_read);
  EXPECT_EQ(entries(tmp.dir()), (std::vector<std::string>{"link.csv", "real.csv"}));
  // A dangling link: the file it names is created.
  fs::create_symlink("made.csv", tmp.dir() / "dangling.csv");
  write_file_atomic(tmp.path("dangling.csv"), "made\n");
  EXPECT_TRUE(fs::is_symlink(tmp.dir() / "dangling.csv"));
  EXPECT_EQ(test::read_text(tmp.path("made.csv")), "made\n");
}

// A device or FIFO (/dev/null, /dev/stdout, a pipe) is written in place, never replaced by a file.
TEST(WriteFileAtomic, WritesIntoAFifoWithoutReplacingIt) {
  TempDir tmp;
  const std::string fifo = tmp.path("pipe.jsonl");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const OutputTarget t = resolve_output(fifo);
  EXPECT_TRUE(t.in_place);
  // The reader end opened first (not blocking), so the writer's open succeeds at once and the
  // few bytes fit the pipe's buffer: no thread, and no hang if the writer misbehaves.
  const int rd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(rd, 0);
  write_file_atomic(fifo, "line\n");
  char buf[64] = {};
  const ssize_t n = ::read(rd, buf, sizeof buf);
  ::close(rd);
  EXPECT_EQ(std::string(buf, n > 0 ? std::size_t(n) : 0), "line\n");
  struct stat st {};
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(entries(tmp.dir()), std::vector<std::string>{"pipe.jsonl"});
}

TEST(ResolveOutput, NamesWhatAPathIs) {
  TempDir tmp;
  EXPECT_FALSE(resolve_output(tmp.path("new.csv")).in_place);
  EXPECT_EQ(resolve_output(tmp.path("new.csv")).mode, -1);
  EXPECT_TRUE(resolve_output("/dev/null").in_place);
  EXPECT_THROW(resolve_output(tmp.path("no/such/out.csv")), IoError);
  EXPECT_THROW(resolve_output(tmp.path("")), IoError);  // the folder itself
  fs::create_symlink("b", tmp.dir() / "a");
  fs::create_symlink("a", tmp.dir() / "b");
  EXPECT_THROW(resolve_output(tmp.path("a")), IoError);  // a loop
}

TEST(ExtensionOf, LowerCaseWithoutDot) {
  EXPECT_EQ(extension_of("take.CSV"), "csv");
  EXPECT_EQ(extension_of("/a/b.c/take.jsonl"), "jsonl");
  EXPECT_EQ(extension_of("noext"), "");
  EXPECT_EQ(extension_of("dir.d/noext"), "");
}

}  // namespace
}  // namespace semblend
