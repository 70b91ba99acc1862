// semblend.h — the whole public API of libsemblend, one include away.
//
// semblend turns faces and speech into the 52 ARKit blendshape coefficients, each frame explained
// in words. The library is a set of stages; each has one header that states its inputs, outputs,
// failure modes and thread safety:
//
//   blendshape.h  the ARKit-52 schema: names in every spelling, regions, sides, mirrors, FACS AUs
//   take.h        value types: Coefficients, HeadPose, EyePose, FaceFrame, Take; the value policy
//   error.h       InputError (file:line:column) and IoError, the exceptions stages throw
//   file_io.h     bounded reads and atomic writes
//   resources.h   where the run-time model files are found (installed, moved, or the build tree)
//   version.h     the library's version
//   formats.h     Live Link Face CSV, JSON, JSONL, ARKit dictionaries, SemanticFace import
//   filter.h      One Euro smoothing and frame-rate resampling of takes
//   summary.h     per-shape statistics of a take (`semblend info`)
//   demo.h        the scripted demo take used as the bundled default input
//   engine.h      the neural engine: TF.js graph models on XNNPACK
//   image.h       images in and out; video.h: video frames in, preview videos out
//   landmarker.h  faces -> 478 landmarks, head and eye pose; overlays
//   face_identity.h  stable face identities across video frames (`--faces all`)
//   batch.h       batches: folders and manifests, shards, validation, resuming (docs/batch.md)
//   topology.h    MediaPipe's face-mesh index sets (from the npm package, at build time)
//   face_model.h  the neutral 3D face derived from real faces; rigid (pose) fits to it
//   expression_prior.h  co-activation statistics of real faces; a sampler of plausible expressions
//   rig.h         the face rig: neutral mesh with eyes, mouth and head, 52 blendshapes, identities
//   render.h      the rig drawn to images (software rasterizer), contact sheets
//   rig_eval.h    render-and-detect: the landmarker on rig renders against exact ground truth
//   synth.h       synthetic solver data: the rig posed, projected, with measured landmark noise
//   calibration.h per-person neutral profiles; a running rest estimate for videos
//   solver.h      landmarks -> 52 coefficients and semantic tokens (an MLP, own inference)
//   face_pipeline.h  images and videos -> solved frames and takes, as `semblend image`/`video`
//   gltf.h        the face rig as glTF 2.0: 52 ARKit-named morph targets, a take as animation
//   audio.h       audio in (any format, resampled to 16 kHz mono) and WAV out
//   media_log.h   FFmpeg's log (behind video.h and audio.h) held instead of printed
//   speech.h      phonemes -> coarticulated mouth, jaw and tongue curves
//   aligner.h     speech audio -> timed phonemes (pocketsphinx forced alignment, recognition)
//   speech_stream.h  live: audio chunks -> mouth frames within 150 ms (pocketsphinx phone loop)
//   speech_eval.h    lip sync vs espeak-ng and real phoneme timings (`semblend eval speech`)
//   prosody.h     loudness and pitch (YIN) -> mouth amplitude, brows; seeded blinks and gaze
//   preview.h     a take played on the rig as an MP4 with its audio (Debian's ffmpeg CLI)
//   vmc.h         live streaming: frames as VMC-protocol OSC bundles over UDP (VTuber apps)
//   semantic.h    coefficients <-> structured facial actions, text, edits, tokens
//   prefs_store.h       preference judgments in SQLite (WAL, nothing acknowledged lost), JSONL
//   prefs_candidates.h  pairs of faces differing in one region, uncertain regions first
//   prefs_learn.h       judgments -> Bradley–Terry reward -> a checked correction of the solver
//
// Example: read an iPhone recording, smooth it, write it as JSONL.
//
//   semblend::Take take = semblend::read_take("face.csv");
//   take = semblend::smooth_take(take);
//   semblend::write_take(take, "face.jsonl", semblend::TakeFormat::Jsonl);
#pragma once

#include "semblend/aligner.h"
#include "semblend/audio.h"
#include "semblend/batch.h"
#include "semblend/blendshape.h"
#include "semblend/calibration.h"
#include "semblend/demo.h"
#include "semblend/engine.h"
#include "semblend/error.h"
#include "semblend/expression_prior.h"
#include "semblend/face_identity.h"
#include "semblend/face_model.h"
#include "semblend/face_pipeline.h"
#include "semblend/file_io.h"
#include "semblend/filter.h"
#include "semblend/formats.h"
#include "semblend/gltf.h"
#include "semblend/image.h"
#include "semblend/landmarker.h"
#include "semblend/media_log.h"
#include "semblend/prefs_candidates.h"
#include "semblend/prefs_learn.h"
#include "semblend/prefs_store.h"
#include "semblend/preview.h"
#include "semblend/prosody.h"
#include "semblend/render.h"
#include "semblend/resources.h"
#include "semblend/rig.h"
#include "semblend/rig_eval.h"
#include "semblend/semantic.h"
#include "semblend/solver.h"
#include "semblend/speech.h"
#include "semblend/speech_eval.h"
#include "semblend/speech_stream.h"
#include "semblend/summary.h"
#include "semblend/synth.h"
#include "semblend/take.h"
#include "semblend/version.h"
#include "semblend/vmc.h"
