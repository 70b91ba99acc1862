// semblend/file_io.h — reading inputs safely and writing outputs atomically.
//
// read_file: reads a whole regular file, or a pipe to its end (/dev/stdin when piped, a shell's
//   `<(...)`), refusing (IoError, Op::Read) a missing file, a directory or device, and anything
//   larger than `max_bytes` — so a 2 GB file is an error, not an OOM. A pipe blocks until its
//   writer closes it.
// write_file_atomic: writes to a temporary file beside `path`, flushes it to disk, then renames it
//   over `path`. On any failure the temporary is removed and `path` is untouched: a reader never
//   sees a half-written output. Throws IoError (Op::Write). What `path` names is resolved first
//   (resolve_output): a symbolic link stays and the file it names is replaced, keeping that file's
//   permissions; an existing device, FIFO or socket (/dev/null, /dev/stdout) is written in place.
// Thread safety: safe to call concurrently for different paths.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace semblend {

inline constexpr std::size_t kDefaultMaxInputBytes = std::size_t{1} << 30;  // 1 GiB

std::string read_file(const std::string& path, std::size_t max_bytes = kDefaultMaxInputBytes);
void write_file_atomic(const std::string& path, std::string_view contents);

// Where an output named `path` goes. Throws IoError (Op::Write) for a directory, a missing parent
// folder or a symbolic link loop.
struct OutputTarget {
  std::string path;       // the file to write: `path`, or the file its symbolic links name
  bool in_place = false;  // an existing device, FIFO or socket: written directly, never replaced
  int mode = -1;          // an existing regular file's permission bits, else -1
};
OutputTarget resolve_output(const std::string& path);
// The file an output that must be seekable (a video container) goes to: resolve_output(path).path,
// or IoError (Op::Write) when `path` names a device or pipe.
std::string resolve_file_output(const std::string& path);

// Fails now where writing `path` would fail after the work: IoError (Op::Write) as
// resolve_output, and where no file can be made in its folder (a read-only file system, /proc,
// no permission: checked by making the temporary an AtomicFileWriter would and removing it).
// Devices, pipes and sockets are not opened.
void check_writable(const std::string& path);

// One spelling per file, whether it exists or not: absolute, with "..", "." and the symbolic
// links of the folders that exist resolved, the rest lexically (batch.h finds two items writing
// one output by it).
std::string path_identity(const std::string& path);
// True when `a` and `b` name one file: the same existing file (hard links too), or the same
// path_identity.
bool same_file(const std::string& a, const std::string& b);

// Streams a large output to a temporary file beside `path`; commit() flushes it to disk and renames
// it into place. Destroyed without commit() (an error on the way), it deletes the temporary file,
// so `path` is never half-written. Throws IoError (Op::Write).
class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(std::string path);
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;
  ~AtomicFileWriter();
  void write(std::string_view bytes);
  void commit();

 private:
  std::string path_;    // as given (messages)
  std::string target_;  // resolve_output(path_).path
  std::string tmp_;     // the temporary beside target_; empty when writing in place
  int fd_ = -1;
};

// Removes the temporary files that AtomicFileWriters for `path` left beside it when their process
// was killed before commit() (".NAME.tmp.N"); returns how many. Call it only when no other process
// is writing `path` (a batch rerun, docs/batch.md). A missing folder removes nothing.
std::size_t remove_stale_temporaries(const std::string& path);

// The lower-case extension of `path` without the dot ("csv"), or "" if none.
std::string extension_of(const std::string& path);

}  // namespace semblend
