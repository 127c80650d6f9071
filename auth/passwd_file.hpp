// The passwd-file backend: accounts in a file of `user:crypt-hash[:home]`
// lines ('#' comments, blank lines ignored), hashes verified with crypt_r
// from libcrypt (yescrypt $y$, SHA-512 $6$, bcrypt $2b$ ...) and a
// constant-time compare. The file is re-read when its mtime (or size or
// inode) changes. Hashing runs on a helper thread so the event loop never
// waits for a slow hash.
// Trust boundary: the file is the administrator's (it should be mode 0640,
// group postern-auth); passwords come from the network and are never logged.
#pragma once

#include <asio.hpp>
#include <sys/stat.h>

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/backend.hpp"

namespace postern::auth {

struct PasswdEntry {
  std::string hash;
  std::string home;  // empty: <store_root>/<user>
};

struct PasswdParse {
  std::unordered_map<std::string, PasswdEntry> entries;  // keys lower-cased
  std::vector<std::string> warnings;                     // "line N: what" (never the hash)
};

// Pure: parses the file's text.
PasswdParse parse_passwd_file(std::string_view text);

// crypt_r(password, hash) compared in constant time with hash. False for a
// hash crypt cannot handle (locked "!", "*", unknown prefix).
bool verify_crypt(std::string_view password, const std::string& hash);

class PasswdFileBackend : public Backend, public std::enable_shared_from_this<PasswdFileBackend> {
 public:
  static std::shared_ptr<PasswdFileBackend> create(asio::any_io_executor ex, std::string path, std::string store_root);
  ~PasswdFileBackend() override;

  awaitable<AuthOutcome> authenticate(std::string user, const Credentials& creds, std::string service,
                                      std::string remote_ip) override;
  awaitable<LookupOutcome> lookup(std::string user) override;
  const char* name() const override { return "passwd-file"; }
  void shutdown() override;

  // Re-reads the file if it changed; returns false if it is unreadable
  // (the last good content stays in force).
  bool reload_if_changed();
  size_t size() const { return entries_.size(); }

 private:
  PasswdFileBackend(asio::any_io_executor ex, std::string path, std::string store_root);

  asio::any_io_executor ex_;
  std::string path_;
  std::string store_root_;
  std::unique_ptr<asio::thread_pool> pool_;
  std::unordered_map<std::string, PasswdEntry> entries_;
  bool loaded_ = false;
  struct timespec mtime_ {};
  off_t size_ = -1;
  ino_t ino_ = 0;
  bool last_error_logged_ = false;
};

}  // namespace postern::auth
