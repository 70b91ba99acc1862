#include "test_util.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

namespace semblend::test {

std::string shared_data(const std::string& relative) {
  const std::filesystem::path p = std::filesystem::path(SEMBLEND_SHARED_DATA) / relative;
  if (!std::filesystem::exists(p))
    ADD_FAILURE() << "missing shared test data " << p
                  << " (../shared/data beside the project; set -DSEMBLEND_SHARED_DATA=...)";
  return p.string();
}

TempDir::TempDir() {
  std::random_device rd;
  dir_ = std::filesystem::temp_directory_path() /
         ("semblend-test-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(dir_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

RunResult run_cli(const std::string& args, const TempDir& tmp) {
  const std::string out = tmp.path(".stdout"), err = tmp.path(".stderr");
  const std::string cmd =
      std::string("'") + SEMBLEND_CLI + "' " + args + " >'" + out + "' 2>'" + err + "' </dev/null";
  const int status = std::system(cmd.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_text(out);
  r.err = read_text(err);
  return r;
}

}  // namespace semblend::test
