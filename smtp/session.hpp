// One SMTP session: the coroutine that alone owns a client connection and
// moves bytes between it and the Protocol state machine, running the I/O the
// protocol asks for (authd lookups and SASL, the DATA section, STARTTLS) and
// delivering accepted messages into the store on a thread pool.
// RFC 5321 (session), 2920 (pipelining: replies are flushed before any read
// that would block), 3207 (STARTTLS), 4954 (AUTH).
// Trust boundary: everything read from the connection is untrusted.
#pragma once

#include <asio.hpp>

#include <memory>

#include "common/config/config.hpp"
#include "common/net/connection.hpp"
#include "smtp/directory.hpp"
#include "smtp/filter.hpp"
#include "smtp/protocol.hpp"

namespace postern::smtp {

struct SessionContext {
  std::shared_ptr<const config::Config> config;  // a snapshot: SIGHUP swaps it for new sessions
  Mode mode = Mode::mx;
  bool tls_available = false;              // STARTTLS can be offered (a certificate is loaded)
  UserDirectory* directory = nullptr;      // authd
  asio::thread_pool* delivery_pool = nullptr;  // store writes (fsync) run here
  MessageFilter filter;                    // mail authentication hook (may be empty)
  size_t max_data_line = 1024 * 1024;      // longest accepted DATA line (RFC 5321 says 998)
};

asio::awaitable<void> run_session(net::Connection& conn, const SessionContext& ctx);

}  // namespace postern::smtp
