// Internal to src/speech: the process-wide state of sphinxbase, shared by the files that call
// pocketsphinx (aligner.cpp, phone_loop.cpp). Include <sphinxbase/err.h> before this header.
#pragma once

#include <mutex>
#include <string>

namespace semblend::speech {

// sphinxbase's log sink and dither generator are process-wide: hold this around every decoder
// call (create, process, free).
std::mutex& sphinx_mutex();
// The last error sphinxbase logged (set by sphinx_log).
std::string& last_sphinx_error();
// The log callback (err_set_callback): keeps errors in last_sphinx_error(), drops the rest.
void sphinx_log(void*, err_lvl_t level, const char* fmt, ...);

}  // namespace semblend::speech
