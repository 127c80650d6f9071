// Commands that change the selected mailbox: STORE / UID STORE (RFC 9051
// section 6.4.6, RFC 7162 UNCHANGEDSINCE), CLOSE (6.4.1, expunges silently),
// UNSELECT (RFC 3691), EXPUNGE / UID EXPUNGE (6.4.3, RFC 4315), COPY / MOVE
// and their UID forms (6.4.7, RFC 6851, COPYUID of RFC 4315).
// Trust boundary: message sets and flags come from the client; the view
// bounds them to messages that exist.
#include <set>

#include "common/log/log.hpp"
#include "imap/commands.hpp"
#include "imap/mailbox_name.hpp"
#include "imap/response.hpp"

namespace postern::imap {

namespace {
store::FlagOp to_store_op(StoreArgs::Op op) {
  switch (op) {
    case StoreArgs::Op::add: return store::FlagOp::add;
    case StoreArgs::Op::remove: return store::FlagOp::remove;
    default: return store::FlagOp::set;
  }
}
}  // namespace

awaitable<Reply> cmd_store(SessionContext& ctx, const Command& cmd) {
  const auto& a = cmd.as<StoreArgs>();
  auto& view = *ctx.selected;
  if (a.set.saved) co_return Reply::bad("$ is not supported");
  auto seqs = view.resolve(a.set, cmd.uid);
  if (!seqs) co_return Reply::bad("Invalid message sequence number");
  if (view.read_only()) co_return Reply::no("Mailbox is read-only", "READ-ONLY");
  if (a.unchangedsince) ctx.condstore = true;  // RFC 7162 section 3.1

  std::vector<uint32_t> uids, modified;
  for (uint32_t seq : *seqs) {
    if (view.is_expunged(seq)) continue;
    const auto& m = view.at(seq);
    if (a.unchangedsince && m.modseq > *a.unchangedsince) {
      modified.push_back(cmd.uid ? m.uid : seq);
      continue;
    }
    uids.push_back(m.uid);
  }
  std::set<uint32_t> changed_uids;
  if (!uids.empty()) {
    auto changed = ctx.store->store_flags(view.name(), uids, to_store_op(a.op), a.flags.system, a.flags.keywords);
    for (auto& c : changed) {
      view.update(c);
      changed_uids.insert(c.uid);
    }
  }
  Reply r = Reply::ok(std::string(cmd.uid ? "UID " : "") + "STORE completed");
  // RFC 9051 section 6.4.6: the new flags of each message, with UID for UID
  // STORE. With CONDSTORE enabled, .SILENT still reports the new MODSEQ of
  // each changed message (RFC 7162 section 3.1.3).
  if (!a.silent || ctx.condstore) {
    for (uint32_t uid : uids) {
      auto seq = view.seq_of_uid(uid);
      if (!seq) continue;
      const auto& m = view.at(*seq);
      if (a.silent && !changed_uids.count(uid)) continue;
      std::string items;
      if (cmd.uid || ctx.qresync) items += "UID " + std::to_string(uid);  // RFC 7162 section 3.2.4
      if (ctx.condstore) items += (items.empty() ? "" : " ") + std::string("MODSEQ (") + std::to_string(m.modseq) + ")";
      if (!a.silent) items += (items.empty() ? "" : " ") + std::string("FLAGS (") + format_flags(m.flags, m.keywords) + ")";
      r.untagged += "* " + std::to_string(*seq) + " FETCH (" + items + ")\r\n";
    }
  }
  if (!modified.empty()) {
    r.code = "MODIFIED " + compact_set(modified);  // RFC 7162 section 3.1.3
    r.text = "Some messages were modified since";
  }
  co_return r;
}

awaitable<Reply> cmd_close(SessionContext& ctx, const Command& cmd) {
  // CLOSE expunges \Deleted messages silently (no EXPUNGE responses); UNSELECT does not.
  if (cmd.spec->id == CommandId::close && !ctx.selected->read_only()) ctx.store->expunge(ctx.selected->name());
  ctx.selected.reset();
  ctx.state = SessionState::authenticated;
  co_return Reply::ok(std::string(cmd.spec->name) + " completed");
}

awaitable<Reply> cmd_expunge(SessionContext& ctx, const Command& cmd) {
  auto& view = *ctx.selected;
  if (view.read_only()) co_return Reply::no("Mailbox is read-only", "READ-ONLY");
  std::optional<std::vector<uint32_t>> only;
  const auto& a = cmd.as<ExpungeArgs>();
  if (a.uids) {  // UID EXPUNGE (RFC 4315 section 2.1): only these UIDs
    if (a.uids->saved) co_return Reply::bad("$ is not supported");
    auto seqs = view.resolve(*a.uids, true);
    only.emplace();
    for (uint32_t s : *seqs) only->push_back(view.at(s).uid);
    if (only->empty()) co_return Reply::ok("UID EXPUNGE completed");
  }
  ctx.store->expunge(view.name(), only);
  // The EXPUNGE responses follow from the dispatcher's mailbox update.
  co_return Reply::ok(std::string(cmd.uid ? "UID " : "") + "EXPUNGE completed");
}

awaitable<Reply> cmd_copy(SessionContext& ctx, const Command& cmd) {
  const auto& a = cmd.as<CopyArgs>();
  bool move = cmd.spec->id == CommandId::move;
  auto& view = *ctx.selected;
  if (a.set.saved) co_return Reply::bad("$ is not supported");
  auto seqs = view.resolve(a.set, cmd.uid);
  if (!seqs) co_return Reply::bad("Invalid message sequence number");
  if (move && view.read_only()) co_return Reply::no("Mailbox is read-only", "READ-ONLY");
  auto dest = mailbox_from_wire(a.mailbox, ctx.utf8_accept);
  if (!dest) co_return Reply::bad("Invalid mailbox name");
  auto info = ctx.store->mailbox(*dest);
  if (!info) co_return Reply::no("Mailbox does not exist", "TRYCREATE");

  std::vector<uint32_t> uids;
  for (uint32_t seq : *seqs)
    if (!view.is_expunged(seq)) uids.push_back(view.at(seq).uid);
  auto res = move ? ctx.store->move_messages(view.name(), uids, *dest)
                  : ctx.store->copy_messages(view.name(), uids, *dest);
  const auto& src = res.source_uids;
  const auto& dst = res.dest_uids;
  Reply r = Reply::ok(std::string(cmd.uid ? "UID " : "") + (move ? "MOVE" : "COPY") + " completed");
  if (src.empty()) co_return r;
  // RFC 4315 section 3: both sets in the same order (ascending source UIDs get ascending new UIDs).
  std::string copyuid =
      "COPYUID " + std::to_string(res.dest_uidvalidity) + " " + compact_set(src) + " " + compact_set(dst);
  if (!move) {
    r.code = copyuid;
    co_return r;
  }
  // RFC 6851 section 4.3: COPYUID in an untagged OK before the EXPUNGE responses
  // (which the dispatcher's mailbox update sends).
  r.untagged = "* OK [" + copyuid + "] Moved\r\n";
  co_return r;
}

}  // namespace postern::imap
