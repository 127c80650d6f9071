// postern-authd: verifies passwords (PAM or passwd-file) and looks up users
// for postern-smtpd and postern-imapd over a Unix socket
// (docs/protocols/auth.md).
//   postern-authd [--config PATH] [--check-config]
// SIGTERM/SIGINT: exit cleanly (socket removed, workers reaped). SIGHUP:
// re-read the configuration (the socket path stays until restart).
// Trust boundary: runs as postern-auth (+ group shadow for pam_unix); its
// peers are the local daemons that may open the 0660 socket.
#include <signal.h>
#include <systemd/sd-daemon.h>

#include <cstdio>
#include <iostream>

#include "auth/backend.hpp"
#include "auth/daemon.hpp"
#include "auth/server.hpp"
#include "common/config/config.hpp"
#include "common/config/daemon_start.hpp"
#include "common/log/log.hpp"

namespace {


}  // namespace

int main(int argc, char** argv) {
  using namespace postern;
  config::DaemonStart start("postern-authd", "password verification and user lookup for Postern");
  if (auto rc = start.parse(argc, argv)) return *rc;
  config::Config& cfg = start.config();
  if (auth::socket_path(cfg).size() >= 108) {
    std::fprintf(stderr, "postern-authd: %s: auth.socket: path too long for a Unix socket\n",
                 start.config_path().c_str());
    return config::kExitConfig;
  }
  if (auto rc = start.finish("authd")) return *rc;

  try {
    asio::io_context io(1);
    // PAM workers are forked here, while the process has one thread.
    auto backend = auth::make_backend(io.get_executor(), cfg);
    auth::AuthServer server(io, backend, auth::server_settings(cfg));
    server.listen();

    asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
    std::function<void(const asio::error_code&, int)> on_signal = [&](const asio::error_code& ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        sd_notify(0, "RELOADING=1");
        try {
          auto next = config::load_file(start.config_path());
          if (next.auth.backend != cfg.auth.backend) {
            log::warn("authd: auth.backend changed; restart postern-authd to switch backends");
            next.auth.backend = cfg.auth.backend;
          }
          log::set_level(next.log.level);
          auto nb = auth::make_backend(io.get_executor(), next);
          backend->shutdown();
          backend = nb;
          server.reconfigure(backend, auth::server_settings(next));
          cfg = std::move(next);
          log::info("authd: configuration reloaded from {}", start.config_path());
        } catch (const std::exception& e) {
          log::error("authd: reload failed, keeping the running configuration: {}", e.what());
        }
        sd_notify(0, "READY=1");
        signals.async_wait(on_signal);
        return;
      }
      log::info("authd: signal {}, exiting", sig);
      sd_notify(0, "STOPPING=1");
      server.stop();
      backend->shutdown();
      io.stop();
    };
    signals.async_wait(on_signal);

    sd_notify(0, "READY=1");
    io.run();
    server.stop();
  } catch (const std::exception& e) {
    log::error("authd: {}", e.what());
    return 1;
  }
  return 0;
}
