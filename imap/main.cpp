// postern-imapd: serves the store to mail clients over IMAP on 143
// (STARTTLS) and 993 (implicit TLS, RFC 8314).
//   postern-imapd [--config PATH] [--check-config]
// SIGTERM/SIGINT drain sessions; SIGHUP re-reads the configuration (new
// sessions see it) and the certificates.
// Trust boundary: runs as the unprivileged `postern` user; every client is
// untrusted (see imap/session.hpp).
#include <signal.h>

#include <cstdio>
#include <memory>

#include "common/config/config.hpp"
#include "common/config/daemon_start.hpp"
#include "common/log/log.hpp"
#include "common/net/server.hpp"
#include "common/tls/tls.hpp"
#include "imap/session.hpp"

namespace {

using namespace postern;

}  // namespace

int main(int argc, char** argv) {
  config::DaemonStart start("postern-imapd", "IMAP server of Postern");
  if (auto rc = start.parse(argc, argv)) return *rc;
  config::Config& cfg = start.config();
  if (auto rc = start.finish("imapd")) return *rc;

  std::shared_ptr<tls::TlsManager> tls;
  if (!cfg.tls.certificates.empty()) {
    try {
      tls = tls::make_manager(cfg);
    } catch (const std::exception& e) {
      if (!cfg.imap.listen_tls.empty()) {
        log::error("TLS: {}", e.what());
        return config::kExitConfig;
      }
      log::warn("TLS unavailable, STARTTLS not offered: {}", e.what());
    }
  }
  if (!tls) log::warn("no TLS: passwords are accepted only from loopback (imap.allow_plaintext_auth_loopback)");

  try {
    asio::io_context io(1);
    // What sessions share; replaced (not mutated) on SIGHUP.
    auto current = std::make_shared<std::shared_ptr<const config::Config>>(
        std::make_shared<const config::Config>(cfg));
    net::Server server(io, tls);
    const std::string busy = "* BYE Too many connections, try later\r\n";
    const bool tls_ok = tls != nullptr;
    auto add = [&](const std::vector<config::Endpoint>& eps, config::TlsMode mode, const char* service) {
      for (auto& ep : eps) {
        if (mode == config::TlsMode::implicit && !tls_ok) throw std::runtime_error("implicit TLS needs a certificate");
        net::ListenerSpec spec{ep, mode, service, cfg.imap.limits, busy};
        server.listen(spec, [current, tls_ok](net::Connection& c, const net::ListenerSpec&) -> asio::awaitable<void> {
          std::shared_ptr<const config::Config> cfg = *current;  // kept alive for the session
          imap::SessionOptions opts;
          opts.cfg = cfg.get();
          opts.tls_available = tls_ok;
          co_await imap::run_session(c, opts);
        });
        std::printf("postern-imapd: listening on %s (%s)\n", ep.to_string().c_str(), service);
      }
    };
    add(cfg.imap.listen, config::TlsMode::starttls, "imap");
    add(cfg.imap.listen_tls, config::TlsMode::implicit, "imaps");
    std::fflush(stdout);

    server.handle_signals([&]() {
      auto next = config::load_file(start.config_path());  // throws: the server keeps the old one
      log::set_level(next.log.level);
      if (tls) tls->reload(next.tls);
      *current = std::make_shared<const config::Config>(std::move(next));
      log::info("configuration reloaded from {} (listeners change on restart)", start.config_path());
    });
    if (tls) server.watch_certificates(cfg.tls.reload_check);
    server.on_drained([&io]() { io.stop(); });
    net::Server::notify_ready();
    io.run();
  } catch (const std::exception& e) {
    log::error("imapd: {}", e.what());
    return 1;
  }
  return 0;
}
