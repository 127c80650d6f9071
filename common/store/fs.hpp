// Small POSIX file helpers for the Maildir store: durable writes, directory
// fsync, listing, recursive removal. Errors become StoreError with errno text.
// Trust boundary: paths are built by the store from validated names only.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace postern::store::fs {

struct Stat {
  bool exists = false;
  bool is_dir = false;
  uint64_t size = 0;
  int64_t mtime = 0;
  int64_t mtime_ns = 0;  // full resolution: seconds * 1e9 + nanoseconds
};

Stat stat_path(const std::string& path);
// mkdir with mode 0700; true if created, false if it already existed as a directory.
bool make_dir(const std::string& path);
// Creates `path` and every missing parent, each 0700.
void make_dirs(const std::string& path);
// Creates `path` exclusively (O_EXCL, 0600), writes `data`, sets mtime to
// `mtime` (if non-zero), fsyncs. On failure the partial file is removed.
void write_new_file(const std::string& path, std::string_view data, int64_t mtime = 0);
// Writes a small file atomically and durably: tmp + fsync + rename + fsync(dir).
void write_file_atomic(const std::string& path, std::string_view data);
// Reads a whole file; throws StoreError(ENOENT text) if missing. `max` bounds the size.
std::string read_file(const std::string& path, uint64_t max = UINT64_MAX);
// Reads a file if it exists and is at most `max` bytes; empty string otherwise.
std::string read_small_file(const std::string& path, uint64_t max = 4096);
void fsync_dir(const std::string& path);
// Names in a directory (no "." or ".."), empty if the directory is missing.
std::vector<std::string> list_dir(const std::string& path);
// Removes a tree (files and directories); best effort, never follows symlinks.
void remove_tree(const std::string& path);
// 0 on success, else errno (rename(2), link(2), unlink(2)); never throws.
int rename_path(const std::string& from, const std::string& to);
int link_path(const std::string& from, const std::string& to);
int unlink_path(const std::string& path);
std::string errno_text(int err);

}  // namespace postern::store::fs
