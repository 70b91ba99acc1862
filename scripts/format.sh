#!/usr/bin/env bash
# Formats the C++ sources with .clang-format; `--check` only reports files that differ.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -co --exclude-standard -- '*.h' '*.cpp')
else  # a source tree without git (an unpacked archive)
  mapfile -t files < <(find include src apps tests bench -name '*.h' -o -name '*.cpp' | sort)
fi
((${#files[@]})) || exit 0
if [[ "${1:-}" == "--check" ]]; then
  if ! clang-format --dry-run -Werror "${files[@]}" 2>/dev/null; then
    echo "format: these files are not clang-formatted (run scripts/format.sh):" >&2
    for f in "${files[@]}"; do
      clang-format "$f" | cmp -s - "$f" || echo "  $f" >&2
    done
    exit 1
  fi
else
  clang-format -i "${files[@]}"
fi
