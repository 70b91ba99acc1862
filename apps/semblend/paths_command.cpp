// `semblend paths`: where the run-time files are found, each checked (resources.h).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
#include "semblend/aligner.h"
#include "semblend/resources.h"
#include "semblend/version.h"

namespace semblend::cli {

int run_paths(const PathsOptions& o) {
  const std::vector<ResourceReport> reports = check_resources();
  const std::string pocketsphinx = default_pocketsphinx_model_dir();
  std::error_code ec;
  const bool pocketsphinx_ok = std::filesystem::is_directory(pocketsphinx, ec);
  bool ok = pocketsphinx_ok;
  for (const ResourceReport& r : reports) ok = ok && r.ok();

  if (o.json) {
    nlohmann::json j;
    j["version"] = version();
    j["installed_data_dir"] = installed_data_dir();
    const char* variable = std::getenv("SEMBLEND_DATA_DIR");
    j["data_dir_variable"] = variable ? variable : "";
    for (const ResourceReport& r : reports) {
      nlohmann::json files = nlohmann::json::array();
      for (const ResourceFileCheck& f : r.files)
        files.push_back({{"file", f.file}, {"ok", f.problem.empty()}, {"problem", f.problem}});
      j["resources"].push_back({{"name", r.name},
                                {"path", r.location.path},
                                {"origin", resource_origin_name(r.location.origin)},
                                {"ok", r.ok()},
                                {"files", files}});
    }
    j["pocketsphinx_model_dir"] = {{"path", pocketsphinx}, {"ok", pocketsphinx_ok}};
    j["ok"] = ok;
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    std::printf("semblend %s\n", version());
    std::printf("installed data dir: %s\n", installed_data_dir().c_str());
    for (const ResourceReport& r : reports) {
      std::size_t good = 0;
      for (const ResourceFileCheck& f : r.files) good += f.problem.empty();
      std::printf("%-12s %-17s %s  (%zu of %zu files ok)\n", r.name.c_str(),
                  resource_origin_name(r.location.origin), r.location.path.c_str(), good,
                  r.files.size());
      for (const ResourceFileCheck& f : r.files)
        if (!f.problem.empty()) std::printf("  %s: %s\n", f.file.c_str(), f.problem.c_str());
    }
    std::printf("%-12s %-17s %s  (%s)\n", "pocketsphinx", "system", pocketsphinx.c_str(),
                pocketsphinx_ok ? "present" : "missing: install pocketsphinx-en-us");
  }
  if (!ok) {
    std::fprintf(stderr,
                 "semblend paths: some model files are missing or differ from this build's "
                 "(listed above); reinstall, or unset SEMBLEND_DATA_DIR if it points elsewhere\n");
    return kInputUnreadable;
  }
  return kOk;
}

}  // namespace semblend::cli
