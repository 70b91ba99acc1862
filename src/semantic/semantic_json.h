// Internal: the JSON object of a SemanticDescription, for writers that embed it (src/formats).
#pragma once

#include <nlohmann/json.hpp>

#include "semblend/semantic_types.h"

namespace semblend {

nlohmann::ordered_json semantic_to_json(const SemanticDescription& d);

}  // namespace semblend
