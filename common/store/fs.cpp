// POSIX file helpers for the Maildir store (see fs.hpp). Durability follows the
// Maildir delivery rule: data fsynced before rename, directory fsynced after.
// Trust boundary: paths come from the store, never straight from a client.
#include "common/store/fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/store/store.hpp"

namespace postern::store::fs {

std::string errno_text(int err) { return std::strerror(err); }

static StoreError sys_error(std::string_view what, const std::string& path, int err) {
  return StoreError(std::string(what) + " " + path + ": " + errno_text(err));
}

namespace {
// Closes a descriptor on scope exit.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

void write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw sys_error("write", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}
}  // namespace

Stat stat_path(const std::string& path) {
  struct stat st {};
  Stat r;
  if (::lstat(path.c_str(), &st) != 0) return r;
  r.exists = true;
  r.is_dir = S_ISDIR(st.st_mode);
  r.size = static_cast<uint64_t>(st.st_size);
  r.mtime = st.st_mtim.tv_sec;
  r.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return r;
}

bool make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0) return true;
  int err = errno;
  if (err == EEXIST && stat_path(path).is_dir) return false;
  throw sys_error("mkdir", path, err);
}

void make_dirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      std::string part = path.substr(0, i);
      if (!stat_path(part).is_dir) make_dir(part);
    }
  }
}

void write_new_file(const std::string& path, std::string_view data, int64_t mtime) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) throw sys_error("create", path, errno);
  Fd guard(fd);
  try {
    write_all(fd, data, path);
    if (mtime != 0) {
      struct timespec ts[2];
      ts[0].tv_sec = mtime;
      ts[0].tv_nsec = 0;
      ts[1] = ts[0];
      if (::futimens(fd, ts) != 0) throw sys_error("futimens", path, errno);
    }
    if (::fsync(fd) != 0) throw sys_error("fsync", path, errno);
  } catch (...) {
    ::unlink(path.c_str());
    throw;
  }
}

void write_file_atomic(const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  ::unlink(tmp.c_str());
  write_new_file(tmp, data);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw sys_error("rename", path, err);
  }
  auto slash = path.rfind('/');
  fsync_dir(slash == std::string::npos ? "." : path.substr(0, slash));
}

std::string read_file(const std::string& path, uint64_t max) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) throw sys_error("open", path, errno);
  Fd guard(fd);
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw sys_error("stat", path, errno);
  if (static_cast<uint64_t>(st.st_size) > max) throw StoreError("file too large: " + path);
  std::string out;
  out.reserve(static_cast<size_t>(st.st_size));
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw sys_error("read", path, errno);
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max) throw StoreError("file too large: " + path);
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string read_small_file(const std::string& path, uint64_t max) {
  try {
    return read_file(path, max);
  } catch (const StoreError&) {
    return {};
  }
}

void fsync_dir(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw sys_error("open dir", path, errno);
  Fd guard(fd);
  if (::fsync(fd) != 0) throw sys_error("fsync dir", path, errno);
}

std::vector<std::string> list_dir(const std::string& path) {
  std::vector<std::string> out;
  DIR* d = ::opendir(path.c_str());
  if (!d) return out;
  while (struct dirent* e = ::readdir(d)) {
    std::string_view n(e->d_name);
    if (n == "." || n == "..") continue;
    out.emplace_back(n);
  }
  ::closedir(d);
  return out;
}

void remove_tree(const std::string& path) {
  Stat st = stat_path(path);
  if (!st.exists) return;
  if (st.is_dir) {
    for (const auto& n : list_dir(path)) remove_tree(path + "/" + n);
    ::rmdir(path.c_str());
  } else {
    ::unlink(path.c_str());
  }
}

int rename_path(const std::string& from, const std::string& to) {
  return ::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno;
}
int link_path(const std::string& from, const std::string& to) {
  return ::link(from.c_str(), to.c_str()) == 0 ? 0 : errno;
}
int unlink_path(const std::string& path) { return ::unlink(path.c_str()) == 0 ? 0 : errno; }

}  // namespace postern::store::fs
