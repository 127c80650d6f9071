// SMTP protocol state machine (see protocol.hpp). RFC 5321 4.1.1 (commands),
// 4.1.4 (order of commands), 4.1.1.3 (<Postmaster>), 4.5.3.1.8 (recipient
// buffer: 452), 3.6.2 + 7.9 (no open relay), RFC 1870 (SIZE), RFC 6152
// (BODY=8BITMIME), RFC 6531 3.4-3.5 (SMTPUTF8), RFC 2034 (enhanced codes),
// RFC 3207 (STARTTLS), RFC 4954 (AUTH, 530/538 codes, no AUTH in a transaction),
// RFC 3030 (CHUNKING: BDAT). Mode::pickup (local submission by uid, like
// Postfix's pickup/sendmail): sender ownership, bare names qualified with
// the default domain (RFC 5321 4.1.1.2 wants a domain: we add ours).
// Trust boundary: command lines are untrusted input; on the pickup socket the
// user name comes from the kernel (SO_PEERCRED), not from the client.
#include "smtp/protocol.hpp"

#include "common/util/strings.hpp"

namespace postern::smtp {

namespace {
bool parse_size(std::string_view v, uint64_t& out) {
  if (v.empty() || v.size() > 20) return false;
  uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (n > (UINT64_MAX - d) / 10) return false;
    n = n * 10 + d;
  }
  out = n;
  return true;
}
}  // namespace

const char* mode_name(Mode m) {
  switch (m) {
    case Mode::mx:
      return "mx";
    case Mode::submission:
      return "submission";
    case Mode::pickup:
      return "pickup";
  }
  return "?";
}

Protocol::Protocol(ProtocolOptions opt) : opt_(std::move(opt)), tls_(opt_.tls_active) {
  if (opt_.mode == Mode::pickup) {
    auth_user_ = opt_.local_user;  // authenticated by the kernel, not by a password
    opt_.tls_available = false;
  }
}

bool Protocol::is_local_domain(const std::string& domain) const {
  std::string d = util::to_lower(domain);
  if (opt_.is_our_domain && opt_.is_our_domain(d)) return true;
  return opt_.mode == Mode::pickup && util::iequals(d, opt_.hostname);
}

// Pickup only: "MAIL" or "MAIL FROM:" with no path means the null path (which becomes
// the user's own address), and a path without a domain, "<alice>", gets the
// default domain, as sendmail(8) qualifies local names. Other lines unchanged.
std::string Protocol::pickup_rewrite(std::string_view line) const {
  std::string_view kw;
  if (util::iequals(util::trim(line), "MAIL")) return "MAIL FROM:<>";
  if (util::istarts_with(line, "MAIL FROM:"))
    kw = line.substr(0, 10);
  else if (util::istarts_with(line, "RCPT TO:"))
    kw = line.substr(0, 8);
  else
    return std::string(line);
  std::string_view rest = line.substr(kw.size());
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (rest.empty() && kw.size() == 10) return std::string(kw) + "<>";
  if (rest.size() < 3 || rest.front() != '<') return std::string(line);
  auto close = rest.find('>');
  if (close == std::string_view::npos) return std::string(line);
  std::string_view addr = rest.substr(1, close - 1);
  if (addr.empty() || addr.find_first_of("@:\"<> ") != std::string_view::npos) return std::string(line);
  if (util::iequals(addr, "postmaster") && kw.size() == 8) return std::string(line);  // <Postmaster> stays special
  return std::string(kw) + "<" + std::string(addr) + "@" + opt_.default_domain + std::string(rest.substr(close));
}

Reply Protocol::greeting() const { return Reply(220, "", opt_.hostname + " ESMTP Postern"); }

Reply Protocol::timeout_reply() const {
  return Reply(421, "4.4.2", opt_.hostname + " Timeout, closing connection");
}

std::string Protocol::lookup_key(const Address& a) {
  std::string local = util::to_lower(unquote_local(a.local));
  auto plus = local.find('+');
  if (plus != std::string::npos && plus > 0) local.resize(plus);
  return local;
}

void Protocol::reset_transaction() {
  env_.from = Path{};
  env_.body_8bit = false;
  env_.smtputf8 = false;
  env_.declared_size = 0;
  env_.rcpts.clear();
  pending_.reset();
  if (state_ == State::mail || state_ == State::rcpt || state_ == State::bdat) state_ = State::ready;
}

void Protocol::data_done() { reset_transaction(); }

void Protocol::on_tls_started() {
  tls_ = true;
  env_ = Envelope{};
  pending_.reset();
  state_ = State::init;
}

Action Protocol::error(Reply r) {
  if (r.code >= 500 && ++errors_ >= opt_.max_errors)
    return Action{ActionKind::close, Reply(421, "4.7.0", opt_.hostname + " Too many errors, closing connection")};
  return reply(std::move(r));
}

Action Protocol::on_line_too_long() { return error(Reply(500, "5.5.2", "Line too long")); }

Action Protocol::on_bare_lf() { return error(Reply(500, "5.5.2", "Bare <LF> in command, use <CR><LF>")); }

Action Protocol::on_line(std::string_view line) {
  std::string rewritten;
  if (opt_.mode == Mode::pickup) {
    rewritten = pickup_rewrite(line);
    line = rewritten;
  }
  auto pr = parse_command(line);
  if (!pr.command) {
    if (util::istarts_with(line, "BDAT ") || util::iequals(line, "BDAT")) {
      reset_transaction();
      return Action{ActionKind::close, Reply(501, "5.5.4", "Syntax: BDAT chunk-size [LAST], closing connection")};
    }
    return error(std::move(pr.error));
  }
  return dispatch(*pr.command);
}

// BDAT's chunk follows its command line whatever the answer: a refusal is
// carried in a bdat action so the session still reads the chunk (RFC 3030 2).
Action Protocol::dispatch(const Command& cmd) {
  Action a = dispatch_checked(cmd);
  if (cmd.verb == Verb::bdat && a.kind == ActionKind::reply) {
    a.kind = ActionKind::bdat;
    a.chunk_size = cmd.chunk_size;
    a.last = cmd.last;
    if (state_ == State::bdat) reset_transaction();  // a refused chunk ends the transaction
  }
  return a;
}

// The one place where the command table is enforced.
Action Protocol::dispatch_checked(const Command& cmd) {
  const CommandSpec* spec = find_command(cmd.verb);
  if (!spec) return error(Reply(500, "5.5.2", "Command not recognized"));
  bool submission = opt_.mode == Mode::submission;
  if ((spec->flags & kSubmissionOnly) && !submission)
    return error(Reply(503, "5.5.1", "Authentication not enabled on this port"));
  if (!(spec->states & static_cast<uint8_t>(state_))) {
    if (state_ == State::init) return error(Reply(503, "5.5.1", "Send EHLO/HELO first"));
    switch (cmd.verb) {
      case Verb::mail:
        return error(Reply(503, "5.5.1", "Nested MAIL command"));
      case Verb::rcpt:
      case Verb::data:
      case Verb::bdat:
        if (state_ == State::bdat)  // RFC 3030 2: no DATA (or RCPT) once BDAT began
          return error(Reply(503, "5.5.1", std::string(verb_name(cmd.verb)) + " not allowed after BDAT"));
        if (cmd.verb == Verb::bdat && state_ == State::mail) return error(Reply(554, "5.5.1", "No valid recipients"));
        return error(Reply(503, "5.5.1", "Need MAIL command first"));
      default:
        return error(Reply(503, "5.5.1", std::string(verb_name(cmd.verb)) + " not allowed during a mail transaction"));
    }
  }
  if (submission && (spec->flags & kNeedsTls) && !tls_)
    return error(Reply(530, "5.7.0", "Must issue a STARTTLS command first"));
  if (opt_.mode != Mode::mx && (spec->flags & kNeedsAuth) && auth_user_.empty())
    return error(Reply(530, "5.7.0", "Authentication required"));

  switch (cmd.verb) {
    case Verb::ehlo:
    case Verb::helo:
      return ehlo(cmd);
    case Verb::mail:
      return mail(cmd);
    case Verb::rcpt:
      return rcpt(cmd);
    case Verb::data:
      if (state_ != State::rcpt) return error(Reply(554, "5.5.1", "No valid recipients"));
      return Action{ActionKind::data, Reply(354, "", "End data with <CR><LF>.<CR><LF>")};
    case Verb::bdat: {
      Action a{ActionKind::bdat, Reply(0, "", "")};
      a.chunk_size = cmd.chunk_size;
      a.last = cmd.last;
      a.first_chunk = state_ != State::bdat;
      state_ = State::bdat;
      return a;
    }
    case Verb::rset:
      reset_transaction();
      return reply(Reply(250, "2.0.0", "OK"));
    case Verb::noop:
      return reply(Reply(250, "2.0.0", "OK"));
    case Verb::quit:
      return Action{ActionKind::quit, Reply(221, "2.0.0", opt_.hostname + " closing connection")};
    case Verb::vrfy:  // RFC 5321 3.5.3: 252 reveals nothing about our users
      return reply(Reply(252, "2.0.0", "Cannot VRFY user, but will accept message and attempt delivery"));
    case Verb::expn:
      return error(Reply(502, "5.5.1", "EXPN not supported"));
    case Verb::help:
      return reply(Reply(214, "2.0.0", "Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP STARTTLS AUTH"));
    case Verb::starttls:
      if (opt_.mode == Mode::pickup) return error(Reply(502, "5.5.1", "STARTTLS not available on the local socket"));
      if (tls_) return error(Reply(503, "5.5.1", "TLS already active"));
      if (!opt_.tls_available) return reply(Reply(454, "4.7.0", "TLS not available"));
      return Action{ActionKind::starttls, Reply(220, "2.0.0", "Ready to start TLS")};
    case Verb::auth:
      return auth(cmd);
    case Verb::unknown:
      break;
  }
  return error(Reply(500, "5.5.2", "Command not recognized"));
}

Action Protocol::ehlo(const Command& cmd) {
  reset_transaction();  // RFC 5321 4.1.4: EHLO resets like RSET
  env_.helo = cmd.arg;
  state_ = State::ready;
  if (cmd.verb == Verb::helo) {
    env_.esmtp = false;
    return reply(Reply(250, "", opt_.hostname));
  }
  env_.esmtp = true;
  Reply r(250, "", opt_.hostname);
  r.lines.push_back("PIPELINING");
  r.lines.push_back("SIZE " + std::to_string(opt_.max_message_size));
  r.lines.push_back("8BITMIME");
  r.lines.push_back("SMTPUTF8");
  r.lines.push_back("ENHANCEDSTATUSCODES");
  r.lines.push_back("CHUNKING");
  if (!tls_ && opt_.tls_available) r.lines.push_back("STARTTLS");
  if (opt_.mode == Mode::submission && tls_ && auth_user_.empty()) r.lines.push_back("AUTH PLAIN LOGIN");
  return reply(std::move(r));
}

Action Protocol::mail(const Command& cmd) {
  Envelope e = env_;
  for (auto& p : cmd.params) {
    if (!env_.esmtp) return error(Reply(555, "5.5.4", "Parameters need EHLO"));
    if (p.keyword == "SIZE") {  // RFC 1870 section 6
      uint64_t n = 0;
      if (!p.value || !parse_size(*p.value, n)) return error(Reply(501, "5.5.4", "Bad SIZE value"));
      if (n > opt_.max_message_size)
        return error(Reply(552, "5.3.4", "Message size exceeds fixed maximum message size"));
      e.declared_size = n;
    } else if (p.keyword == "BODY") {  // RFC 6152
      if (!p.value) return error(Reply(501, "5.5.4", "Bad BODY value"));
      if (util::iequals(*p.value, "8BITMIME"))
        e.body_8bit = true;
      else if (!util::iequals(*p.value, "7BIT"))
        return error(Reply(501, "5.5.4", "Unsupported BODY type"));
    } else if (p.keyword == "SMTPUTF8") {  // RFC 6531 3.4
      if (p.value) return error(Reply(501, "5.5.4", "SMTPUTF8 takes no value"));
      e.smtputf8 = true;
    } else if (p.keyword == "AUTH") {
      // RFC 4954 section 5: accepted and ignored (we do not relay trust).
    } else {
      return error(Reply(555, "5.5.4", "Unsupported parameter " + p.keyword));
    }
  }
  if (cmd.path.postmaster) return error(Reply(501, "5.1.7", "Bad sender address syntax"));
  if (cmd.path.addr.utf8 && !e.smtputf8)  // RFC 6531 3.6.1 / RFC 6533
    return error(Reply(553, "5.6.7", "Non-ASCII address needs SMTPUTF8"));
  Path from = cmd.path;
  if (opt_.mode == Mode::pickup) {
    if (from.null) {  // no sender given: the local user's own address
      from.null = false;
      from.addr = Address{opt_.local_user, opt_.default_domain, false};
    } else if (!opt_.trusted) {
      // The user's own address (or user+tag) at our domains or our hostname.
      bool own = !from.addr.is_literal() && is_local_domain(from.addr.domain) &&
                 lookup_key(from.addr) == util::to_lower(opt_.local_user);
      if (!own) return error(Reply(553, "5.7.1", "Sender address not owned by user " + opt_.local_user));
    }
    e.from = std::move(from);
    env_ = std::move(e);
    state_ = State::mail;
    // The client learns the sender it was given (postern-sendmail's From:).
    return reply(Reply(250, "2.1.0", "Sender <" + env_.from.addr.str() + "> OK"));
  }
  if (opt_.mode == Mode::submission) {
    // The sender must be the authenticated user (or user+tag) at one of our domains.
    bool own = !cmd.path.null && !cmd.path.addr.is_literal() && opt_.is_our_domain &&
               opt_.is_our_domain(util::to_lower(cmd.path.addr.domain)) &&
               lookup_key(cmd.path.addr) == util::to_lower(auth_user_);
    if (!own) return error(Reply(553, "5.7.1", "Sender address not owned by user " + auth_user_));
  }
  e.from = cmd.path;
  env_ = std::move(e);
  state_ = State::mail;
  return reply(Reply(250, "2.1.0", "Sender OK"));
}

Action Protocol::rcpt(const Command& cmd) {
  if (!cmd.params.empty()) return error(Reply(555, "5.5.4", "Unsupported parameter " + cmd.params[0].keyword));
  if (cmd.path.addr.utf8 && !env_.smtputf8) return error(Reply(553, "5.6.7", "Non-ASCII address needs SMTPUTF8"));
  if (static_cast<int>(env_.rcpts.size()) >= opt_.max_recipients)  // RFC 5321 4.5.3.1.10
    return reply(Reply(452, "4.5.3", "Too many recipients"));
  Recipient r;
  std::string key;
  if (cmd.path.postmaster) {
    r.address = "postmaster";
    key = "postmaster";
  } else {
    bool ours = !cmd.path.addr.is_literal() && is_local_domain(cmd.path.addr.domain);
    if (!ours) {
      if (opt_.mode != Mode::mx)  // no outbound queue yet: say so instead of pretending
        return reply(Reply(554, "5.3.3", "Remote delivery not available yet"));
      return error(Reply(550, "5.7.1", "Relaying denied"));  // RFC 5321 3.6.2: never an open relay
    }
    r.address = cmd.path.addr.str();
    key = lookup_key(cmd.path.addr);
  }
  pending_ = std::move(r);
  Action a{ActionKind::lookup};
  a.lookup_key = std::move(key);
  return a;
}

Action Protocol::on_lookup_result(const std::optional<std::string>& user, bool temp_error) {
  if (!pending_) return error(Reply(503, "5.5.1", "No recipient pending"));
  Recipient r = std::move(*pending_);
  pending_.reset();
  if (temp_error) return reply(Reply(451, "4.3.0", "Temporary lookup failure, try again later"));
  if (!user) return error(Reply(550, "5.1.1", "<" + r.address + ">: Recipient address rejected: User unknown"));
  r.user = *user;
  env_.rcpts.push_back(std::move(r));
  state_ = State::rcpt;
  return reply(Reply(250, "2.1.5", "Recipient OK"));
}

Action Protocol::auth(const Command& cmd) {
  if (!auth_user_.empty()) return error(Reply(503, "5.5.1", "Already authenticated"));
  auto sp = cmd.arg.find(' ');
  std::string mech = util::to_upper(cmd.arg.substr(0, sp));
  if (mech != "PLAIN" && mech != "LOGIN") return error(Reply(504, "5.5.4", "Unrecognized authentication type"));
  Action a{ActionKind::auth};
  a.mechanism = mech;
  if (sp != std::string::npos) {
    std::string init(util::trim(std::string_view(cmd.arg).substr(sp + 1)));
    if (init.find(' ') != std::string::npos) return error(Reply(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]"));
    a.initial = init == "=" ? std::string() : init;  // RFC 4954 4: "=" is an empty initial response
  }
  return a;
}

Action Protocol::on_auth_result(AuthOutcome outcome, const std::string& user) {
  switch (outcome) {
    case AuthOutcome::ok:
      auth_user_ = user;
      return reply(Reply(235, "2.7.0", "Authentication successful"));
    case AuthOutcome::fail:
      return error(Reply(535, "5.7.8", "Authentication credentials invalid"));
    case AuthOutcome::temp:
      return reply(Reply(454, "4.7.0", "Temporary authentication failure"));
    case AuthOutcome::cancelled:
      return error(Reply(501, "5.0.0", "Authentication cancelled"));
    case AuthOutcome::bad_line:
      return error(Reply(500, "5.5.6", "Authentication exchange line is too long"));
  }
  return error(Reply(535, "5.7.8", "Authentication credentials invalid"));
}

}  // namespace postern::smtp
