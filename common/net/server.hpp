// Listeners and the process's life cycle: accept connections on each
// configured endpoint, enforce the global and per-address connection caps
// (answering with the protocol's own "busy" line), run one session coroutine
// per connection, drain on SIGTERM/SIGINT and reload on SIGHUP.
#pragma once

#include <asio.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/config/config.hpp"
#include "common/net/connection.hpp"

namespace postern::net {

struct ListenerSpec {
  config::Endpoint endpoint;
  config::TlsMode tls = config::TlsMode::none;  // implicit: handshake before the session starts
  std::string service;                          // "mx", "submission", "imap", "imaps" (for logs)
  config::Limits limits;
  std::string busy_reply;  // written (then close) when a connection cap is hit, e.g. "421 4.7.0 ...\r\n"
};

// A session: runs until the client is done. It owns `conn` for its lifetime.
using SessionFn = std::function<awaitable<void>(Connection& conn, const ListenerSpec& spec)>;

class Server {
 public:
  Server(asio::io_context& io, std::shared_ptr<tls::TlsManager> tls);
  // Binds now (throws std::system_error naming the endpoint if it cannot).
  // Returns the bound port (useful when the configured port is 0).
  uint16_t listen(const ListenerSpec& spec, SessionFn fn);
  // A Unix-domain listener at `path` (a stale socket there is replaced; any
  // other file is an error), chmod `mode`. spec.endpoint is ignored. Only
  // the global connection cap applies.
  void listen_local(const std::string& path, unsigned mode, const ListenerSpec& spec, SessionFn fn);
  // Installs SIGTERM/SIGINT (graceful drain: stop accepting, wait up to
  // `grace` for sessions, then cancel them) and SIGHUP (calls on_reload).
  void handle_signals(std::function<void()> on_reload, std::chrono::seconds grace = std::chrono::seconds(30));
  // Stop accepting and drain (what SIGTERM does).
  void shutdown();
  // Called once every session has ended after shutdown() (e.g. to stop other
  // work on the io_context so run() returns).
  void on_drained(std::function<void()> fn) { on_drained_ = std::move(fn); }
  // Polls certificate files every `every` and reloads them when they change.
  void watch_certificates(std::chrono::seconds every);
  bool stopping() const { return stopping_; }
  size_t active_sessions() const { return active_; }
  // Tells systemd we are ready (no-op without NOTIFY_SOCKET).
  static void notify_ready();
  static void notify_reloading();

 private:
  struct Listener;
  awaitable<void> accept_loop(std::shared_ptr<Listener> l);
  awaitable<void> run_session(std::shared_ptr<Listener> l, tcp::socket s);
  void wait_signal();
  struct LocalListener;
  awaitable<void> accept_local(std::shared_ptr<LocalListener> l);
  std::vector<std::shared_ptr<LocalListener>> local_listeners_;
  void finish();

  asio::io_context& io_;
  std::shared_ptr<tls::TlsManager> tls_;
  std::vector<std::shared_ptr<Listener>> listeners_;
  std::map<std::string, int> per_ip_;
  size_t active_ = 0;
  bool stopping_ = false;
  asio::signal_set signals_;
  std::function<void()> on_reload_;
  std::chrono::seconds grace_{30};
  std::set<Connection*> connections_;
  asio::steady_timer cert_timer_;
  std::chrono::seconds cert_every_{60};
  std::shared_ptr<asio::steady_timer> grace_timer_;
  std::function<void()> on_drained_;
};

// Runs a blocking function on `pool` and resumes the calling coroutine on its
// own executor with the result (exceptions propagate). Use for fsync-heavy
// work (delivery) so the event loop never blocks on the disk.
template <class F>
awaitable<std::invoke_result_t<F>> offload(asio::thread_pool& pool, F f) {
  auto home = co_await asio::this_coro::executor;
  co_await asio::post(asio::bind_executor(pool, asio::use_awaitable));
  std::exception_ptr err;
  if constexpr (std::is_void_v<std::invoke_result_t<F>>) {
    try {
      f();
    } catch (...) {
      err = std::current_exception();
    }
    co_await asio::post(asio::bind_executor(home, asio::use_awaitable));
    if (err) std::rethrow_exception(err);
  } else {
    std::optional<std::invoke_result_t<F>> r;
    try {
      r.emplace(f());
    } catch (...) {
      err = std::current_exception();
    }
    co_await asio::post(asio::bind_executor(home, asio::use_awaitable));
    if (err) std::rethrow_exception(err);
    co_return std::move(*r);
  }
}

}  // namespace postern::net
