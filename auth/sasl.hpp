// Server side of the SASL mechanisms authd offers: PLAIN (RFC 4616) and
// LOGIN (draft-murchison-sasl-login-00). A small state machine over already
// base64-decoded payloads; it yields a challenge to send, the credentials, or
// an error. Pure code: no I/O.
// Trust boundary: payloads come from the network (relayed by smtpd/imapd);
// the credentials it yields are secret and must never be logged.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::auth {

struct Credentials {
  std::string authzid;   // empty unless the client asked to act as someone else
  std::string user;      // authentication identity as given
  std::string password;  // secret
  ~Credentials();        // wipes the password
};

class SaslMachine {
 public:
  enum class Mechanism { plain, login };
  struct Step {
    enum class Kind { challenge, done, error } kind = Kind::error;
    std::string challenge;  // raw bytes to send (base64-encoded on the wire)
    std::string error;      // reason, for FAIL and the log (no payload bytes)
  };

  // nullopt for a mechanism we do not offer. Names are upper case.
  static std::optional<Mechanism> mechanism_from_name(std::string_view name);
  explicit SaslMachine(Mechanism m) : mech_(m) {}

  // initial: the initial response, if the client sent one (may be empty).
  Step start(const std::optional<std::string>& initial);
  // The client's answer to the last challenge.
  Step respond(std::string_view data);
  // Valid after a Step of kind done.
  const Credentials& credentials() const { return creds_; }
  Mechanism mechanism() const { return mech_; }

 private:
  enum class State { initial, plain_wait, login_user, login_password, finished };
  Step parse_plain(std::string_view msg);
  static Step challenge(std::string c) { return Step{Step::Kind::challenge, std::move(c), {}}; }
  Step fail(std::string why) {
    state_ = State::finished;
    return Step{Step::Kind::error, {}, std::move(why)};
  }

  Mechanism mech_;
  State state_ = State::initial;
  Credentials creds_;
};

// Bytes of a user name or password are 1..255 octets without NUL (RFC 4616
// section 2) and, for user names, without CR/LF/TAB.
inline constexpr size_t kMaxSaslField = 255;

}  // namespace postern::auth
