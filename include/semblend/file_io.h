// semblend/file_io.h — reading inputs safely and writing outputs atomically.
//
// read_file: reads a whole regular file, refusing (IoError, Op::Read) a missing file, a directory
//   or device, and anything larger than `max_bytes` — so a 2 GB file is an error, not an OOM.
// write_file_atomic: writes to a temporary file beside `path`, flushes it to disk, then renames it
//   over `path`. On any failure the temporary is removed and `path` is untouched: a reader never
//   sees a half-written output. Throws IoError (Op::Write).
// Thread safety: safe to call concurrently for different paths.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace semblend {

inline constexpr std::size_t kDefaultMaxInputBytes = std::size_t{1} << 30;  // 1 GiB

std::string read_file(const std::string& path, std::size_t max_bytes = kDefaultMaxInputBytes);
void write_file_atomic(const std::string& path, std::string_view contents);

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
  std::string path_, tmp_;
  int fd_ = -1;
};

// Removes the temporary files that AtomicFileWriters for `path` left beside it when their process
// was killed before commit() (".NAME.tmp.N"); returns how many. Call it only when no other process
// is writing `path` (a batch rerun, docs/batch.md). A missing folder removes nothing.
std::size_t remove_stale_temporaries(const std::string& path);

// The lower-case extension of `path` without the dot ("csv"), or "" if none.
std::string extension_of(const std::string& path);

}  // namespace semblend
