#!/usr/bin/env bash
# Batch throughput (docs/batch.md#throughput): makes a corpus with semblend itself — 8 clips of the
# demo performance on 4 rig identities (195 frames each, 384²) and 40 rig photos (512²) — and runs
# `semblend video` and `semblend image` (each face read 16 times, then once) on the folders with 1
# and 2 workers. Prints each run's summary line. Usage: scripts/bench_batch.sh [path/to/semblend] (default build/release/bin).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
B="$(realpath "${1:-$root/build/release/bin/semblend}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir clips photos
"$B" demo -o demo.json --fps 30 >/dev/null 2>&1
for s in 1 2 3 4; do
  "$B" render --take demo.json -o "clips/id$s.mp4" --size 384 --identity-seed "$s" 2>/dev/null
  cp "clips/id$s.mp4" "clips/id${s}b.mp4"
done
for i in $(seq 0 39); do
  "$B" render -o "photos/p$i.png" --size 512 --identity-seed $((i + 10)) \
    --set "jawOpen=0.$((i % 9)),mouthSmileLeft=0.$(((i * 3) % 9))" --yaw $((i % 20 - 10)) 2>/dev/null
done
echo "$(nproc) CPU threads; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for jobs in 1 2; do
  "$B" video clips --out-dir "takes$jobs" --format csv --jobs "$jobs" 2>&1 | tail -1
  "$B" image photos --out-dir "json$jobs" --jobs "$jobs" 2>&1 | tail -1
  "$B" image photos --out-dir "json${jobs}once" --jobs "$jobs" --readings 1 2>&1 | tail -1
done
