// semblend/batch.h — planning a batch: which inputs, where their outputs go, which of them this
// machine runs, and which are already finished (`semblend image|video FOLDER|MANIFEST`,
// docs/batch.md).
//
// Inputs: a folder (its images or videos, chosen by extension, sorted by relative path; hidden
// files skipped; subfolders with `recursive`, mirrored under the output folder) or a manifest —
// CSV with a header naming the columns `input` and `output`, or JSONL with one
// {"input": ..., "output": ...} object a line (docs/batch.md). Relative inputs resolve against the
// manifest's folder; relative outputs against the output folder when one is given, else the
// manifest's folder. Without an output, an item writes `<out_dir>/<input stem>.<extension>`.
// Outputs: a BatchList (items and per-line errors), then a BatchPlan for one shard: items to run,
// items already finished, errors per item, and how many items belong to other shards.
//
// Sharding: item i belongs to shard k of n iff shard_hash(key) mod n == k, where key is the input
// path relative to the folder ('/'-separated), or the input exactly as the manifest writes it.
// shard_hash is 64-bit FNV-1a over the key's bytes, so every machine agrees without talking, and
// adding or removing items never moves the others to another shard.
// Resuming: outputs are committed by an atomic rename (file_io.h), so an item is finished iff its
// commit file exists: the output itself, or for one take per face its face index
// (face_index_path). A killed run leaves only hidden temporaries (".NAME.tmp.N"), which never
// look finished and which remove_stale_temporaries (file_io.h) clears.
//
// Failure modes: list_folder and read_manifest throw IoError for a folder or manifest that cannot
// be read and InputError for a manifest without the right header; a bad manifest line is a
// per-item BatchError (the rest of the list stands). parse_shard throws std::invalid_argument.
// plan_batch never throws for a bad item: a missing input or transcript, an output another item
// also writes or that is an item's input (a manifest naming a photo as another photo's output),
// an output whose extension the command does not write, and an output folder that cannot be
// written are BatchErrors naming the files.
// Thread safety: plain functions over values; they read (never write) the file system.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "semblend/image.h"

namespace semblend {

enum class MediaKind { Image, Video, Audio };

// By extension: images as image.h is_image_path, videos as video.h is_video_path, audio as
// audio.h is_audio_path.
bool is_media_path(const std::string& path, MediaKind kind);
// True for a manifest by extension: .csv or .jsonl.
bool is_manifest_path(const std::string& path);

struct BatchItem {
  std::string input;   // the file to read
  std::string output;  // the file to write (for one take per face: the takes' base name)
  std::string key;     // the shard key (see above)
  std::string origin;  // where the item was listed, for messages: "list.csv:7", or the input
  // Speech: what is said in the input ("" = none: recognition). A folder's audio takes the text
  // file beside it with the same stem (talk.wav: talk.txt) when there is one; a manifest names it
  // in an optional `transcript` column (or key), resolved as inputs are.
  std::string transcript;
};

enum class BatchErrorKind {
  InputMissing,      // the input or its transcript not there, or not a regular file (exit code 3)
  ManifestLine,      // a manifest line that cannot be read (exit code 4)
  OutputUnwritable,  // its folder cannot be made or written (exit code 5)
  DuplicateOutput,   // another item writes the same file, or it is an input (exit code 6)
  OutputFormat,      // the output's extension names no format the command writes (exit code 6)
};

struct BatchError {
  BatchItem item;       // as far as it is known (a bad manifest line has only its origin)
  BatchErrorKind kind;  // what went wrong
  std::string message;  // one line naming the file(s)
};

struct BatchList {
  std::vector<BatchItem> items;
  std::vector<BatchError> errors;  // lines of a manifest that name no usable item
};

// A folder's image or video files (not hidden ones), sorted by their path below the folder.
// IoError naming the folder when it is not one or cannot be read.
std::vector<std::string> list_media(const std::string& folder, MediaKind kind,
                                    bool recursive = false);

// A folder's images or videos (list_media) as items. `out_dir` "" is std::invalid_argument;
// `extension` without dot.
BatchList list_folder(const std::string& folder, MediaKind kind, const std::string& out_dir,
                      const std::string& extension, bool recursive = false);

// A manifest (.csv or .jsonl). `out_dir` may be "" when every line names its output.
BatchList read_manifest(const std::string& manifest, const std::string& out_dir,
                        const std::string& extension);

struct Shard {
  std::uint32_t index = 0, count = 1;  // this machine runs shard `index` of `count`
};
// "k/n" with 0 <= k < n <= 1,000,000 (as Slurm's $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT
// with --array=0-(n-1), or Kubernetes' $JOB_COMPLETION_INDEX/completions).
Shard parse_shard(std::string_view text);
std::uint64_t shard_hash(std::string_view key);  // 64-bit FNV-1a
bool in_shard(std::string_view key, const Shard& shard);

struct PlanOptions {
  Shard shard;
  bool force = false;     // finished items run again
  bool per_face = false;  // one take per face: the commit file is face_index_path(output)
  // The output extensions the command writes (lower case, without the dot: {"json"} for images,
  // {"csv", "json", "jsonl"} for takes); an output with another is an OutputFormat error, so a
  // manifest line cannot write JSON into a photo or a .txt. Empty: any.
  std::vector<std::string> extensions;
};

struct BatchPlan {
  std::vector<BatchItem> todo;      // this shard's items to run, in list order
  std::vector<BatchItem> finished;  // this shard's items whose commit file exists (skipped)
  std::vector<BatchError> errors;   // this shard's bad items, and the list's bad lines
  std::size_t other_shards = 0;     // items left to the other shards
};

// Duplicate outputs are found over the whole list (every shard agrees on them); the other checks
// run on this shard's items only. Every item lands in exactly one of todo, finished and errors.
BatchPlan plan_batch(const BatchList& list, const PlanOptions& options = {});

// The file that commits `item` (the output, or its face index with per_face).
std::string commit_path(const BatchItem& item, bool per_face);

// One take per face (`--faces all`): for output "out/clip.csv", face N's take is
// "out/clip.faceN.csv" and the index listing them is "out/clip.faces.json", written last.
std::string face_take_path(const std::string& output, int face_id);
std::string face_index_path(const std::string& output);

}  // namespace semblend
