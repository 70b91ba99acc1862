#!/usr/bin/env bash
# The installed tree (cmake/install.cmake, README "Install"), as a user gets it:
#   1. `cmake --install` into a prefix, then the prefix moved elsewhere (relocatable);
#   2. the installed `semblend` finds its models beside itself (`paths`) and reads a rig render;
#   3. a program outside this tree builds against it with find_package(semblend) and with
#      pkg-config, and reads the rig's jaw at rest and open with the installed models;
#   4. SEMBLEND_DATA_DIR pointing at nothing, and a corrupted installed model, fail with errors
#      naming the file and a non-zero exit, never silently using other files.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR CXX_COMPILER
set -euo pipefail
build=$1 src=$2 cxx=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/install.log"
mv "$tmp/prefix" "$tmp/moved"
p="$tmp/moved"
data="$p/share/semblend"
for f in bin/semblend include/semblend/semblend.h share/semblend/models/facemesh.bin \
         share/semblend/solver/solver.json share/semblend/appearance/fusion.json; do
  [[ -e "$p/$f" ]] || fail "not installed: $f"
done
lib=$(dirname "$(find "$p" -name 'libsemblend.so' | head -1)")
[[ -n "$lib" && -e "$lib/libsemblend.so" ]] || fail "libsemblend.so not installed"
[[ -e "$lib/cmake/semblend/semblendConfig.cmake" ]] || fail "no CMake package config"
[[ -e "$lib/pkgconfig/semblend.pc" ]] || fail "no pkg-config file"

echo "== the installed command finds its data beside itself"
"$p/bin/semblend" paths >"$tmp/paths.txt" || { cat "$tmp/paths.txt"; fail "semblend paths"; }
cat "$tmp/paths.txt"
for name in "face models" solver appearance; do
  grep -q "^$name *installed *$data/" "$tmp/paths.txt" || fail "$name not found in $data"
done
"$p/bin/semblend" render --set jawOpen=0.6 -o "$tmp/face.png" 2>/dev/null ||
  fail "semblend render"
"$p/bin/semblend" image "$tmp/face.png" -o "$tmp/face.json" 2>"$tmp/image.err" ||
  { cat "$tmp/image.err"; fail "semblend image on a render"; }
grep -q '"jawOpen"' "$tmp/face.json" || fail "no jawOpen in the image's output"

echo "== a CMake project finds the package"
cmake -S "$src/examples/consumer" -B "$tmp/consumer" -DCMAKE_PREFIX_PATH="$p" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=Release >"$tmp/consumer.log" ||
  { cat "$tmp/consumer.log"; fail "configuring the consumer"; }
cmake --build "$tmp/consumer" >>"$tmp/consumer.log" 2>&1 ||
  { cat "$tmp/consumer.log"; fail "building the consumer"; }
"$tmp/consumer/semblend_consumer" >"$tmp/consumer.txt" ||
  { cat "$tmp/consumer.txt"; fail "running the consumer"; }
cat "$tmp/consumer.txt"
grep -q "^face models: installed $data/models ok$" "$tmp/consumer.txt" ||
  fail "the consumer did not use the installed face models"
grep -q "^solver: installed $data/solver/solver.json ok$" "$tmp/consumer.txt" ||
  fail "the consumer did not use the installed solver"
rest=$(awk '$1 == "rest:" && $2 == "jawOpen" { print $3 }' "$tmp/consumer.txt" | tr -d :)
open=$(awk '$1 == "open:" && $2 == "jawOpen" { print $3 }' "$tmp/consumer.txt" | tr -d :)
[[ -n "$rest" && -n "$open" ]] || fail "the consumer found no face in the renders"
awk -v r="$rest" -v o="$open" 'BEGIN { exit !(r < 0.15 && o > r + 0.3) }' ||
  fail "the consumer reads jawOpen $rest at rest and $open with the jaw open at 0.7"

echo "== pkg-config"
flags=$(PKG_CONFIG_PATH="$lib/pkgconfig" pkg-config --cflags --libs semblend)
echo "pkg-config: $flags"
# shellcheck disable=SC2086
"$cxx" -O1 "$src/examples/consumer/main.cpp" $flags -Wl,-rpath,"$lib" -o "$tmp/pc_consumer" ||
  fail "building with pkg-config's flags"
"$tmp/pc_consumer" >/dev/null || fail "running the pkg-config build"

echo "== bad data: SEMBLEND_DATA_DIR pointing at nothing"
set +e
SEMBLEND_DATA_DIR="$tmp/nowhere" "$p/bin/semblend" paths >/dev/null 2>&1
rc=$?
SEMBLEND_DATA_DIR="$tmp/nowhere" "$p/bin/semblend" image "$tmp/face.png" -o "$tmp/x.json" \
  2>"$tmp/nowhere.err"
rc_image=$?
set -e
[[ $rc == 3 ]] || fail "paths with a missing SEMBLEND_DATA_DIR exited $rc, not 3"
[[ $rc_image != 0 ]] || fail "image with a missing SEMBLEND_DATA_DIR succeeded"
grep -q "$tmp/nowhere/" "$tmp/nowhere.err" || { cat "$tmp/nowhere.err"; fail "error does not name the path"; }
[[ ! -e "$tmp/x.json" ]] || fail "a failed run left an output"

echo "== bad data: a corrupted installed solver"
chmod u+w "$data/solver/solver.bin"
printf 'x' | dd of="$data/solver/solver.bin" bs=1 seek=100 conv=notrunc status=none
set +e
"$p/bin/semblend" paths >"$tmp/paths2.txt" 2>&1
rc=$?
"$p/bin/semblend" image "$tmp/face.png" -o "$tmp/y.json" 2>"$tmp/corrupt.err"
rc_image=$?
set -e
[[ $rc == 3 ]] || fail "paths with a corrupted solver exited $rc, not 3"
grep -q "solver.bin: SHA-256 differs" "$tmp/paths2.txt" || { cat "$tmp/paths2.txt"; fail "paths does not name the corrupted file"; }
[[ $rc_image != 0 ]] || fail "image with a corrupted solver succeeded"
grep -q "solver" "$tmp/corrupt.err" || { cat "$tmp/corrupt.err"; fail "error does not name the solver"; }
[[ ! -e "$tmp/y.json" ]] || fail "a failed run left an output"
echo "install test passed"
