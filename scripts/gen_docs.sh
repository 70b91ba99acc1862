#!/usr/bin/env bash
# Regenerates the generated sections of docs/ from the code (the blendshape table). Review the diff.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bin="${SEMBLEND_BIN:-build/release/bin/semblend}"
doc=docs/blendshapes.md
tmp="$(mktemp)"
sed '/<!-- begin generated: semblend schema -->/q' "$doc" >"$tmp"
"$bin" schema --format markdown >>"$tmp"
echo '<!-- end generated -->' >>"$tmp"
sed -n '/<!-- end generated -->/,$p' "$doc" | tail -n +2 >>"$tmp"
mv "$tmp" "$doc"
