#!/bin/sh
# solver.train_smoke_images: semblend_train with samples through images (rig renders run through
# the landmarker), the weights' moving average and the image-sample cache. Three tiny runs: the
# first generates and caches the image samples (by default each render read three times, the
# detection and two jittered copies, the renders turned up to 60°), the second must read them back
# and train the same; a third reads each render once (--image-readings 1), draws them three times
# as often as synthetic samples (--image-weight 3) and turns them up to 45° (--image-max-yaw 45).
# Usage: train_smoke_images.sh WORK_DIR SEMBLEND_TRAIN
set -eu
dir=$1
train=$2
rm -rf "$dir"
args="--samples 256 --steps 5 --batch 64 --hidden 16 --identities 2 --validation 32 --threads 1
      --image-samples 12 --image-identities 2 --ema 0.9 --cache $dir/cache"
# shellcheck disable=SC2086
"$train" -o "$dir/a/solver.json" --report "$dir/a/report.json" $args 2>"$dir.a.log" ||
  { cat "$dir.a.log"; exit 1; }
grep -q "12 renders read 3 times: 3[0-6] image samples with a face found" "$dir.a.log" ||
  { echo "the first run did not read 12 renders three times"; cat "$dir.a.log"; exit 1; }
# shellcheck disable=SC2086
"$train" -o "$dir/b/solver.json" --report "$dir/b/report.json" $args 2>"$dir.b.log" ||
  { cat "$dir.b.log"; exit 1; }
grep -q "image samples read from $dir/cache/" "$dir.b.log" ||
  { echo "the second run did not read the cache"; cat "$dir.b.log"; exit 1; }
grep -q -- "--ema 0.9 --image-samples 12 --image-identities 2 --image-readings 3 --image-max-yaw 60" \
  "$dir/b/report.json" ||
  { echo "the report does not record the options"; cat "$dir/b/report.json"; exit 1; }
# shellcheck disable=SC2086
"$train" -o "$dir/c/solver.json" --report "$dir/c/report.json" $args --image-readings 1 \
  --image-weight 3 --image-max-yaw 45 2>"$dir.c.log" || { cat "$dir.c.log"; exit 1; }
grep -q "12 renders read 1 times: 12 image samples with a face found" "$dir.c.log" ||
  { echo "the third run did not read each render once"; cat "$dir.c.log"; exit 1; }
test -f "$dir/cache/images_seed2001_n12_ids2_384_r3_yaw60.pt" &&
  test -f "$dir/cache/images_seed2001_n12_ids2_384.pt" ||
  { echo "the two kinds of samples were not cached under their own names"; ls "$dir/cache"; exit 1; }
grep -q -- "--image-readings 1 --image-max-yaw 45 --image-weight 3" "$dir/c/report.json" ||
  { echo "the report does not record the image options"; cat "$dir/c/report.json"; exit 1; }
echo "ok: image samples generated, cached and read back, and read once; the exports checked"
