// The one dispatcher: enforces the command table (imap/command_table.cpp)
// before any handler runs -- the session state (RFC 9051 section 3), the
// plaintext-authentication policy (RFC 9051 section 11.1; PRIVACYREQUIRED
// is RFC 5530) -- maps store errors to NO responses, and appends the
// mailbox updates the client is owed at the end of a command (RFC 9051
// section 7.5.1: no EXPUNGE during FETCH/STORE/SEARCH by sequence number).
#include "common/log/log.hpp"
#include "imap/commands.hpp"

namespace postern::imap {

std::string Reply::tagged(std::string_view tag) const {
  std::string out(tag);
  out += status == Status::ok ? " OK " : status == Status::no ? " NO " : " BAD ";
  if (!code.empty()) out += "[" + code + "] ";
  out += text.empty() ? std::string("Completed") : text;
  out += "\r\n";
  return out;
}

std::string capabilities(const SessionContext& ctx) {
  std::string caps = "IMAP4rev1 SASL-IR LITERAL+ ID ENABLE IDLE";
  if (ctx.state == SessionState::not_authenticated) {
    if (!ctx.tls && ctx.tls_available) caps += " STARTTLS";
    caps += ctx.plaintext_auth_allowed() ? " AUTH=PLAIN" : " LOGINDISABLED";
  } else {
    caps += " NAMESPACE UNSELECT UIDPLUS MOVE CHILDREN SPECIAL-USE LIST-EXTENDED LIST-STATUS ESEARCH CONDSTORE QRESYNC STATUS=SIZE APPENDLIMIT=" +
            std::to_string(ctx.cfg.imap.max_literal);
  }
  return caps;
}

std::string mailbox_updates(SessionContext& ctx, bool allow_expunge) {
  if (!ctx.selected || !ctx.store) return {};
  auto info = ctx.store->mailbox(ctx.selected->name());
  if (!info) return {};
  if (ctx.selected->unchanged(*info)) return {};
  auto msgs = ctx.store->messages(ctx.selected->name());
  std::string out = ctx.selected->sync(msgs, allow_expunge, ctx.condstore, ctx.qresync);
  ctx.selected->remember(*info);
  return out;
}

namespace {

awaitable<Reply> run_handler(SessionContext& ctx, const Command& cmd) {
  switch (cmd.spec->id) {
    case CommandId::capability: return cmd_capability(ctx, cmd);
    case CommandId::noop: case CommandId::check: return cmd_noop(ctx, cmd);
    case CommandId::logout: return cmd_logout(ctx, cmd);
    case CommandId::starttls: return cmd_starttls(ctx, cmd);
    case CommandId::login: return cmd_login(ctx, cmd);
    case CommandId::authenticate: return cmd_authenticate(ctx, cmd);
    case CommandId::enable: return cmd_enable(ctx, cmd);
    case CommandId::id: return cmd_id(ctx, cmd);
    case CommandId::namespace_: return cmd_namespace(ctx, cmd);
    case CommandId::idle: return cmd_idle(ctx, cmd);
    case CommandId::select: case CommandId::examine: return cmd_select(ctx, cmd);
    case CommandId::create: return cmd_create(ctx, cmd);
    case CommandId::delete_: return cmd_delete(ctx, cmd);
    case CommandId::rename: return cmd_rename(ctx, cmd);
    case CommandId::subscribe: case CommandId::unsubscribe: return cmd_subscribe(ctx, cmd);
    case CommandId::list: case CommandId::lsub: return cmd_list(ctx, cmd);
    case CommandId::status: return cmd_status(ctx, cmd);
    case CommandId::append: return cmd_append(ctx, cmd);
    case CommandId::close: case CommandId::unselect: return cmd_close(ctx, cmd);
    case CommandId::expunge: return cmd_expunge(ctx, cmd);
    case CommandId::search: return cmd_search(ctx, cmd);
    case CommandId::fetch: return cmd_fetch(ctx, cmd);
    case CommandId::store: return cmd_store(ctx, cmd);
    case CommandId::copy: case CommandId::move: return cmd_copy(ctx, cmd);
  }
  return cmd_noop(ctx, cmd);
}

}  // namespace

awaitable<Reply> dispatch(SessionContext& ctx, const Command& cmd) {
  const CommandSpec& spec = *cmd.spec;
  if (!(spec.states & state_bit(ctx.state))) {
    if (ctx.state == SessionState::not_authenticated)
      co_return Reply::bad("Command " + std::string(spec.name) + " requires authentication");
    if (spec.states == kNotAuth) co_return Reply::bad("Already authenticated");
    if (spec.states == kSelected) co_return Reply::bad("No mailbox selected");
    co_return Reply::bad("Command not valid in this state");
  }
  if ((spec.flags & kPlaintextAuth) && !ctx.plaintext_auth_allowed())
    co_return Reply::no("Plaintext authentication is disabled; use STARTTLS or port 993", "PRIVACYREQUIRED");

  Reply reply;
  try {
    reply = co_await run_handler(ctx, cmd);
  } catch (const store::MailboxError& e) {
    reply = Reply::no(e.what(), "NONEXISTENT");
  } catch (const store::StoreError& e) {
    log::error("{} user={} store error in {}: {}", ctx.conn_id, ctx.user, spec.name, e.what());
    reply = Reply::no("Internal error in the mail store", "SERVERBUG");
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    log::error("{} user={} error in {}: {}", ctx.conn_id, ctx.user, spec.name, e.what());
    reply = Reply::no("Internal error", "SERVERBUG");
  }

  // Updates owed to the client (RFC 9051 section 7): never mid-FETCH/STORE/SEARCH by sequence number.
  if (ctx.state == SessionState::selected && ctx.selected && reply.after == Reply::After::none &&
      spec.id != CommandId::idle) {
    bool allow_expunge = !(spec.flags & kUsesSeqNumbers) || cmd.uid;
    try {
      reply.untagged += mailbox_updates(ctx, allow_expunge);
    } catch (const std::exception& e) {
      log::warn("{} user={} could not refresh {}: {}", ctx.conn_id, ctx.user, ctx.selected->name(), e.what());
    }
  }
  co_return reply;
}

}  // namespace postern::imap
