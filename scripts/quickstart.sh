#!/usr/bin/env bash
# README command 1: install what is missing, build (Release), and run the main job on the bundled
# default input. For now the main job is the demo take: semblend makes a short scripted
# performance, writes it as a Live Link Face CSV and a JSON take under out/, describes it in words
# and summarises the CSV.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

scripts/setup.sh
# The same configuration as scripts/test.sh, so neither rebuilds the other's work.
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DSEMBLEND_WERROR=ON >/dev/null
cmake --build build/release -j"$(nproc)"

mkdir -p out
build/release/bin/semblend demo -o out/demo.csv -o out/demo.json
echo
build/release/bin/semblend info out/demo.csv --top 6 | head -n 8
echo
echo "Wrote out/demo.csv (Live Link Face CSV) and out/demo.json. The CLI is build/release/bin/semblend."
