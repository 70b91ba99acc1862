#!/usr/bin/env bash
# The Debian package (cmake/install.cmake, README "Install"): built with CPack from this build,
# it holds the command, the library, its headers and the data (not the libtorch trainers),
# depends on the Debian packages the binaries link (dpkg-shlibdeps) and on the data packages, and
# its tree, unpacked anywhere, runs with the data it brought.
# Usage: deb_test.sh BUILD_DIR
set -euo pipefail
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cpack --config "$build/CPackConfig.cmake" -B "$tmp/out" >"$tmp/cpack.log" 2>&1 ||
  { cat "$tmp/cpack.log"; fail "cpack"; }
deb=$(find "$tmp/out" -maxdepth 1 -name 'semblend_*.deb' | head -1)
[[ -n "$deb" ]] || { cat "$tmp/cpack.log"; fail "no .deb written"; }
echo "package: $(basename "$deb") ($(du -h "$deb" | cut -f1))"
dpkg-deb -f "$deb" Package Version Architecture Depends | tee "$tmp/control"
for dep in libopencv-core406 libxnnpack0 libpocketsphinx3 libespeak-ng1 libsndfile1 liblo7 \
           pocketsphinx-en-us espeak-ng-data; do
  grep -q "$dep" "$tmp/control" || fail "Depends lacks $dep"
done
grep -q "torch" "$tmp/control" && fail "the package depends on libtorch"
dpkg-deb -c "$deb" | awk '{ print $NF }' >"$tmp/files"
for f in ./usr/bin/semblend ./usr/lib/libsemblend.so.0.1.0 ./usr/include/semblend/semblend.h \
         ./usr/lib/cmake/semblend/semblendConfig.cmake ./usr/lib/pkgconfig/semblend.pc \
         ./usr/share/semblend/models/facemesh.bin ./usr/share/semblend/solver/solver.bin \
         ./usr/share/semblend/appearance/fusion.json; do
  grep -qx "$f" "$tmp/files" || fail "not in the package: $f"
done
grep -q "semblend_train" "$tmp/files" && fail "the package holds a libtorch trainer"

dpkg-deb -x "$deb" "$tmp/root"
"$tmp/root/usr/bin/semblend" paths >"$tmp/paths.txt" || { cat "$tmp/paths.txt"; fail "paths"; }
cat "$tmp/paths.txt"
for name in "face models" solver appearance; do
  grep -q "^$name *installed *$tmp/root/usr/share/semblend/" "$tmp/paths.txt" ||
    fail "$name not found in the unpacked package"
done
echo "deb test passed"
