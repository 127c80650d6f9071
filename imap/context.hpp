// What a command handler sees of its session: the state (RFC 9051 section 3),
// the authenticated user's store, the selected mailbox view, the enabled
// extensions, and a narrow ClientIo for the few commands that talk to the
// client mid-command (AUTHENTICATE continuations, IDLE). Handlers return a
// Reply value; only the session writes to the network connection.
// Trust boundary: everything in Command is client-supplied; ctx fields are ours.
#pragma once

#include <asio.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/authclient/authclient.hpp"
#include "common/config/config.hpp"
#include "common/store/store.hpp"
#include "imap/command_table.hpp"
#include "imap/mailbox_view.hpp"
#include "imap/parser.hpp"

namespace postern::imap {

using asio::awaitable;

// The session's side of the connection, for handlers that need a round trip.
class ClientIo {
 public:
  virtual ~ClientIo() = default;
  virtual awaitable<bool> send(std::string_view data) = 0;
  // One line without CRLF; nullopt on end of input, timeout or an over-long line.
  virtual awaitable<std::optional<std::string>> read_line() = 0;
};

struct Reply {
  enum class Status { ok, no, bad };
  enum class After { none, starttls, logout };
  Status status = Status::ok;
  std::string untagged;  // complete "* ..." lines, CRLF-terminated
  std::string code;      // response code without brackets, e.g. "READ-WRITE"
  std::string text;
  After after = After::none;

  static Reply ok(std::string text, std::string code = "") {
    return Reply{Status::ok, "", std::move(code), std::move(text)};
  }
  static Reply no(std::string text, std::string code = "") {
    return Reply{Status::no, "", std::move(code), std::move(text)};
  }
  static Reply bad(std::string text, std::string code = "") {
    return Reply{Status::bad, "", std::move(code), std::move(text)};
  }
  // "tag OK [code] text\r\n"
  std::string tagged(std::string_view tag) const;
};

using StoreOpener = std::function<std::unique_ptr<store::MailStore>(const std::string& user)>;

struct SessionContext {
  const config::Config& cfg;
  ClientIo& io;
  authclient::AuthClient* auth = nullptr;
  StoreOpener open_store;

  SessionState state = SessionState::not_authenticated;
  bool tls = false;
  bool tls_available = true;  // a certificate is loaded: STARTTLS can be offered
  bool loopback = false;
  std::string remote_ip;
  std::string conn_id;

  std::string user;
  std::unique_ptr<store::MailStore> store;
  std::optional<MailboxView> selected;

  bool condstore = false;     // ENABLE CONDSTORE or a CONDSTORE-enabling command (RFC 7162 3.1)
  bool qresync = false;       // ENABLE QRESYNC (RFC 7162 3.2.3): VANISHED instead of EXPUNGE
  bool utf8_accept = false;   // ENABLE UTF8=ACCEPT (RFC 6855) -- not yet offered
  int auth_failures = 0;
  std::chrono::seconds idle_poll{5};  // IDLE re-reads the store this often (see cmd_misc.cpp)

  // LOGIN/AUTHENTICATE may be used: TLS is on, or loopback is exempted by config.
  bool plaintext_auth_allowed() const {
    return tls || (loopback && cfg.imap.allow_plaintext_auth_loopback);
  }
};

// The CAPABILITY list for the session's current state (RFC 9051 section 7.2.2).
std::string capabilities(const SessionContext& ctx);

}  // namespace postern::imap
