// Internal: the SHA-256 of each pinned face-model file, by file name, generated at configure time
// from third_party/SHA256SUMS (the same sums scripts/setup.sh verifies), so loading checks them
// too.
#pragma once

#include <map>
#include <string>

namespace semblend::vision {

std::map<std::string, std::string> pinned_model_checksums();

}  // namespace semblend::vision
