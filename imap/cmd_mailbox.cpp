// Mailbox commands: SELECT/EXAMINE, CREATE, DELETE, RENAME, SUBSCRIBE,
// UNSUBSCRIBE, LIST, LSUB, STATUS (RFC 9051 sections 6.3.2-6.3.11, RFC 3501
// 6.3.9 LSUB, RFC 6154 SPECIAL-USE attributes, RFC 5258 LIST-EXTENDED
// selection/return options, RFC 7162 HIGHESTMODSEQ, RFC 7889 APPENDLIMIT).
// Trust boundary: mailbox names come from the client; they are decoded here
// and validated again by the store.
#include <algorithm>
#include <set>

#include "common/util/strings.hpp"
#include "imap/commands.hpp"
#include "imap/mailbox_name.hpp"
#include "imap/mutf7.hpp"
#include "imap/response.hpp"

namespace postern::imap {

namespace {

constexpr std::string_view kSystemFlags = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";

std::optional<std::string> decode_name(const SessionContext& ctx, std::string_view raw) {
  if (raw.empty() || raw.size() > 1024) return std::nullopt;
  return mailbox_from_wire(raw, ctx.utf8_accept);
}

std::string wire_name(const SessionContext& ctx, std::string_view name) {
  return mailbox_to_wire(name, ctx.utf8_accept);
}

}  // namespace

awaitable<Reply> cmd_select(SessionContext& ctx, const Command& cmd) {
  const auto& a = cmd.as<MailboxArgs>();
  bool examine = cmd.spec->id == CommandId::examine;
  Reply r;
  // RFC 9051 section 6.3.2: selecting deselects the current mailbox first (without expunging).
  if (ctx.selected) {
    ctx.selected.reset();
    ctx.state = SessionState::authenticated;
    r.untagged += "* OK [CLOSED] Previous mailbox closed\r\n";
  }
  auto name = decode_name(ctx, a.mailbox);
  if (!name) {
    r.status = Reply::Status::bad;
    r.text = "Invalid mailbox name";
    co_return r;
  }
  auto info = ctx.store->mailbox(*name);
  if (!info) {
    r.status = Reply::Status::no;
    r.code = "NONEXISTENT";
    r.text = "Mailbox does not exist";
    co_return r;
  }
  ctx.store->sync(*name);
  info = ctx.store->mailbox(*name);
  if (!info) co_return Reply::no("Mailbox does not exist", "NONEXISTENT");
  if (a.qresync && !ctx.qresync) co_return Reply::bad("QRESYNC is not enabled");  // RFC 7162 section 3.2.5
  auto msgs = ctx.store->messages(*name);
  if (a.condstore) ctx.condstore = true;

  std::set<std::string> keywords;
  uint32_t first_unseen = 0;
  for (size_t i = 0; i < msgs.size(); ++i) {
    for (auto& k : msgs[i].keywords) keywords.insert(k);
    if (!first_unseen && !(msgs[i].flags & store::kSeen)) first_unseen = static_cast<uint32_t>(i + 1);
  }
  std::string flags(kSystemFlags);
  for (auto& k : keywords) flags += " " + k;
  r.untagged += "* FLAGS (" + flags + ")\r\n";
  if (examine)
    r.untagged += "* OK [PERMANENTFLAGS ()] Read-only mailbox\r\n";
  else
    r.untagged += "* OK [PERMANENTFLAGS (" + flags + " \\*)] Flags permitted\r\n";
  r.untagged += "* " + std::to_string(msgs.size()) + " EXISTS\r\n";
  r.untagged += "* 0 RECENT\r\n";  // \Recent is not tracked (RFC 9051 dropped it)
  if (first_unseen) r.untagged += "* OK [UNSEEN " + std::to_string(first_unseen) + "] First unseen\r\n";
  r.untagged += "* OK [UIDVALIDITY " + std::to_string(info->uidvalidity) + "] UIDs valid\r\n";
  r.untagged += "* OK [UIDNEXT " + std::to_string(info->uidnext) + "] Predicted next UID\r\n";
  r.untagged += "* OK [HIGHESTMODSEQ " + std::to_string(info->highest_modseq) + "] Highest\r\n";
  // QRESYNC (RFC 7162 section 3.2.5.1): what changed since the client's last
  // known MODSEQ, limited to the UIDs it knows when it said which.
  if (a.qresync && a.qresync->uidvalidity == info->uidvalidity) {
    uint32_t top = msgs.empty() ? 0 : msgs.back().uid;
    auto known = [&](uint32_t uid) { return !a.qresync->known_uids || a.qresync->known_uids->contains(uid, top); };
    std::vector<uint32_t> vanished;
    for (uint32_t uid : ctx.store->expunged_since(*name, a.qresync->modseq))
      if (known(uid)) vanished.push_back(uid);
    if (!vanished.empty()) r.untagged += "* VANISHED (EARLIER) " + compact_set(vanished) + "\r\n";
    for (size_t i = 0; i < msgs.size(); ++i) {
      const auto& m = msgs[i];
      if (m.modseq <= a.qresync->modseq || !known(m.uid)) continue;
      r.untagged += "* " + std::to_string(i + 1) + " FETCH (UID " + std::to_string(m.uid) + " FLAGS (" +
                    format_flags(m.flags, m.keywords) + ") MODSEQ (" + std::to_string(m.modseq) + "))\r\n";
    }
  }
  ctx.selected.emplace(*name, examine, *info, std::move(msgs));
  ctx.state = SessionState::selected;
  r.code = examine ? "READ-ONLY" : "READ-WRITE";
  r.text = examine ? "Examine completed" : "Select completed";
  co_return r;
}

awaitable<Reply> cmd_create(SessionContext& ctx, const Command& cmd) {
  auto name = decode_name(ctx, cmd.as<MailboxArgs>().mailbox);
  if (!name) co_return Reply::bad("Invalid mailbox name");
  if (ctx.store->mailbox(*name)) co_return Reply::no("Mailbox already exists", "ALREADYEXISTS");
  try {
    ctx.store->create_mailbox(*name);
  } catch (const store::MailboxError& e) {
    co_return Reply::no(e.what(), "CANNOT");
  }
  co_return Reply::ok("Create completed");
}

awaitable<Reply> cmd_delete(SessionContext& ctx, const Command& cmd) {
  auto name = decode_name(ctx, cmd.as<MailboxArgs>().mailbox);
  if (!name) co_return Reply::bad("Invalid mailbox name");
  if (*name == "INBOX") co_return Reply::no("INBOX cannot be deleted", "CANNOT");  // RFC 9051 section 6.3.4
  if (!ctx.store->mailbox(*name)) co_return Reply::no("Mailbox does not exist", "NONEXISTENT");
  if (ctx.selected && ctx.selected->name() == *name)
    co_return Reply::no("Mailbox is selected; close it first", "INUSE");
  try {
    ctx.store->delete_mailbox(*name);
  } catch (const store::MailboxError& e) {
    co_return Reply::no(e.what(), "CANNOT");
  }
  co_return Reply::ok("Delete completed");
}

awaitable<Reply> cmd_rename(SessionContext& ctx, const Command& cmd) {
  const auto& a = cmd.as<RenameArgs>();
  auto from = decode_name(ctx, a.from);
  auto to = decode_name(ctx, a.to);
  if (!from || !to) co_return Reply::bad("Invalid mailbox name");
  if (!ctx.store->mailbox(*from)) co_return Reply::no("Mailbox does not exist", "NONEXISTENT");
  if (ctx.store->mailbox(*to)) co_return Reply::no("Mailbox already exists", "ALREADYEXISTS");
  if (ctx.selected && ctx.selected->name() == *from)
    co_return Reply::no("Mailbox is selected; close it first", "INUSE");
  try {
    ctx.store->rename_mailbox(*from, *to);  // RFC 9051 section 6.3.6 (inferiors move too; INBOX special)
  } catch (const store::MailboxError& e) {
    co_return Reply::no(e.what(), "CANNOT");
  }
  co_return Reply::ok("Rename completed");
}

awaitable<Reply> cmd_subscribe(SessionContext& ctx, const Command& cmd) {
  auto name = decode_name(ctx, cmd.as<MailboxArgs>().mailbox);
  if (!name) co_return Reply::bad("Invalid mailbox name");
  bool subscribe = cmd.spec->id == CommandId::subscribe;
  if (!ctx.store->mailbox(*name)) co_return Reply::no("Mailbox does not exist", "NONEXISTENT");
  ctx.store->set_subscribed(*name, subscribe);
  co_return Reply::ok(subscribe ? "Subscribe completed" : "Unsubscribe completed");
}

awaitable<Reply> cmd_list(SessionContext& ctx, const Command& cmd) {
  const auto& a = cmd.as<ListArgs>();
  bool lsub = cmd.spec->id == CommandId::lsub;
  const char* kind = lsub ? "LSUB" : "LIST";
  Reply r = Reply::ok(std::string(kind) + " completed");
  // RFC 9051 section 6.3.9: an empty pattern asks for the delimiter and root.
  if (a.patterns.size() == 1 && a.patterns[0].empty()) {
    r.untagged = std::string("* ") + kind + " (\\Noselect) \"/\" \"\"\r\n";
    co_return r;
  }
  auto boxes = ctx.store->list_mailboxes();
  // INBOX first, then by name: a stable order whatever the store's.
  std::sort(boxes.begin(), boxes.end(), [](const store::MailboxInfo& x, const store::MailboxInfo& y) {
    return std::make_pair(x.name != "INBOX", x.name) < std::make_pair(y.name != "INBOX", y.name);
  });
  // Names the client sees, and the parents implied by "a/b" when "a" does not exist.
  std::set<std::string> names;
  for (auto& b : boxes) names.insert(b.name);
  std::vector<std::string> implied;
  for (auto& b : boxes)
    for (size_t p = b.name.find(kDelimiter); p != std::string::npos; p = b.name.find(kDelimiter, p + 1)) {
      std::string parent = b.name.substr(0, p);
      if (!names.count(parent) && std::find(implied.begin(), implied.end(), parent) == implied.end())
        implied.push_back(parent);
    }
  auto has_children = [&](const std::string& n) {
    std::string prefix = n + kDelimiter;
    auto it = names.lower_bound(prefix);
    return it != names.end() && it->compare(0, prefix.size(), prefix) == 0;
  };
  auto matches = [&](const std::string& wire) {
    for (auto& p : a.patterns) {
      std::string pattern = a.reference + p;
      if (list_match(wire, pattern)) return true;
    }
    return false;
  };
  // RFC 5258 section 3.5: RECURSIVEMATCH only refines another selection option.
  if (a.recursive_match && !a.subscribed_only && !a.special_use_only)
    co_return Reply::bad("RECURSIVEMATCH needs another selection option");
  std::set<std::string> subscribed;
  for (auto& b : boxes)
    if (b.subscribed) subscribed.insert(b.name);
  auto has_subscribed_child = [&](const std::string& n) {
    std::string prefix = n + kDelimiter;
    auto it = subscribed.lower_bound(prefix);
    return it != subscribed.end() && it->compare(0, prefix.size(), prefix) == 0;
  };
  for (auto& b : boxes) {
    std::string wire = ctx.utf8_accept ? b.name : mutf7_encode(b.name);
    if (!matches(wire)) continue;
    // RECURSIVEMATCH (RFC 5258 section 3.5): a parent whose children match
    // the selection is listed too, with CHILDINFO.
    bool childinfo = a.recursive_match && a.subscribed_only && has_subscribed_child(b.name);
    if (a.subscribed_only && !b.subscribed && !childinfo) continue;
    if (a.special_use_only && b.special_use.empty()) continue;
    std::vector<std::string> attrs;
    if (!lsub) attrs.push_back(has_children(b.name) ? "\\HasChildren" : "\\HasNoChildren");
    if (a.return_subscribed && b.subscribed) attrs.push_back("\\Subscribed");
    if (!b.special_use.empty() && !lsub) attrs.push_back(b.special_use);  // RFC 6154 section 2
    std::string line = std::string("* ") + kind + " (";
    for (size_t i = 0; i < attrs.size(); ++i) line += (i ? " " : "") + attrs[i];
    line += ") \"/\" " + wire_name(ctx, b.name);
    if (childinfo) line += " (\"CHILDINFO\" (\"SUBSCRIBED\"))";
    r.untagged += line + "\r\n";
    if (!a.return_status.empty() && !lsub) {  // RFC 5819 LIST-STATUS
      std::string st;
      for (auto& item : a.return_status) {
        if (!st.empty()) st += ' ';
        if (item == "MESSAGES") st += "MESSAGES " + std::to_string(b.exists);
        else if (item == "UIDNEXT") st += "UIDNEXT " + std::to_string(b.uidnext);
        else if (item == "UIDVALIDITY") st += "UIDVALIDITY " + std::to_string(b.uidvalidity);
        else if (item == "UNSEEN") st += "UNSEEN " + std::to_string(b.unseen);
        else if (item == "HIGHESTMODSEQ") st += "HIGHESTMODSEQ " + std::to_string(b.highest_modseq);
        else if (item == "RECENT") st += "RECENT 0";
        else st.pop_back();
      }
      r.untagged += "* STATUS " + wire_name(ctx, b.name) + " (" + st + ")\r\n";
    }
  }
  // Parents implied by deeper names: \Noselect, or \NonExistent under
  // LIST-EXTENDED (RFC 5258 section 3.4).
  for (auto& n : implied) {
    std::string wire = ctx.utf8_accept ? n : mutf7_encode(n);
    if (!matches(wire)) continue;
    bool childinfo = a.recursive_match && a.subscribed_only && has_subscribed_child(n);
    if ((a.subscribed_only && !childinfo) || a.special_use_only) continue;
    std::string attrs = lsub ? "\\Noselect" : a.extended ? "\\NonExistent \\HasChildren" : "\\Noselect \\HasChildren";
    r.untagged += std::string("* ") + kind + " (" + attrs + ") \"/\" " + wire_name(ctx, n) +
                  (childinfo ? " (\"CHILDINFO\" (\"SUBSCRIBED\"))" : "") + "\r\n";
  }
  co_return r;
}

awaitable<Reply> cmd_status(SessionContext& ctx, const Command& cmd) {
  const auto& a = cmd.as<StatusArgs>();
  auto name = decode_name(ctx, a.mailbox);
  if (!name) co_return Reply::bad("Invalid mailbox name");
  auto info = ctx.store->mailbox(*name);
  if (!info) co_return Reply::no("Mailbox does not exist", "NONEXISTENT");
  std::optional<std::vector<store::MessageInfo>> msgs;  // only read when an item needs it
  auto all = [&]() -> const std::vector<store::MessageInfo>& {
    if (!msgs) msgs = ctx.store->messages(*name);
    return *msgs;
  };
  std::string out;
  for (auto& item : a.items) {
    if (!out.empty()) out += ' ';
    out += item + " ";
    if (item == "MESSAGES") {
      out += std::to_string(info->exists);
    } else if (item == "UIDNEXT") {
      out += std::to_string(info->uidnext);
    } else if (item == "UIDVALIDITY") {
      out += std::to_string(info->uidvalidity);
    } else if (item == "UNSEEN") {
      out += std::to_string(info->unseen);
    } else if (item == "RECENT") {
      out += "0";
    } else if (item == "HIGHESTMODSEQ") {
      out += std::to_string(info->highest_modseq);
    } else if (item == "APPENDLIMIT") {  // RFC 7889
      out += std::to_string(ctx.cfg.imap.max_literal);
    } else if (item == "DELETED") {  // RFC 9051
      uint64_t n = 0;
      for (auto& m : all()) n += (m.flags & store::kDeleted) ? 1 : 0;
      out += std::to_string(n);
    } else if (item == "SIZE") {  // RFC 8438
      uint64_t n = 0;
      for (auto& m : all()) n += m.size;
      out += std::to_string(n);
    }
  }
  Reply r = Reply::ok("Status completed");
  r.untagged = "* STATUS " + wire_name(ctx, *name) + " (" + out + ")\r\n";
  co_return r;
}

}  // namespace postern::imap
