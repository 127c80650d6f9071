// Wiring of postern-authd from the configuration: server settings, the
// backend chosen by auth.backend, and the defaults derived from other
// sections (socket under server.runtime_dir, homes under store.root).
// Trust boundary: the configuration is the administrator's, already
// validated by postern::config; values are only mapped here.
#pragma once

#include <asio.hpp>

#include <memory>
#include <string>

#include "auth/backend.hpp"
#include "auth/server.hpp"
#include "common/config/config.hpp"

namespace postern::auth {

std::string socket_path(const config::Config& cfg);  // auth.socket or <runtime_dir>/auth.sock
std::string store_root(const config::Config& cfg);   // store.root or <state_dir>/mail
ServerSettings server_settings(const config::Config& cfg);
// Throws std::invalid_argument for an unknown auth.backend, std::runtime_error
// if the PAM workers cannot start. Forks (PAM): call before starting threads.
std::shared_ptr<Backend> make_backend(asio::any_io_executor ex, const config::Config& cfg);

}  // namespace postern::auth
