// Helpers shared by the tests: paths to real data, temporary folders, running the CLI.
#pragma once

#include <filesystem>
#include <string>

namespace semblend::test {

// A file under ../shared/data; fails the test (not skips) when the shared data is missing.
std::string shared_data(const std::string& relative);

// A fresh empty directory, removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

std::string read_text(const std::string& path);
void write_text(const std::string& path, const std::string& text);

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};
// Runs the semblend binary with `args` (shell-quoted here), capturing stdout and stderr.
RunResult run_cli(const std::string& args, const TempDir& tmp);

}  // namespace semblend::test
