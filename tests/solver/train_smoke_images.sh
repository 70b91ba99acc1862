#!/bin/sh
# solver.train_smoke_images: semblend_train with samples through images (rig renders run through
# the landmarker), the weights' moving average and the image-sample cache. Two tiny runs: the
# first generates and caches the image samples, the second must read them back and train the same;
# a third reads each render twice (--image-readings 2: the detection and a jittered copy) and
# draws them three times as often as synthetic samples (--image-weight 3), its renders turned up to
# 60° (--image-max-yaw 60).
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
grep -q "12 renders read 1 times: 12 image samples with a face found" "$dir.a.log" ||
  { echo "the first run did not generate 12 image samples with faces"; cat "$dir.a.log"; exit 1; }
# shellcheck disable=SC2086
"$train" -o "$dir/b/solver.json" --report "$dir/b/report.json" $args 2>"$dir.b.log" ||
  { cat "$dir.b.log"; exit 1; }
grep -q "image samples read from $dir/cache/" "$dir.b.log" ||
  { echo "the second run did not read the cache"; cat "$dir.b.log"; exit 1; }
grep -q -- "--ema 0.9 --image-samples 12 --image-identities 2" "$dir/b/report.json" ||
  { echo "the report does not record the options"; cat "$dir/b/report.json"; exit 1; }
# shellcheck disable=SC2086
"$train" -o "$dir/c/solver.json" --report "$dir/c/report.json" $args --image-readings 2 \
  --image-weight 3 --image-max-yaw 60 2>"$dir.c.log" || { cat "$dir.c.log"; exit 1; }
grep -q "12 renders read 2 times: 2[0-4] image samples with a face found" "$dir.c.log" ||
  { echo "the third run did not read each render twice"; cat "$dir.c.log"; exit 1; }
test -f "$dir/cache/images_seed2001_n12_ids2_384_r2_yaw60.pt" ||
  { echo "the twice-read samples were not cached under their own name"; ls "$dir/cache"; exit 1; }
grep -q -- "--image-readings 2 --image-weight 3 --image-max-yaw 60" "$dir/c/report.json" ||
  { echo "the report does not record the image options"; cat "$dir/c/report.json"; exit 1; }
echo "ok: image samples generated, cached and read back, and read twice; the exports checked"
