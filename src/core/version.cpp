#include "semblend/version.h"

namespace semblend {

const char* version() {
  return SEMBLEND_VERSION;
}

}  // namespace semblend
