// postern-authd wiring from the configuration (see daemon.hpp).
// Trust boundary: administrator's validated configuration.
#include "auth/daemon.hpp"

#include <stdexcept>

#include "auth/pam_backend.hpp"
#include "auth/passwd_file.hpp"

namespace postern::auth {

std::string socket_path(const config::Config& cfg) {
  if (!cfg.auth.socket.empty()) return cfg.auth.socket;
  return cfg.server.runtime_dir + "/auth.sock";
}

std::string store_root(const config::Config& cfg) {
  if (!cfg.store.root.empty()) return cfg.store.root;
  return cfg.server.state_dir + "/mail";
}

ServerSettings server_settings(const config::Config& cfg) {
  ServerSettings s;
  s.socket_path = socket_path(cfg);
  s.penalty.base = cfg.auth.failure_delay_base;
  s.penalty.max = cfg.auth.failure_delay_max;
  s.domains = cfg.server.domains;
  return s;
}

std::shared_ptr<Backend> make_backend(asio::any_io_executor ex, const config::Config& cfg) {
  if (cfg.auth.backend == "pam") {
    PamBackendSettings s;
    s.worker.pam_service = cfg.auth.pam_service.empty() ? "postern" : cfg.auth.pam_service;
    s.worker.min_uid = cfg.auth.min_uid;
    s.worker.require_group = cfg.auth.require_group;
    s.workers = cfg.auth.workers;
    s.max_requests = cfg.auth.worker_max_requests;
    s.request_timeout = cfg.auth.request_timeout;
    s.store_root = store_root(cfg);
    return PamBackend::create(std::move(ex), std::move(s));
  }
  if (cfg.auth.backend == "passwd-file")
    return PasswdFileBackend::create(std::move(ex), cfg.auth.passwd_file, store_root(cfg));
  throw std::invalid_argument("auth.backend: unknown backend '" + cfg.auth.backend +
                              "' (expected \"pam\" or \"passwd-file\")");
}

}  // namespace postern::auth
