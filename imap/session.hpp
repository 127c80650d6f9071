// One IMAP connection (RFC 9051 sections 2.2, 3, 5.4): greeting, reading
// commands with their literals (bounded by imap.max_line_length and
// imap.max_literal, RFC 7888 for non-synchronizing ones), dispatching them,
// writing replies, STARTTLS, autologout. The session coroutine alone owns the
// net::Connection; everything protocol-shaped lives in parser/dispatcher code.
// Trust boundary: the connection is the network; the config, the store
// opener and the auth client are ours.
#pragma once

#include <asio.hpp>

#include <chrono>

#include "common/authclient/authclient.hpp"
#include "common/config/config.hpp"
#include "common/net/connection.hpp"
#include "imap/context.hpp"

namespace postern::imap {

struct SessionOptions {
  const config::Config* cfg = nullptr;
  std::string auth_socket;  // authd's Unix socket
  StoreOpener open_store;   // default: store::MailStore::open(cfg.store.root, user)
  std::chrono::seconds idle_poll{5};
  bool tls_available = true;  // STARTTLS offered (a certificate is loaded)
};

// Runs the session until LOGOUT, end of input, a timeout or a fatal error.
asio::awaitable<void> run_session(net::Connection& conn, const SessionOptions& opts);

}  // namespace postern::imap
