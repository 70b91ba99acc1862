// Batch planning (batch.h): folder listing, sharding, validation and the finished check. The
// manifest reader is in formats/batch_manifest.cpp (it parses JSON).
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "core/text_util.h"
#include "semblend/audio.h"
#include "semblend/batch.h"
#include "semblend/error.h"
#include "semblend/file_io.h"
#include "semblend/video.h"

namespace semblend {
namespace {

namespace fs = std::filesystem;

bool hidden(const fs::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] == '.';
}

// Why `output` cannot be written, or "" when its folder exists and is writable or could be made
// (the nearest existing ancestor is a writable folder).
std::string unwritable_reason(const std::string& output) {
  std::error_code ec;
  const fs::path target = fs::absolute(fs::path(output), ec);
  if (fs::is_directory(target, ec)) return output + " is a folder";
  fs::path dir = target.parent_path();
  while (!fs::exists(dir, ec)) {
    if (!dir.has_parent_path() || dir.parent_path() == dir) break;
    dir = dir.parent_path();
  }
  if (!fs::exists(dir, ec)) return "no folder of " + output + " exists";
  if (!fs::is_directory(dir, ec)) return dir.string() + " is not a folder";
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    return "cannot write in " + dir.string() + ": " + std::strerror(errno);
  return "";
}

}  // namespace

bool is_media_path(const std::string& path, MediaKind kind) {
  switch (kind) {
    case MediaKind::Image:
      return is_image_path(path);
    case MediaKind::Video:
      return is_video_path(path);
    case MediaKind::Audio:
      return is_audio_path(path);
  }
  return false;
}

bool is_manifest_path(const std::string& path) {
  const std::string ext = extension_of(path);
  return ext == "csv" || ext == "jsonl";
}

std::vector<std::string> list_media(const std::string& folder, MediaKind kind, bool recursive) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec))
    throw IoError(IoError::Op::Read, folder,
                  fs::exists(folder, ec) ? "not a folder" : "no such folder");
  std::vector<std::pair<std::string, std::string>> found;  // (path below the folder, path)
  const fs::path root(folder);
  auto add = [&](const fs::path& file) {
    if (!hidden(file) && is_media_path(file.string(), kind) && fs::is_regular_file(file, ec))
      found.emplace_back(file.lexically_relative(root).generic_string(), file.string());
  };
  try {
    if (recursive) {
      for (auto it = fs::recursive_directory_iterator(root);
           it != fs::recursive_directory_iterator(); ++it) {
        if (hidden(it->path())) {
          if (it->is_directory()) it.disable_recursion_pending();
          continue;
        }
        add(it->path());
      }
    } else {
      for (const auto& entry : fs::directory_iterator(root)) add(entry.path());
    }
  } catch (const fs::filesystem_error& e) {
    throw IoError(IoError::Op::Read, folder, e.code().message());
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> files;
  for (auto& [key, file] : found) files.push_back(std::move(file));
  return files;
}

BatchList list_folder(const std::string& folder, MediaKind kind, const std::string& out_dir,
                      const std::string& extension, bool recursive) {
  if (out_dir.empty())
    throw std::invalid_argument("a folder of inputs needs --out-dir (where the outputs go)");
  BatchList list;
  const fs::path root(folder);
  for (const std::string& file : list_media(folder, kind, recursive)) {
    const fs::path rel = fs::path(file).lexically_relative(root);
    BatchItem item;
    item.input = file;
    item.key = rel.generic_string();
    item.output =
        (fs::path(out_dir) / rel.parent_path() / (rel.stem().string() + "." + extension)).string();
    item.origin = item.input;
    if (kind == MediaKind::Audio) {
      // Its transcript: plain text, else subtitles, else lyrics, else Whisper's TSV (not JSON or
      // CSV: the names of the batch's own outputs, which a rerun would take for transcripts).
      for (const char* ext : {".txt", ".srt", ".vtt", ".lrc", ".tsv"}) {
        const fs::path text = fs::path(file).replace_extension(ext);
        std::error_code ec;
        if (!fs::is_regular_file(text, ec)) continue;
        item.transcript = text.string();
        break;
      }
    }
    list.items.push_back(std::move(item));
  }
  return list;
}

Shard parse_shard(std::string_view text) {
  const std::string shown = "--shard \"" + std::string(text) + "\"";
  const auto slash = text.find('/');
  if (slash == std::string_view::npos)
    throw std::invalid_argument(shown + ": expected K/N, e.g. 0/4 (shard K of N, K from 0)");
  auto number = [&](std::string_view s, const char* what) {
    std::uint64_t v = 0;
    const auto [end, err] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || err != std::errc() || end != s.data() + s.size())
      throw std::invalid_argument(shown + ": " + what + " is not a whole number");
    return v;
  };
  const std::uint64_t k = number(text.substr(0, slash), "K");
  const std::uint64_t n = number(text.substr(slash + 1), "N");
  if (n < 1 || n > 1000000) throw std::invalid_argument(shown + ": N must be 1..1000000");
  if (k >= n)
    throw std::invalid_argument(shown + ": K must be less than N (shards are numbered 0.." +
                                std::to_string(n - 1) + ")");
  return Shard{std::uint32_t(k), std::uint32_t(n)};
}

std::uint64_t shard_hash(std::string_view key) {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a 64 offset basis
  for (const char c : key) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;  // FNV 64 prime
  }
  return h;
}

bool in_shard(std::string_view key, const Shard& shard) {
  return shard.count <= 1 || shard_hash(key) % shard.count == shard.index;
}

std::string face_take_path(const std::string& output, int face_id) {
  const fs::path p(output);
  return (p.parent_path() /
          (p.stem().string() + ".face" + std::to_string(face_id) + p.extension().string()))
      .string();
}

std::string face_index_path(const std::string& output) {
  const fs::path p(output);
  return (p.parent_path() / (p.stem().string() + ".faces.json")).string();
}

std::string commit_path(const BatchItem& item, bool per_face) {
  return per_face ? face_index_path(item.output) : item.output;
}

BatchPlan plan_batch(const BatchList& list, const PlanOptions& options) {
  BatchPlan plan;
  // Lines without an input have no key: shard 0 reports them (once, not once per shard).
  for (const BatchError& e : list.errors)
    if (e.item.key.empty() ? options.shard.index == 0 : in_shard(e.item.key, options.shard))
      plan.errors.push_back(e);
  // Outputs written by more than one item, over the whole list.
  std::map<std::string, std::vector<std::size_t>> writers;
  // And the inputs, over the whole list: an output never replaces one.
  std::map<std::string, std::size_t> readers;
  for (std::size_t i = 0; i < list.items.size(); ++i) {
    writers[path_identity(commit_path(list.items[i], options.per_face))].push_back(i);
    readers.emplace(path_identity(list.items[i].input), i);
  }
  for (std::size_t i = 0; i < list.items.size(); ++i) {
    const BatchItem& item = list.items[i];
    if (!in_shard(item.key, options.shard)) {
      ++plan.other_shards;
      continue;
    }
    auto fail = [&](BatchErrorKind kind, const std::string& message) {
      plan.errors.push_back({item, kind, item.origin + ": " + message});
    };
    const std::string commit = commit_path(item, options.per_face);
    const auto& same = writers[path_identity(commit)];
    if (same.size() > 1) {
      std::string others;
      for (std::size_t j : same)
        if (j != i) others += (others.empty() ? "" : ", ") + list.items[j].origin;
      fail(BatchErrorKind::DuplicateOutput,
           "output " + commit + " is also the output of " + others + "; none of them is written");
      continue;
    }
    const std::string output = path_identity(item.output);
    if (path_identity(item.input) == output) {
      fail(BatchErrorKind::DuplicateOutput, "output " + item.output + " is the input itself");
      continue;
    }
    if (const auto r = readers.find(output); r != readers.end()) {
      fail(BatchErrorKind::DuplicateOutput, "output " + item.output + " is the input of " +
                                                list.items[r->second].origin + ": not overwritten");
      continue;
    }
    if (!options.extensions.empty()) {
      const std::string ext = extension_of(item.output);
      if (std::find(options.extensions.begin(), options.extensions.end(), ext) ==
          options.extensions.end()) {
        std::string allowed;
        for (const std::string& e : options.extensions)
          allowed += (allowed.empty() ? "." : ", .") + e;
        fail(BatchErrorKind::OutputFormat, "output " + item.output + " must end in " + allowed +
                                               " (the formats this command writes)");
        continue;
      }
    }
    std::error_code ec;
    if (!fs::exists(item.input, ec)) {
      fail(BatchErrorKind::InputMissing, "input " + item.input + " does not exist");
      continue;
    }
    if (!fs::is_regular_file(item.input, ec)) {
      fail(BatchErrorKind::InputMissing, "input " + item.input + " is not a regular file");
      continue;
    }
    if (!item.transcript.empty() && !fs::is_regular_file(item.transcript, ec)) {
      fail(BatchErrorKind::InputMissing,
           "transcript " + item.transcript +
               (fs::exists(item.transcript, ec) ? " is not a regular file" : " does not exist"));
      continue;
    }
    if (const std::string why = unwritable_reason(commit); !why.empty()) {
      fail(BatchErrorKind::OutputUnwritable, "cannot write " + commit + ": " + why);
      continue;
    }
    if (!options.force && fs::is_regular_file(commit, ec))
      plan.finished.push_back(item);
    else
      plan.todo.push_back(item);
  }
  return plan;
}

}  // namespace semblend
