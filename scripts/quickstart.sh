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

# Speech: lip-sync a LibriVox utterance (Debian's pocketsphinx-testdata) with its transcript.
echo
librivox=/usr/share/pocketsphinx/test/data/librivox
utt=sense_and_sensibility_01_austen_64kb-0920
sed -n "s/^<s> \(.*\) <\/s> ($utt)\$/\1/p" "$librivox/transcription" >out/speech.txt
echo "Speech: \"$(cat out/speech.txt)\" ($librivox/$utt.wav)"
build/release/bin/semblend speech "$librivox/$utt.wav" --transcript out/speech.txt -o out/speech.csv \
  --preview out/speech.mp4
build/release/bin/semblend info out/speech.csv --top 4 | head -n 6

# The face rig: the demo take as a glTF animation on semblend's own face, and all 52 shapes drawn.
echo
build/release/bin/semblend export-rig out/demo.glb --take out/demo.json
build/release/bin/semblend render --contact-sheet -o out/contact_sheet.png
echo
echo "Wrote out/demo.csv (Live Link Face CSV), out/demo.json, out/speech.csv (lip sync),"
echo "out/speech.mp4 (the rig speaking it, with the sound),"
echo "out/demo.glb (the rig with the demo as animation) and out/contact_sheet.png (52 shapes)."
echo "The CLI is build/release/bin/semblend."
