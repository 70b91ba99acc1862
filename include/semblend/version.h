// semblend/version.h — the library's version (CMake's project version, one source of truth).
// Thread safety: a constant.
#pragma once

namespace semblend {

const char* version();  // "0.1.0"

}  // namespace semblend
