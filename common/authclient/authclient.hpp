// Client of postern-authd (docs/protocols/auth.md), used by postern-smtpd and
// postern-imapd. Speaks the line protocol over the Unix socket.
// Trust boundary: authd is trusted; the credentials passed in come from the
// network and are only forwarded, never logged.
#pragma once

#include <asio.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace postern::authclient {

using asio::awaitable;

struct AuthResult {
  enum class Status { ok, fail, temp, challenge };
  Status status = Status::temp;
  std::string user;       // canonical user name on ok
  std::string home;       // mail directory on ok (may be empty: store root/user)
  std::string reason;     // on fail/temp, for logs (never contains the password)
  std::string challenge;  // base64 server challenge when status == challenge
                          // ("" for an empty one: send "334 " / "+ ")
};

struct UserInfo {
  std::string user;
  std::string home;
};

struct ClientInfo {
  std::string service;    // "smtp" or "imap"
  std::string remote_ip;
  bool secured = false;   // TLS (or loopback) in effect
};

// A SASL exchange for one AUTH/AUTHENTICATE command (PLAIN or LOGIN).
// start() and respond() return challenge until the server says ok/fail/temp.
class SaslExchange {
 public:
  virtual ~SaslExchange() = default;
  // initial_b64: the initial response (base64; "=" for an empty one, RFC 4954
  // section 4) or nullopt if none was sent. Invalid base64 gives fail without
  // contacting authd (the caller should have answered 501 already).
  virtual awaitable<AuthResult> start(std::string_view mechanism, std::optional<std::string> initial_b64) = 0;
  // The client's answer (base64; "" or "=" for empty) to the last
  // challenge; "*" cancels (result: fail, reason "cancelled").
  virtual awaitable<AuthResult> respond(std::string_view b64) = 0;
};

class AuthClient {
 public:
  // timeout bounds every wait for authd (connect, each reply); keep it above
  // auth.failure_delay_max + auth.request_timeout. On timeout: temp.
  AuthClient(asio::any_io_executor ex, std::string socket_path,
             std::chrono::milliseconds timeout = std::chrono::seconds(60));
  // A new exchange on its own connection to authd.
  std::unique_ptr<SaslExchange> sasl(const ClientInfo& client);
  // Convenience for IMAP LOGIN: a PLAIN exchange with user and password.
  awaitable<AuthResult> login(const ClientInfo& client, std::string_view user, std::string_view password);
  // Is this a user we deliver to? address may be "alice" or "alice@example.org".
  // nullopt + *temp_error=true when authd cannot answer.
  awaitable<std::optional<UserInfo>> lookup(std::string_view address, bool* temp_error = nullptr);

 private:
  asio::any_io_executor ex_;
  std::string path_;
  std::chrono::milliseconds timeout_;
};

}  // namespace postern::authclient
