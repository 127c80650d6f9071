// APPEND (RFC 9051 section 6.3.12) with flags and internal date, APPENDUID
// (RFC 4315 section 3), TRYCREATE, and APPENDLIMIT (RFC 7889: the literal
// size limit is imap.max_literal; larger literals are refused before they
// are read, see session.cpp).
// Trust boundary: the message is untrusted bytes, stored as-is.
#include "imap/commands.hpp"
#include "imap/mailbox_name.hpp"

namespace postern::imap {

awaitable<Reply> cmd_append(SessionContext& ctx, const Command& cmd) {
  const auto& a = cmd.as<AppendArgs>();
  auto name = mailbox_from_wire(a.mailbox, ctx.utf8_accept);
  if (!name) co_return Reply::bad("Invalid mailbox name");
  auto info = ctx.store->mailbox(*name);
  if (!info) co_return Reply::no("Mailbox does not exist", "TRYCREATE");
  if (a.message.size() > ctx.cfg.imap.max_literal) co_return Reply::no("Message too large", "TOOBIG");
  if (a.message.empty()) co_return Reply::no("Empty message");
  uint32_t uid = ctx.store->deliver(*name, a.message, a.flags.system, a.date.value_or(0), a.flags.keywords);
  co_return Reply::ok("Append completed",
                      "APPENDUID " + std::to_string(info->uidvalidity) + " " + std::to_string(uid));
}

}  // namespace postern::imap
