#include "semblend/file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>

#include "core/text_util.h"
#include "semblend/error.h"

namespace semblend {
namespace {

std::string errno_text() {
  return std::strerror(errno);
}

std::string human_size(double bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) bytes /= 1024, ++u;
  char buf[64];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

// Closes a file descriptor on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string read_file(const std::string& path, std::size_t max_bytes) {
  using Op = IoError::Op;
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) throw IoError(Op::Read, path, errno_text());
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) throw IoError(Op::Read, path, errno_text());
  auto too_large = [&](double size) {
    return IoError(Op::Read, path,
                   "file is " + human_size(size) + ", larger than the " +
                       human_size(static_cast<double>(max_bytes)) + " limit for this input");
  };
  if (S_ISFIFO(st.st_mode)) {  // a pipe (`--transcript -`, `<(whisper ...)`): read to its end
    std::string data;
    char chunk[65536];
    for (;;) {
      const ssize_t n = ::read(f.fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw IoError(Op::Read, path, errno_text());
      if (n == 0) return data;
      if (data.size() + static_cast<std::size_t>(n) > max_bytes)
        throw too_large(static_cast<double>(data.size()) + static_cast<double>(n));
      data.append(chunk, static_cast<std::size_t>(n));
    }
  }
  if (!S_ISREG(st.st_mode)) throw IoError(Op::Read, path, "not a regular file");
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size > max_bytes) throw too_large(static_cast<double>(size));
  std::string data(size, '\0');
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(f.fd, data.data() + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw IoError(Op::Read, path, errno_text());
    if (n == 0) break;  // file shrank while reading
    done += static_cast<std::size_t>(n);
  }
  data.resize(done);
  return data;
}

OutputTarget resolve_output(const std::string& path) {
  using Op = IoError::Op;
  namespace fs = std::filesystem;
  OutputTarget t;
  t.path = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {  // exists (symbolic links followed by the kernel)
    if (S_ISDIR(st.st_mode)) throw IoError(Op::Write, path, "is a directory");
    if (!S_ISREG(st.st_mode)) {  // a device, FIFO or socket: /dev/null, /dev/stdout, a pipe
      t.in_place = true;
      return t;
    }
    t.mode = static_cast<int>(st.st_mode & 07777);
    struct stat lst {};
    if (::lstat(path.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode)) {
      std::error_code ec;
      const fs::path real = fs::canonical(path, ec);
      if (ec) throw IoError(Op::Write, path, "cannot follow the symbolic link: " + ec.message());
      t.path = real.string();
    }
  } else {
    // Missing; a dangling symbolic link names the file to create.
    fs::path p(path);
    std::error_code ec;
    for (int hops = 0; fs::is_symlink(p, ec); ++hops) {
      if (hops == 40) throw IoError(Op::Write, path, "too many levels of symbolic links");
      const fs::path to = fs::read_symlink(p, ec);
      if (ec) throw IoError(Op::Write, path, "cannot follow the symbolic link: " + ec.message());
      p = to.is_absolute() ? to : p.parent_path() / to;
    }
    t.path = p.string();
  }
  const fs::path target(t.path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw IoError(Op::Write, path, "directory " + dir.string() + " does not exist");
  return t;
}

std::string resolve_file_output(const std::string& path) {
  OutputTarget t = resolve_output(path);
  if (t.in_place)
    throw IoError(IoError::Op::Write, path,
                  "is not a regular file (a device or pipe): a video needs a file it can seek in");
  return std::move(t.path);
}

AtomicFileWriter::AtomicFileWriter(std::string path) : path_(std::move(path)) {
  using Op = IoError::Op;
  namespace fs = std::filesystem;
  const OutputTarget t = resolve_output(path_);
  target_ = t.path;
  if (t.in_place) {
    fd_ = ::open(t.path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ < 0) throw IoError(Op::Write, path_, errno_text());
    return;
  }
  const fs::path target(t.path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::random_device rd;
  tmp_ = (dir / ("." + target.filename().string() + ".tmp." + std::to_string(rd()))).string();
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd_ < 0) throw IoError(Op::Write, path_, "cannot create temporary file: " + errno_text());
  // A replaced file keeps its permissions (a read-only output stays read-only).
  if (t.mode >= 0 && ::fchmod(fd_, static_cast<mode_t>(t.mode)) != 0) {
    const std::string why = errno_text();
    ::close(fd_);
    fd_ = -1;
    ::unlink(tmp_.c_str());
    throw IoError(Op::Write, path_, "cannot set the permissions of the temporary file: " + why);
  }
}

std::string path_identity(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path absolute = fs::absolute(fs::path(path), ec);
  fs::path p = fs::weakly_canonical(absolute, ec);
  if (ec) p = absolute.lexically_normal();
  return p.string();
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (std::filesystem::equivalent(a, b, ec) && !ec) return true;
  return path_identity(a) == path_identity(b);
}

void check_writable(const std::string& path) {
  if (resolve_output(path).in_place) return;
  AtomicFileWriter probe(path);  // destroyed uncommitted: its temporary is removed
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    if (!tmp_.empty()) ::unlink(tmp_.c_str());
  }
}

void AtomicFileWriter::write(std::string_view bytes) {
  if (fd_ < 0) throw IoError(IoError::Op::Write, path_, "already committed");
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw IoError(IoError::Op::Write, path_, errno_text());
    done += static_cast<std::size_t>(n);
  }
}

void AtomicFileWriter::commit() {
  using Op = IoError::Op;
  if (fd_ < 0) throw IoError(Op::Write, path_, "already committed");
  const int fd = fd_;
  fd_ = -1;
  auto fail = [&](const std::string& why) {
    if (!tmp_.empty()) ::unlink(tmp_.c_str());
    throw IoError(Op::Write, path_, why);
  };
  if (tmp_.empty()) {  // written in place (a device or FIFO): nothing to sync or rename
    if (::close(fd) != 0) fail(errno_text());
    return;
  }
  if (::fsync(fd) != 0) {
    const std::string why = errno_text();
    ::close(fd);
    fail(why);
  }
  if (::close(fd) != 0) fail(errno_text());
  if (::rename(tmp_.c_str(), target_.c_str()) != 0) fail(errno_text());
}

std::size_t remove_stale_temporaries(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  // AtomicFileWriter's names: "." + file name + ".tmp." + digits.
  const std::string prefix = "." + target.filename().string() + ".tmp.";
  std::size_t removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    if (name.find_first_not_of("0123456789", prefix.size()) != std::string::npos) continue;
    std::error_code rm;
    if (fs::remove(it->path(), rm)) ++removed;
  }
  return removed;
}

void write_file_atomic(const std::string& path, std::string_view contents) {
  AtomicFileWriter out(path);
  out.write(contents);
  out.commit();
}

std::string extension_of(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  if (!ext.empty() && ext[0] == '.') ext.erase(0, 1);
  return to_lower(ext);
}

}  // namespace semblend
