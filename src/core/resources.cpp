// Where run-time files are found (semblend/resources.h).
#include "semblend/resources.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "core/sha256.h"
#include "semblend/appearance.h"
#include "semblend/error.h"
#include "semblend/file_io.h"
#include "semblend/landmarker.h"
#include "semblend/solver.h"
#include "vision/model_checksums.h"

// The install layout's data dir relative to the executables' and the shared library's folders
// (CMake computes both from GNUInstallDirs; cmake/install.cmake).
#ifndef SEMBLEND_DATA_FROM_BIN
#define SEMBLEND_DATA_FROM_BIN "../share/semblend"
#endif
#ifndef SEMBLEND_DATA_FROM_LIB
#define SEMBLEND_DATA_FROM_LIB "../share/semblend"
#endif

namespace semblend {
namespace {

namespace fs = std::filesystem;

const char kAnchor = 0;  // an address inside whichever file this code was linked into

// The file holding this code: libsemblend.so when it is the shared library, else the executable
// the static library was linked into. dladdr names a shared object by the path it was loaded
// from, but the main program only by the name it was started as (often without a folder), so
// the executable is read from /proc/self/exe, and the code is in a shared library when dladdr
// names another file.
struct RunningFile {
  fs::path path;
  bool shared_library = false;
};
RunningFile running_file() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  Dl_info info{};
  if (::dladdr(&kAnchor, &info) != 0 && info.dli_fname != nullptr && *info.dli_fname != '\0') {
    // The main program's argv[0] may name no file from here (no folder): then it is not a library.
    std::error_code ec2;
    const fs::path p = fs::weakly_canonical(info.dli_fname, ec2);
    const bool is_file = !ec2 && fs::is_regular_file(p, ec2);
    if (is_file && (ec || !fs::equivalent(p, exe, ec2))) return {p, true};
  }
  if (ec) return {};
  return {exe, false};
}

bool present(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

// Each file of a resource checked against its compiled-in sum.
std::vector<ResourceFileCheck> check_files(const fs::path& dir,
                                           const std::map<std::string, std::string>& sums) {
  std::vector<ResourceFileCheck> out;
  if (sums.empty()) out.push_back({dir.string(), "this build has no checksums for these files"});
  for (const auto& [file, sum] : sums) {
    ResourceFileCheck c{(dir / file).string(), ""};
    try {
      if (sha256_hex(read_file(c.file)) != sum) c.problem = "SHA-256 differs from this build's";
    } catch (const IoError& e) {
      c.problem = e.what();
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

const char* resource_origin_name(ResourceOrigin o) {
  switch (o) {
    case ResourceOrigin::Environment:
      return "SEMBLEND_DATA_DIR";
    case ResourceOrigin::Installed:
      return "installed";
    case ResourceOrigin::BuildTree:
      return "build tree";
  }
  return "?";
}

std::string installed_data_dir() {
  const RunningFile f = running_file();
  if (f.path.empty()) return "";
  const fs::path rel = f.shared_library ? SEMBLEND_DATA_FROM_LIB : SEMBLEND_DATA_FROM_BIN;
  return (f.path.parent_path() / rel).lexically_normal().string();
}

ResourceLocation locate_resource(std::string_view relative, std::string_view build_tree_path) {
  if (const char* env = std::getenv("SEMBLEND_DATA_DIR"); env != nullptr && *env != '\0')
    return {(fs::path(env) / relative).lexically_normal().string(), ResourceOrigin::Environment};
  if (const std::string dir = installed_data_dir(); !dir.empty()) {
    const fs::path p = fs::path(dir) / relative;
    if (present(p)) return {p.string(), ResourceOrigin::Installed};
  }
  return {std::string(build_tree_path), ResourceOrigin::BuildTree};
}

bool ResourceReport::ok() const {
  for (const ResourceFileCheck& f : files)
    if (!f.problem.empty()) return false;
  return true;
}

std::vector<ResourceReport> check_resources() {
  std::vector<ResourceReport> out;
  const auto add = [&](const char* name, ResourceLocation loc, const fs::path& dir,
                       const std::map<std::string, std::string>& sums) {
    out.push_back({name, std::move(loc), check_files(dir, sums)});
  };
  const ResourceLocation models = default_model_location();
  add("face models", models, models.path, vision::pinned_model_checksums());
  const ResourceLocation solver = default_solver_model_location();
  add("solver", solver, fs::path(solver.path).parent_path(), default_solver_model_checksums());
  const ResourceLocation appearance = default_appearance_location();
  add("appearance", appearance, appearance.path, default_appearance_checksums());
  return out;
}

}  // namespace semblend
