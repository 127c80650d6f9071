// The SMTP protocol state machine, without sockets: it turns command lines
// into replies and into requests for the few things that need I/O (a user
// lookup at RCPT, a SASL exchange at AUTH, reading DATA, the TLS handshake),
// whose results the session feeds back. One dispatcher enforces the command
// table (smtp/commands.hpp) and the session-wide limits.
// RFC 5321 (4.1.1 commands, 4.1.4 order, 4.5.3.1 limits, 3.6.2 relaying),
// RFC 1870 SIZE, 6152 8BITMIME, 6531 SMTPUTF8, 2920 PIPELINING,
// 2034 ENHANCEDSTATUSCODES, 3207 STARTTLS, 4954 AUTH.
// Trust boundary: command lines are untrusted; lookup and auth results come
// from authd (trusted). Port 25 never relays: recipients must be in our domains.
// On the pickup socket the client's identity is its uid (from the kernel).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtp/commands.hpp"
#include "smtp/parser.hpp"
#include "smtp/reply.hpp"

namespace postern::smtp {

enum class Mode {
  mx,          // port 25: receive for our domains only, no AUTH
  submission,  // 587/465: AUTH required (after TLS) before MAIL
  pickup,      // local Unix socket (postern-sendmail): the client is the
               // local user its uid maps to; no TLS, no AUTH
};

const char* mode_name(Mode m);

struct ProtocolOptions {
  Mode mode = Mode::mx;
  std::string hostname = "localhost";
  uint64_t max_message_size = 50ull * 1024 * 1024;
  int max_recipients = 100;
  bool tls_available = false;  // a certificate is configured: STARTTLS can be offered
  bool tls_active = false;     // implicit TLS (465): already encrypted
  int max_errors = 20;         // 5xx replies before 421 and close
  std::function<bool(std::string_view)> is_our_domain;
  // Mode::pickup: the local user the peer's uid maps to (the session's
  // authenticated user), whether it may use any sender (uid 0, like Postfix's
  // trusted users), and the domain that qualifies bare names and the default
  // sender (the first configured domain, or the hostname).
  std::string local_user;
  bool trusted = false;
  std::string default_domain;
};

struct Recipient {
  std::string address;  // as given, without angle brackets
  std::string user;     // canonical user name from authd
};

struct Envelope {
  std::string helo;
  bool esmtp = false;
  Path from;                // reverse-path
  bool body_8bit = false;   // BODY=8BITMIME (RFC 6152)
  bool smtputf8 = false;    // SMTPUTF8 (RFC 6531)
  uint64_t declared_size = 0;
  std::vector<Recipient> rcpts;
  std::string sender() const { return from.null ? std::string() : from.addr.str(); }
};

enum class ActionKind {
  reply,     // send `reply`
  lookup,    // ask authd about `lookup_key`, then call on_lookup_result()
  auth,      // run a SASL exchange (mechanism, initial), then on_auth_result()
  data,      // send `reply` (354), read the DATA section, then data_done()
  starttls,  // send `reply` (220), hand-shake, then on_tls_started()
  quit,      // send `reply` (221) and close
  close,     // send `reply` (421) and close
  bdat,      // read chunk_size bytes (always: the byte stream must stay in sync);
             // if reply.code != 0 send it (the chunk was refused), else pass the
             // chunk to the session's message (first_chunk: start a new one) and
             // answer 250, or at LAST deliver, then data_done()
};

struct Action {
  ActionKind kind = ActionKind::reply;
  Reply reply;
  std::string lookup_key;               // lookup: local part, lowercased, "+tag" removed
  std::string mechanism;                // auth: "PLAIN" or "LOGIN"
  std::optional<std::string> initial;   // auth: initial response (base64; "" for "=")
  uint64_t chunk_size = 0;              // bdat
  bool last = false;                    // bdat: LAST
  bool first_chunk = false;             // bdat: the first chunk of a message
};

enum class AuthOutcome { ok, fail, temp, cancelled, bad_line };

class Protocol {
 public:
  explicit Protocol(ProtocolOptions opt);

  Reply greeting() const;  // 220 (RFC 2034: no enhanced code on the greeting)
  // One command line, without CRLF. A BDAT line with bad syntax yields
  // `close`: the size of the chunk that follows is unknown (RFC 3030 2).
  Action on_line(std::string_view line);
  Action on_line_too_long();
  Action on_bare_lf();  // a command line ended in LF without CR (RFC 5321 2.3.8)
  Action on_lookup_result(const std::optional<std::string>& user, bool temp_error);
  Action on_auth_result(AuthOutcome outcome, const std::string& user);
  void on_tls_started();  // RFC 3207 4.2: forget everything, require a new EHLO
  void data_done();       // the transaction is over, whatever its outcome
  Reply timeout_reply() const;

  State state() const { return state_; }
  const Envelope& envelope() const { return env_; }
  bool tls() const { return tls_; }
  const std::string& auth_user() const { return auth_user_; }
  const ProtocolOptions& options() const { return opt_; }
  // Per-recipient lookup key for an address: "Alice+tag" -> "alice" (RFC 5233-style sub-addressing).
  static std::string lookup_key(const Address& a);

 private:
  Action dispatch(const Command& cmd);
  Action dispatch_checked(const Command& cmd);
  Action ehlo(const Command& cmd);
  Action mail(const Command& cmd);
  Action rcpt(const Command& cmd);
  Action auth(const Command& cmd);
  std::string pickup_rewrite(std::string_view line) const;
  bool is_local_domain(const std::string& domain) const;
  Action error(Reply r);
  static Action reply(Reply r) { return Action{ActionKind::reply, std::move(r)}; }
  void reset_transaction();

  ProtocolOptions opt_;
  State state_ = State::init;
  Envelope env_;
  bool tls_ = false;
  std::string auth_user_;
  int errors_ = 0;
  std::optional<Recipient> pending_;
};

}  // namespace postern::smtp
