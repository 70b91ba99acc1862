// The judging page's files (web/judge/), compiled into the binary at build time
// (apps/semblend/embed_web.cmake), so `semblend serve` needs no files at run time.
#pragma once

#include <span>
#include <string_view>

namespace semblend::cli::serve {

struct Asset {
  std::string_view path;  // "index.html", "judge.js", "judge.css"
  std::string_view mime;
  std::string_view content;
};

std::span<const Asset> web_assets();

}  // namespace semblend::cli::serve
