// resources.h: where run-time files are found. The installed tree itself (moved, used by a
// program built against it) is tests/install/install_test.sh.
#include "semblend/resources.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "semblend/landmarker.h"
#include "semblend/solver.h"
#include "semblend/version.h"
#include "test_util.h"

namespace semblend {
namespace {

// Sets SEMBLEND_DATA_DIR (or unsets it) for one test and puts back what was there.
class DataDirVariable {
 public:
  explicit DataDirVariable(const char* value) {
    if (const char* old = std::getenv("SEMBLEND_DATA_DIR")) old_ = old;
    if (value)
      ::setenv("SEMBLEND_DATA_DIR", value, 1);
    else
      ::unsetenv("SEMBLEND_DATA_DIR");
  }
  ~DataDirVariable() {
    if (old_)
      ::setenv("SEMBLEND_DATA_DIR", old_->c_str(), 1);
    else
      ::unsetenv("SEMBLEND_DATA_DIR");
  }

 private:
  std::optional<std::string> old_;
};

TEST(Resources, TheBuildTreeServesATestBinary) {
  DataDirVariable unset(nullptr);
  const ResourceLocation l = locate_resource("solver/solver.json", "/build/tree/solver.json");
  // This binary is not in an installed tree (no share/semblend beside its folder).
  EXPECT_EQ(l.origin, ResourceOrigin::BuildTree);
  EXPECT_EQ(l.path, "/build/tree/solver.json");
  EXPECT_EQ(default_model_location().origin, ResourceOrigin::BuildTree);
}

TEST(Resources, TheInstalledDataDirIsBesideThisBinarysFolder) {
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe");
  const std::filesystem::path expected =
      (self.parent_path() / SEMBLEND_TEST_DATA_FROM_BIN).lexically_normal();
  EXPECT_EQ(installed_data_dir(), expected.string());
}

TEST(Resources, TheVariableWinsEvenWhereNothingIs) {
  DataDirVariable set("/nowhere/semblend");
  const ResourceLocation l = locate_resource("models", "/build/tree/models");
  EXPECT_EQ(l.origin, ResourceOrigin::Environment);
  EXPECT_EQ(l.path, "/nowhere/semblend/models");
  EXPECT_EQ(default_solver_model_path(), "/nowhere/semblend/solver/solver.json");
  // And a loader names the place it was sent to.
  try {
    Solver::load_default();
    FAIL() << "loaded a solver from nowhere";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("/nowhere/semblend/solver/solver.json"), std::string::npos)
        << e.what();
  }
  bool any_broken = false;
  for (const ResourceReport& r : check_resources()) any_broken = any_broken || !r.ok();
  EXPECT_TRUE(any_broken);
}

TEST(Resources, AnEmptyVariableIsUnset) {
  DataDirVariable empty("");
  EXPECT_EQ(locate_resource("models", "/build/tree/models").origin, ResourceOrigin::BuildTree);
}

TEST(Resources, EveryShippedFileMatchesItsSum) {
  DataDirVariable unset(nullptr);
  const std::vector<ResourceReport> reports = check_resources();
  ASSERT_EQ(reports.size(), 3u);
  for (const ResourceReport& r : reports) {
    EXPECT_TRUE(r.ok()) << r.name;
    EXPECT_GE(r.files.size(), 2u) << r.name;
    for (const ResourceFileCheck& f : r.files) EXPECT_EQ(f.problem, "") << f.file;
  }
}

// `semblend paths` (the installed tree's side is tests/install/install_test.sh).
TEST(CliPaths, JsonSaysWhereEveryModelSetIsAndThatItIsIntact) {
  DataDirVariable unset(nullptr);
  test::TempDir tmp;
  const test::RunResult r = test::run_cli("paths --json", tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.at("version"), version());
  EXPECT_EQ(j.at("ok"), true);
  ASSERT_EQ(j.at("resources").size(), 3u);
  for (const nlohmann::json& res : j.at("resources")) {
    EXPECT_EQ(res.at("origin"), "build tree") << res.dump();
    EXPECT_EQ(res.at("ok"), true) << res.dump();
    for (const nlohmann::json& f : res.at("files")) EXPECT_EQ(f.at("problem"), "") << f.dump();
  }
  EXPECT_EQ(j.at("resources")[1].at("path"), default_solver_model_path());
}

TEST(CliPaths, ADataDirWithoutTheFilesExits3NamingThem) {
  test::TempDir tmp;
  DataDirVariable set(tmp.path("nowhere").c_str());
  const test::RunResult r = test::run_cli("paths", tmp);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_TRUE(test::contains(r.out, tmp.path("nowhere") + "/models/facemesh.bin: ")) << r.out;
  EXPECT_TRUE(test::contains(r.out, "SEMBLEND_DATA_DIR")) << r.out;
  EXPECT_TRUE(test::contains(r.err, "missing or differ")) << r.err;
}

TEST(Resources, VersionIsTheProjects) {
  EXPECT_STREQ(version(), SEMBLEND_TEST_PROJECT_VERSION);
}

}  // namespace
}  // namespace semblend
