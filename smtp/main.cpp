// postern-smtpd: receives mail on port 25 (MX, STARTTLS offered), 587
// (submission, STARTTLS required before AUTH) and 465 (submission, implicit
// TLS, RFC 8314), and delivers it into the store.
//   postern-smtpd [--config PATH] [--check-config]
// SIGTERM/SIGINT drain sessions; SIGHUP re-reads the configuration (new
// sessions see it), the aliases file (smtp.aliases_file; a bad new one keeps
// the old table) and the certificates.
// Trust boundary: runs as the unprivileged `postern` user; every client is
// untrusted (see smtp/session.hpp).

#include <cstdio>
#include <memory>

#include "common/authclient/authclient.hpp"
#include "common/config/config.hpp"
#include "common/config/daemon_start.hpp"
#include "common/log/log.hpp"
#include "common/net/server.hpp"
#include "common/tls/tls.hpp"
#include "smtp/aliases.hpp"
#include "smtp/directory.hpp"
#include "smtp/mailauth/mailauth_filter.hpp"
#include "smtp/session.hpp"

namespace {

using namespace postern;

// What sessions share; replaced (not mutated) on SIGHUP.
struct Shared {
  std::shared_ptr<const config::Config> cfg;
  std::shared_ptr<smtp::UserDirectory> directory;
  smtp::MessageFilter filter;  // SPF/DKIM/DMARC on port 25, DKIM signing on submission
  std::shared_ptr<const smtp::AliasTable> aliases;
};

asio::awaitable<void> session_entry(net::Connection& conn, std::shared_ptr<const Shared> shared, smtp::Mode mode,
                                    asio::thread_pool* pool, bool tls_available) {
  smtp::SessionContext ctx;
  ctx.config = shared->cfg;
  ctx.mode = mode;
  ctx.tls_available = tls_available;
  ctx.directory = shared->directory.get();
  ctx.delivery_pool = pool;
  ctx.filter = shared->filter;
  ctx.aliases = shared->aliases;
  co_await smtp::run_session(conn, ctx);
}

std::shared_ptr<const Shared> make_shared_state(asio::any_io_executor ex, config::Config cfg,
                                                std::shared_ptr<const smtp::AliasTable> aliases) {
  auto s = std::make_shared<Shared>();
  s->aliases = std::move(aliases);
  auto client = std::make_shared<authclient::AuthClient>(ex, cfg.auth.socket);
  s->directory = std::make_shared<smtp::AuthClientDirectory>(client);
  s->filter = smtp::mailauth::make_daemon_filter(ex, cfg);  // throws: bad key file, bad [dns]
  s->cfg = std::make_shared<const config::Config>(std::move(cfg));
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  config::DaemonStart start("postern-smtpd", "SMTP server (MX and submission) of Postern");
  if (auto rc = start.parse(argc, argv)) return *rc;
  config::Config& cfg = start.config();
  // Every DKIM key file and the aliases file are read now; errors name the file.
  if (!start.check([&] { smtp::mailauth::load_signer(cfg); })) return config::kExitConfig;
  std::shared_ptr<const smtp::AliasTable> aliases;
  if (!start.check([&] {
        aliases = std::make_shared<const smtp::AliasTable>(smtp::AliasTable::load(cfg.smtp.aliases_file));
      }))
    return config::kExitConfig;
  if (auto rc = start.finish("smtpd")) return *rc;
  if (cfg.server.domains.empty()) log::warn("server.domains is empty: every recipient will be refused");

  bool submission = !cfg.smtp.listen_submission.empty() || !cfg.smtp.listen_submissions.empty();
  std::shared_ptr<tls::TlsManager> tls;
  if (!cfg.tls.certificates.empty()) {
    try {
      tls = tls::make_manager(cfg);
    } catch (const std::exception& e) {
      // Submission without TLS would mean passwords in clear: refuse to start.
      if (submission) {
        log::error("TLS: {}", e.what());
        return config::kExitConfig;
      }
      log::warn("TLS unavailable, STARTTLS not offered on port 25: {}", e.what());
    }
  }

  try {
    asio::io_context io(1);
    asio::thread_pool pool(2);  // store deliveries (fsync) run here
    auto shared = std::make_shared<std::shared_ptr<const Shared>>(make_shared_state(io.get_executor(), cfg, aliases));
    net::Server server(io, tls);
    std::string host = cfg.server.hostname.empty() ? "localhost" : cfg.server.hostname;
    std::string busy = "421 4.7.0 " + host + " too many connections, try later\r\n";
    bool tls_ok = tls != nullptr;

    auto add = [&](const std::vector<config::Endpoint>& eps, config::TlsMode mode, const char* service,
                   smtp::Mode smode) {
      for (auto& ep : eps) {
        if (mode == config::TlsMode::implicit && !tls_ok) throw std::runtime_error("implicit TLS needs a certificate");
        net::ListenerSpec spec{ep, mode, service, cfg.smtp.limits, busy};
        server.listen(spec, [shared, smode, &pool, tls_ok](net::Connection& c, const net::ListenerSpec&) {
          return session_entry(c, *shared, smode, &pool, tls_ok);
        });
        std::printf("postern-smtpd: listening on %s (%s)\n", ep.to_string().c_str(), service);
      }
    };
    add(cfg.smtp.listen_mx, config::TlsMode::none, "mx", smtp::Mode::mx);
    add(cfg.smtp.listen_submission, config::TlsMode::starttls, "submission", smtp::Mode::submission);
    add(cfg.smtp.listen_submissions, config::TlsMode::implicit, "submissions", smtp::Mode::submission);
    // Local submission (postern-sendmail): any local user may connect; the
    // session knows it by its uid (SO_PEERCRED). No TLS on a Unix socket.
    if (!cfg.smtp.pickup_socket.empty()) {
      net::ListenerSpec pickup{config::Endpoint{}, config::TlsMode::none, "pickup", cfg.smtp.limits, busy};
      server.listen_local(cfg.smtp.pickup_socket, 0666, pickup,
                          [shared, &pool](net::Connection& c, const net::ListenerSpec&) {
                            return session_entry(c, *shared, smtp::Mode::pickup, &pool, false);
                          });
      std::printf("postern-smtpd: listening on %s (pickup)\n", cfg.smtp.pickup_socket.c_str());
    }
    std::fflush(stdout);

    server.handle_signals([&]() {
      auto next = config::load_file(start.config_path());  // throws: the server keeps the old one
      log::set_level(next.log.level);
      if (tls) tls->reload(next.tls);
      auto table = (*shared)->aliases;
      try {
        table = std::make_shared<const smtp::AliasTable>(smtp::AliasTable::load(next.smtp.aliases_file));
      } catch (const std::exception& e) {
        log::error("aliases not reloaded, keeping the old table: {}", e.what());
      }
      *shared = make_shared_state(io.get_executor(), next, table);
      log::info("configuration reloaded from {} (listeners change on restart)", start.config_path());
    });
    if (tls) server.watch_certificates(cfg.tls.reload_check);
    server.on_drained([&io]() { io.stop(); });
    net::Server::notify_ready();
    io.run();
    pool.join();
  } catch (const std::exception& e) {
    log::error("smtpd: {}", e.what());
    return 1;
  }
  return 0;
}
