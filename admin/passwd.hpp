// `postern passwd`: manage the passwd-file backend (user:crypt-hash[:home]).
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace postern::admin {

// yescrypt hash of `password` (crypt_gensalt_ra + crypt_r). Throws on failure.
std::string hash_password(const std::string& password);
// Adds or replaces `user` in `file` atomically (temp file + rename), mode 0640.
void passwd_set(const std::string& file, const std::string& user, const std::string& hash, const std::string& home);
void add_passwd_commands(CLI::App& app, std::string& config_path);

}  // namespace postern::admin
