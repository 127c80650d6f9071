// One SMTP session: the coroutine that alone owns a client connection and
// moves bytes between it and the Protocol state machine, running the I/O the
// protocol asks for (authd lookups and SASL, the DATA section, STARTTLS) and
// delivering accepted messages into the store on a thread pool.
// A pickup session (local Unix socket, postern-sendmail) is the same
// session with the client identified by its uid (SO_PEERCRED).
// RFC 5321 (session), 2920 (pipelining: replies are flushed before any read
// that would block), 3207 (STARTTLS), 4954 (AUTH).
// Trust boundary: everything read from the connection is untrusted.
#pragma once

#include <asio.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/config/config.hpp"
#include "common/net/connection.hpp"
#include "smtp/aliases.hpp"
#include "smtp/directory.hpp"
#include "smtp/filter.hpp"
#include "smtp/protocol.hpp"

namespace postern::smtp {

// The local user behind a pickup connection.
struct LocalUser {
  std::string name;
  bool trusted = false;  // uid 0: may use any envelope sender
};
// Maps a uid to its user with getpwuid_r (nullopt: no such user).
std::optional<LocalUser> local_user_for_uid(long uid);

struct SessionContext {
  std::shared_ptr<const config::Config> config;  // a snapshot: SIGHUP swaps it for new sessions
  Mode mode = Mode::mx;
  bool tls_available = false;              // STARTTLS can be offered (a certificate is loaded)
  UserDirectory* directory = nullptr;      // authd
  asio::thread_pool* delivery_pool = nullptr;  // store writes (fsync) run here
  MessageFilter filter;                    // mail authentication hook (may be empty)
  std::shared_ptr<const AliasTable> aliases;  // local aliases, expanded at RCPT (may be null: none)
  size_t max_data_line = 1024 * 1024;      // longest accepted DATA line (RFC 5321 says 998)
  // Mode::pickup: uid -> user; empty = local_user_for_uid (tests plug in a fake).
  std::function<std::optional<LocalUser>(long uid)> resolve_uid;
};

asio::awaitable<void> run_session(net::Connection& conn, const SessionContext& ctx);

}  // namespace postern::smtp
