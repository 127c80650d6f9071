// Any-state and not-authenticated commands: CAPABILITY, NOOP/CHECK, LOGOUT,
// STARTTLS, LOGIN, AUTHENTICATE PLAIN (RFC 9051 sections 6.1, 6.2; SASL-IR
// RFC 4959; response codes RFC 5530).
// Trust boundary: credentials come from the network and are only forwarded
// to authd (never logged); the user name authd returns is trusted.
#include "common/log/log.hpp"
#include "common/util/strings.hpp"
#include "imap/commands.hpp"

namespace postern::imap {

namespace {

constexpr int kMaxAuthFailures = 5;
constexpr int kMaxSaslRounds = 8;

authclient::ClientInfo client_info(const SessionContext& ctx) {
  return authclient::ClientInfo{"imap", ctx.remote_ip, ctx.tls || ctx.loopback};
}

// The outcome of authd's answer: on ok, the session becomes authenticated
// with the user's store open.
Reply finish_auth(SessionContext& ctx, const authclient::AuthResult& r, std::string_view how) {
  using S = authclient::AuthResult::Status;
  if (r.status == S::ok) {
    try {
      ctx.store = ctx.open_store(r.user);
    } catch (const std::exception& e) {
      log::error("{} user={} cannot open store: {}", ctx.conn_id, r.user, e.what());
      return Reply::no("Mail store unavailable", "UNAVAILABLE");
    }
    ctx.user = r.user;
    ctx.state = SessionState::authenticated;
    log::info("{} login user={} method={} tls={}", ctx.conn_id, r.user, how, ctx.tls);
    return Reply::ok("Logged in", "CAPABILITY " + capabilities(ctx));
  }
  if (r.status == S::temp) {
    log::warn("{} auth temporary failure: {}", ctx.conn_id, r.reason);
    return Reply::no("Temporary authentication failure", "UNAVAILABLE");
  }
  ++ctx.auth_failures;
  log::info("{} auth failed method={} ip={}: {}", ctx.conn_id, how, ctx.remote_ip, r.reason);
  Reply reply = Reply::no("Authentication failed", "AUTHENTICATIONFAILED");
  if (ctx.auth_failures >= kMaxAuthFailures) {
    reply.untagged = "* BYE Too many authentication failures\r\n";
    reply.after = Reply::After::logout;
  }
  return reply;
}

bool valid_base64(std::string_view s) { return s.empty() || util::base64_decode(s).has_value(); }

}  // namespace

awaitable<Reply> cmd_capability(SessionContext& ctx, const Command&) {
  Reply r = Reply::ok("Capability completed");
  r.untagged = "* CAPABILITY " + capabilities(ctx) + "\r\n";
  co_return r;
}

awaitable<Reply> cmd_noop(SessionContext& ctx, const Command& cmd) {
  // Pick up files other Maildir tools dropped in; the dispatcher then reports changes.
  if (ctx.selected && ctx.store) ctx.store->sync(ctx.selected->name());
  co_return Reply::ok(std::string(cmd.spec->name) + " completed");
}

awaitable<Reply> cmd_logout(SessionContext& ctx, const Command&) {
  Reply r = Reply::ok("Logout completed");
  r.untagged = "* BYE Logging out\r\n";
  r.after = Reply::After::logout;
  ctx.state = SessionState::logout;
  co_return r;
}

awaitable<Reply> cmd_starttls(SessionContext& ctx, const Command&) {
  if (ctx.tls) co_return Reply::bad("TLS is already active");
  if (!ctx.tls_available) co_return Reply::no("TLS is not available", "UNAVAILABLE");
  Reply r = Reply::ok("Begin TLS negotiation now");
  r.after = Reply::After::starttls;
  co_return r;
}

awaitable<Reply> cmd_login(SessionContext& ctx, const Command& cmd) {
  const auto& a = cmd.as<LoginArgs>();
  if (!ctx.auth) co_return Reply::no("Authentication service unavailable", "UNAVAILABLE");
  if (a.user.empty() || a.user.size() > 256 || a.password.size() > 1024)
    co_return Reply::no("Authentication failed", "AUTHENTICATIONFAILED");
  auto r = co_await ctx.auth->login(client_info(ctx), a.user, a.password);
  co_return finish_auth(ctx, r, "LOGIN");
}

awaitable<Reply> cmd_authenticate(SessionContext& ctx, const Command& cmd) {
  const auto& a = cmd.as<AuthenticateArgs>();
  if (a.mechanism != "PLAIN") co_return Reply::no("Unsupported authentication mechanism", "CANNOT");
  if (!ctx.auth) co_return Reply::no("Authentication service unavailable", "UNAVAILABLE");
  std::string initial;
  if (a.initial) {
    initial = *a.initial == "=" ? std::string() : *a.initial;  // RFC 4959: "=" is an empty response
  } else {
    // RFC 9051 section 6.2.2: an empty challenge, then the client's response line.
    if (!co_await ctx.io.send("+ \r\n")) co_return Reply::bad("Connection lost");
    auto line = co_await ctx.io.read_line();
    if (!line) co_return Reply::bad("Authentication aborted");
    if (*line == "*") co_return Reply::bad("Authentication cancelled");
    initial = *line;
  }
  if (!valid_base64(initial)) co_return Reply::bad("Invalid base64 in authentication response");
  auto ex = ctx.auth->sasl(client_info(ctx));
  auto r = co_await ex->start("PLAIN", initial);
  for (int round = 0; r.status == authclient::AuthResult::Status::challenge; ++round) {
    if (round >= kMaxSaslRounds) co_return Reply::no("Authentication failed", "AUTHENTICATIONFAILED");
    if (!co_await ctx.io.send("+ " + r.challenge + "\r\n")) co_return Reply::bad("Connection lost");
    auto line = co_await ctx.io.read_line();
    if (!line) co_return Reply::bad("Authentication aborted");
    if (*line == "*") co_return Reply::bad("Authentication cancelled");
    if (!valid_base64(*line)) co_return Reply::bad("Invalid base64 in authentication response");
    r = co_await ex->respond(*line);
  }
  co_return finish_auth(ctx, r, "AUTHENTICATE PLAIN");
}

}  // namespace postern::imap
