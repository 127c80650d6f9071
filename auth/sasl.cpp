// SASL PLAIN (RFC 4616 section 2) and LOGIN (draft-murchison-sasl-login-00
// section 2) for authd. See sasl.hpp.
// Trust boundary: decoded client payloads; errors never quote them.
#include "auth/sasl.hpp"

#include <cstring>
#include <string.h>

namespace postern::auth {

Credentials::~Credentials() {
  if (!password.empty()) explicit_bzero(password.data(), password.size());
}

std::optional<SaslMachine::Mechanism> SaslMachine::mechanism_from_name(std::string_view name) {
  if (name == "PLAIN") return Mechanism::plain;
  if (name == "LOGIN") return Mechanism::login;
  return std::nullopt;
}

static bool ok_user(std::string_view s) {
  if (s.empty() || s.size() > kMaxSaslField) return false;
  for (char c : s)
    if (c == '\0' || c == '\r' || c == '\n' || c == '\t') return false;
  return true;
}

static bool ok_password(std::string_view s) {
  return !s.empty() && s.size() <= kMaxSaslField && s.find('\0') == std::string_view::npos;
}

// RFC 4616 section 2: message = [authzid] UTF8NUL authcid UTF8NUL passwd
SaslMachine::Step SaslMachine::parse_plain(std::string_view msg) {
  size_t a = msg.find('\0');
  if (a == std::string_view::npos) return fail("malformed PLAIN response");
  size_t b = msg.find('\0', a + 1);
  if (b == std::string_view::npos) return fail("malformed PLAIN response");
  std::string_view authzid = msg.substr(0, a);
  std::string_view authcid = msg.substr(a + 1, b - a - 1);
  std::string_view passwd = msg.substr(b + 1);
  if (!ok_user(authcid) || !ok_password(passwd) || authzid.size() > kMaxSaslField)
    return fail("malformed PLAIN response");
  creds_.authzid = authzid;
  creds_.user = authcid;
  creds_.password = passwd;
  state_ = State::finished;
  return Step{Step::Kind::done, {}, {}};
}

SaslMachine::Step SaslMachine::start(const std::optional<std::string>& initial) {
  if (state_ != State::initial) return fail("exchange already started");
  if (mech_ == Mechanism::plain) {
    if (initial) return parse_plain(*initial);
    // RFC 4422 section 5: no initial response, so the server sends an
    // empty challenge.
    state_ = State::plain_wait;
    return challenge("");
  }
  // LOGIN: an initial response, if any, is the user name.
  if (initial && !initial->empty()) {
    if (!ok_user(*initial)) return fail("malformed LOGIN user name");
    creds_.user = *initial;
    state_ = State::login_password;
    return challenge("Password:");
  }
  state_ = State::login_user;
  return challenge("Username:");
}

SaslMachine::Step SaslMachine::respond(std::string_view data) {
  switch (state_) {
    case State::plain_wait:
      return parse_plain(data);
    case State::login_user:
      if (!ok_user(data)) return fail("malformed LOGIN user name");
      creds_.user = data;
      state_ = State::login_password;
      return challenge("Password:");
    case State::login_password:
      if (!ok_password(data)) return fail("malformed LOGIN password");
      creds_.password = data;
      state_ = State::finished;
      return Step{Step::Kind::done, {}, {}};
    default:
      return fail("unexpected continuation");
  }
}

}  // namespace postern::auth
