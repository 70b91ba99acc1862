#!/bin/sh
# solver.train_seed: --train-seed draws the network's start and batch order apart from the data.
# Three tiny runs on the same data: the default and --train-seed equal to --seed must give the
# same weights (so the shipped model still reproduces from its recorded command), another train
# seed other weights, and the report must record it.
# Usage: train_seed.sh WORK_DIR SEMBLEND_TRAIN
set -eu
dir=$1
train=$2
rm -rf "$dir"
args="--seed 3 --samples 256 --steps 5 --batch 64 --hidden 16 --identities 2 --validation 32
      --threads 1 --image-samples 0"
for run in default:"" same:"--train-seed 3" other:"--train-seed 4"; do
  name=${run%%:*}
  # shellcheck disable=SC2086
  "$train" -o "$dir/$name/solver.json" --report "$dir/$name/report.json" $args ${run#*:} \
    2>"$dir.$name.log" || { cat "$dir.$name.log"; exit 1; }
done
cmp -s "$dir/default/solver.sha256" "$dir/same/solver.sha256" ||
  { echo "--train-seed equal to --seed changed the weights"; exit 1; }
if cmp -s "$dir/default/solver.sha256" "$dir/other/solver.sha256"; then
  echo "another --train-seed gave the same weights"
  exit 1
fi
grep -q -- "--no-semantic --train-seed 4 --image-samples 0" "$dir/other/report.json" ||
  { echo "the report does not record --train-seed"; cat "$dir/other/report.json"; exit 1; }
if grep -q -- "--train-seed" "$dir/default/report.json"; then
  echo "the default's report names a train seed"
  exit 1
fi
echo "ok: the train seed reproduces, differs and is recorded"
