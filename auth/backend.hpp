// The interface every password backend implements (PAM through worker
// processes, or a passwd-file), plus the outcomes the server turns into
// protocol replies.
// Trust boundary: credentials arrive from the network through smtpd/imapd;
// backends never log them.
#pragma once

#include <asio.hpp>

#include <string>

#include "auth/sasl.hpp"

namespace postern::auth {

using asio::awaitable;

struct AuthOutcome {
  enum class Status { ok, fail, temp };
  Status status = Status::temp;
  std::string user;    // canonical name on ok
  std::string home;    // mail directory on ok
  std::string reason;  // on fail/temp: for the log and the FAIL line
};

struct LookupOutcome {
  enum class Status { found, notfound, temp };
  Status status = Status::temp;
  std::string user;
  std::string home;
  std::string reason;  // on temp
};

class Backend {
 public:
  virtual ~Backend() = default;
  // user: the normalized user name (account.hpp); password: secret.
  virtual awaitable<AuthOutcome> authenticate(std::string user, const Credentials& creds, std::string service,
                                              std::string remote_ip) = 0;
  // user: the normalized local part.
  virtual awaitable<LookupOutcome> lookup(std::string user) = 0;
  virtual const char* name() const = 0;
  // Stop background work (worker processes); pending calls answer temp.
  virtual void shutdown() {}
};

}  // namespace postern::auth
