// Server (see server.hpp): accept loops, connection caps, session life
// cycle, graceful drain on SIGTERM/SIGINT, reload on SIGHUP, certificate
// change polling, and the systemd readiness protocol.
#include "common/net/server.hpp"

#include <systemd/sd-daemon.h>

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>

#include "common/log/log.hpp"
#include "common/tls/tls.hpp"

namespace postern::net {

struct Server::Listener {
  Listener(asio::io_context& io, ListenerSpec s, SessionFn f) : acceptor(io), spec(std::move(s)), fn(std::move(f)) {}
  tcp::acceptor acceptor;
  ListenerSpec spec;
  SessionFn fn;
};

struct Server::LocalListener {
  LocalListener(asio::io_context& io, ListenerSpec s, SessionFn f, std::string p)
      : acceptor(io), spec(std::move(s)), fn(std::move(f)), path(std::move(p)) {}
  asio::local::stream_protocol::acceptor acceptor;
  ListenerSpec spec;
  SessionFn fn;
  std::string path;
};

void Server::listen_local(const std::string& path, unsigned mode, const ListenerSpec& spec, SessionFn fn) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) throw std::runtime_error("listen " + path + ": exists and is not a socket");
    ::unlink(path.c_str());
  }
  auto l = std::make_shared<LocalListener>(io_, spec, std::move(fn), path);
  asio::local::stream_protocol::endpoint ep(path);
  asio::error_code ec;
  l->acceptor.open(ep.protocol());
  l->acceptor.bind(ep, ec);
  if (ec) throw std::system_error(ec, "listen " + path);
  if (::chmod(path.c_str(), mode) != 0) throw std::runtime_error("listen " + path + ": chmod failed");
  l->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::system_error(ec, "listen " + path);
  local_listeners_.push_back(l);
  log::info("listening on {} ({})", path, spec.service);
  asio::co_spawn(io_, accept_local(l), asio::detached);
}

awaitable<void> Server::accept_local(std::shared_ptr<LocalListener> l) {
  while (!stopping_) {
    asio::error_code ec;
    auto s = co_await l->acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (stopping_ || ec == asio::error::operation_aborted) break;
    if (ec) {
      asio::steady_timer t(io_, std::chrono::milliseconds(100));
      co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    if (active_ >= static_cast<size_t>(l->spec.limits.max_connections)) {
      if (!l->spec.busy_reply.empty()) asio::write(s, asio::buffer(l->spec.busy_reply), ec);
      continue;
    }
    asio::co_spawn(
        io_,
        [this, l, s = std::move(s)]() mutable -> awaitable<void> {
          ++active_;
          {
            Connection conn(std::move(s), l->spec.limits, log::new_connection_id());
            connections_.insert(&conn);
            log::info("{} local connect (uid {}) on {}", conn.id(), conn.peer_uid(), l->path);
            try {
              co_await l->fn(conn, l->spec);
            } catch (const std::exception& e) {
              log::error("{} session failed: {}", conn.id(), e.what());
            }
            conn.close();
            connections_.erase(&conn);
          }
          --active_;
          if (stopping_ && active_ == 0) finish();
        },
        asio::detached);
  }
}

Server::Server(asio::io_context& io, std::shared_ptr<tls::TlsManager> tls)
    : io_(io), tls_(std::move(tls)), signals_(io), cert_timer_(io) {}

uint16_t Server::listen(const ListenerSpec& spec, SessionFn fn) {
  auto l = std::make_shared<Listener>(io_, spec, std::move(fn));
  asio::error_code ec;
  auto addr = asio::ip::make_address(spec.endpoint.address, ec);
  if (ec) throw std::system_error(ec, "listen " + spec.endpoint.to_string() + ": bad address");
  tcp::endpoint ep(addr, spec.endpoint.port);
  l->acceptor.open(ep.protocol());
  l->acceptor.set_option(tcp::acceptor::reuse_address(true));
  if (addr.is_v6()) l->acceptor.set_option(asio::ip::v6_only(true));
  l->acceptor.bind(ep, ec);
  if (ec) throw std::system_error(ec, "listen " + spec.endpoint.to_string() + " (" + spec.service + ")");
  l->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::system_error(ec, "listen " + spec.endpoint.to_string());
  uint16_t port = l->acceptor.local_endpoint().port();
  listeners_.push_back(l);
  log::info("listening on {} ({}{})", tcp::endpoint(addr, port).address().to_string() + ":" + std::to_string(port),
            spec.service, spec.tls == config::TlsMode::implicit ? ", implicit TLS" : "");
  asio::co_spawn(io_, accept_loop(l), asio::detached);
  return port;
}

awaitable<void> Server::accept_loop(std::shared_ptr<Listener> l) {
  while (!stopping_) {
    asio::error_code ec;
    tcp::socket s = co_await l->acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (stopping_) break;
    if (ec) {
      if (ec == asio::error::operation_aborted) break;
      log::warn("accept on {}: {}", l->spec.endpoint.to_string(), ec.message());
      // EMFILE and friends: back off briefly instead of spinning.
      asio::steady_timer t(io_, std::chrono::milliseconds(100));
      co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    asio::co_spawn(io_, run_session(l, std::move(s)), asio::detached);
  }
}

awaitable<void> Server::run_session(std::shared_ptr<Listener> l, tcp::socket s) {
  asio::error_code ec;
  auto re = s.remote_endpoint(ec);
  if (ec) co_return;
  auto addr = re.address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
  std::string ip = addr.to_string();
  const auto& lim = l->spec.limits;
  if (active_ >= static_cast<size_t>(lim.max_connections) || per_ip_[ip] >= lim.max_connections_per_ip) {
    log::warn("{}: refusing {}: {} connections (limit {}), {} from this address (limit {})", l->spec.service, ip,
              active_, lim.max_connections, per_ip_[ip], lim.max_connections_per_ip);
    if (per_ip_[ip] == 0) per_ip_.erase(ip);
    if (!l->spec.busy_reply.empty() && l->spec.tls != config::TlsMode::implicit) {
      // Short bounded attempt: the reply fits a socket buffer.
      asio::write(s, asio::buffer(l->spec.busy_reply), ec);
    }
    s.close(ec);
    co_return;
  }
  ++active_;
  ++per_ip_[ip];
  // Sessions write whole replies; Nagle's algorithm with the client's delayed
  // ACK would only add 40 ms stalls between them (measured in tests/bench/mail).
  s.set_option(tcp::no_delay(true), ec);
  {
    Connection conn(std::move(s), tls_, lim, log::new_connection_id());
    connections_.insert(&conn);
    log::info("{} connect from {} to {} ({})", conn.id(), ip, l->spec.endpoint.to_string(), l->spec.service);
    bool ok = true;
    if (l->spec.tls == config::TlsMode::implicit) ok = co_await conn.start_tls();
    if (ok) {
      try {
        co_await l->fn(conn, l->spec);
      } catch (const std::exception& e) {
        log::error("{} session failed: {}", conn.id(), e.what());
      }
    }
    conn.close();
    connections_.erase(&conn);
    log::info("{} disconnect", conn.id());
  }
  --active_;
  if (--per_ip_[ip] <= 0) per_ip_.erase(ip);
  if (stopping_ && active_ == 0) finish();
}

void Server::handle_signals(std::function<void()> on_reload, std::chrono::seconds grace) {
  on_reload_ = std::move(on_reload);
  grace_ = grace;
  signals_.add(SIGTERM);
  signals_.add(SIGINT);
  signals_.add(SIGHUP);
  std::signal(SIGPIPE, SIG_IGN);
  wait_signal();
}

void Server::wait_signal() {
  signals_.async_wait([this](const asio::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      log::info("SIGHUP: reloading configuration");
      notify_reloading();
      try {
        if (on_reload_) on_reload_();
      } catch (const std::exception& e) {
        log::error("reload failed, keeping the old configuration: {}", e.what());
      }
      sd_notify(0, "READY=1");
      wait_signal();
      return;
    }
    log::info("signal {}: stopping, {} session(s) to finish", sig, active_);
    shutdown();
  });
}

void Server::watch_certificates(std::chrono::seconds every) {
  if (!tls_ || every.count() <= 0) return;
  cert_every_ = every;
  cert_timer_.expires_after(every);
  cert_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec || stopping_) return;
    if (tls_->reload_if_changed()) log::info("TLS certificates changed on disk: reloaded");
    watch_certificates(cert_every_);
  });
}

void Server::shutdown() {
  if (stopping_) return;
  stopping_ = true;
  sd_notify(0, "STOPPING=1");
  asio::error_code ec;
  for (auto& l : listeners_) l->acceptor.close(ec);
  for (auto& l : local_listeners_) {
    l->acceptor.close(ec);
    ::unlink(l->path.c_str());
  }
  cert_timer_.cancel();
  if (active_ == 0) {
    finish();
    return;
  }
  // Sessions get `grace` to finish; then their reads are cancelled.
  auto t = std::make_shared<asio::steady_timer>(io_, grace_);
  t->async_wait([this, t](const asio::error_code& e) {
    if (e) return;
    if (!connections_.empty()) log::warn("grace period over: closing {} session(s)", connections_.size());
    for (auto* c : connections_) c->cancel();
  });
  grace_timer_ = t;
}

void Server::finish() {
  signals_.cancel();
  cert_timer_.cancel();
  if (grace_timer_) grace_timer_->cancel();
  if (on_drained_) on_drained_();
}

void Server::notify_ready() { sd_notify(0, "READY=1"); }
void Server::notify_reloading() { sd_notify(0, "RELOADING=1"); }

}  // namespace postern::net
