// libsemblend.so is linked from the static library's objects (src/CMakeLists.txt); a shared
// library target needs one source of its own, and this is it.
#include "semblend/resources.h"
