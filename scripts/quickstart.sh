#!/usr/bin/env bash
# README command 1: install what is missing, build (Release), and run the main job on the bundled
# default input: semblend makes a short scripted performance (the demo take), writes it as a Live
# Link Face CSV and a JSON take under out/, describes it in words, renders it on its own rig as a
# video, reads the video back (landmarks -> solver) and scores the estimate against the known
# truth; then lip-syncs real speech and exports the rig.
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

# The solver: the demo performance rendered on semblend's rig as a clip whose coefficients are
# known, read back by the vision front end and the solver (tracking + One Euro), and scored.
echo
build/release/bin/semblend demo --fps 30 -o out/demo_truth.json >/dev/null
build/release/bin/semblend render --take out/demo_truth.json -o out/demo_clip.mp4 --size 384
build/release/bin/semblend video out/demo_clip.mp4 -o out/demo_clip.json \
  --preview out/demo_clip_preview.mp4
build/release/bin/semblend eval take out/demo_clip.json --truth out/demo_truth.json
echo "On your own material: semblend image photo.jpg --side-by-side photo_sbs.png"
echo "  semblend video clip.mp4 -o take.csv --preview preview.mp4"
echo "  webcam: ffmpeg -f v4l2 -i /dev/video0 -t 10 cam.mp4 && semblend video cam.mp4 -o cam.csv"

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
echo "Wrote out/demo.csv (Live Link Face CSV), out/demo.json, out/demo_clip.mp4 (the demo on"
echo "the rig) with out/demo_clip.json (what the solver read from it) and out/demo_clip_preview.mp4,"
echo "out/speech.csv (lip sync),"
echo "out/speech.mp4 (the rig speaking it, with the sound),"
echo "out/demo.glb (the rig with the demo as animation) and out/contact_sheet.png (52 shapes)."
echo "The CLI is build/release/bin/semblend."
