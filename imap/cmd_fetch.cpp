// FETCH and UID FETCH (RFC 9051 section 6.4.5, 7.5.2; RFC 3501 for the
// RFC822* items; RFC 7162 CHANGEDSINCE/MODSEQ). Body sections are cut from the
// stored message with common/mime; a non-PEEK body fetch sets \Seen on a
// read-write selection (RFC 9051 section 6.4.5) and reports the new FLAGS.
// Trust boundary: the message bytes are untrusted and returned as literals,
// never interpreted beyond locating MIME parts.
#include "common/mime/envelope.hpp"
#include "common/mime/message.hpp"
#include "common/util/strings.hpp"
#include "imap/commands.hpp"
#include "imap/response.hpp"

namespace postern::imap {

namespace {

using K = FetchItem::Kind;
constexpr size_t kFlushBytes = 256 * 1024;

// Stored messages should already use CRLF; make sure what we send does.
std::string to_crlf(std::string s) {
  bool bare = false;
  for (size_t i = 0; i < s.size() && !bare; ++i)
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) bare = true;
  if (!bare) return s;
  std::string out;
  out.reserve(s.size() + s.size() / 32);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) out += '\r';
    out += s[i];
  }
  return out;
}

std::string section_name(const Section& s) {
  std::string out;
  for (size_t i = 0; i < s.part.size(); ++i) out += (i ? "." : "") + std::to_string(s.part[i]);
  if (s.kind == SectionKind::full) return out;
  if (!out.empty()) out += '.';
  switch (s.kind) {
    case SectionKind::header: out += "HEADER"; break;
    case SectionKind::text: out += "TEXT"; break;
    case SectionKind::mime: out += "MIME"; break;
    case SectionKind::header_fields: case SectionKind::header_fields_not: {
      out += s.kind == SectionKind::header_fields ? "HEADER.FIELDS (" : "HEADER.FIELDS.NOT (";
      for (size_t i = 0; i < s.fields.size(); ++i) out += (i ? " " : "") + imap_astring(util::to_upper(s.fields[i]));
      out += ')';
      break;
    }
    default: break;
  }
  return out;
}

// The header fields named (or, for .NOT, not named), then the blank line (RFC 9051 section 6.4.5).
std::string filter_header(std::string_view header, const std::vector<std::string>& names, bool keep) {
  std::string out;
  for (const auto& f : mime::parse_header(header)) {
    bool named = false;
    for (auto& n : names) named = named || util::iequals(f.name, n);
    if (named == keep) out += f.raw;
  }
  out += "\r\n";
  return out;
}

// The bytes of BODY[section] (RFC 9051 section 6.4.5).
std::string section_bytes(const Section& s, std::string_view msg, const mime::Part& root) {
  const mime::Part* part = &root;
  std::string_view whole = msg;
  if (!s.part.empty()) {
    part = mime::find_part(root, s.part);
    if (!part) return {};
    if (s.kind == SectionKind::full) return std::string(part->body);
    if (s.kind == SectionKind::mime) return std::string(part->header);
    // HEADER / TEXT / HEADER.FIELDS of a part apply to an encapsulated message.
    if (!part->is_message() || part->children.empty()) return {};
    part = &part->children[0];
  }
  switch (s.kind) {
    case SectionKind::full: return std::string(whole);
    case SectionKind::header: return std::string(part->header);
    case SectionKind::text: return std::string(part->body);
    case SectionKind::header_fields: return filter_header(part->header, s.fields, true);
    case SectionKind::header_fields_not: return filter_header(part->header, s.fields, false);
    case SectionKind::mime: return std::string(part->header);
  }
  return {};
}

std::string cut(const std::string& data, const std::optional<Partial>& p) {
  if (!p) return data;
  if (p->offset >= data.size()) return {};
  return data.substr(p->offset, p->length);
}

bool needs_message(const FetchItem& i) {
  switch (i.kind) {
    case K::body_section: case K::rfc822: case K::rfc822_header: case K::rfc822_text: case K::envelope:
    case K::bodystructure: case K::body: case K::binary: case K::binary_size:
      return true;
    default:
      return false;
  }
}

bool sets_seen(const FetchItem& i) {
  return (i.kind == K::body_section && !i.peek) || i.kind == K::rfc822 || i.kind == K::rfc822_text;
}

}  // namespace

awaitable<Reply> cmd_fetch(SessionContext& ctx, const Command& cmd) {
  const auto& a = cmd.as<FetchArgs>();
  auto& view = *ctx.selected;
  if (a.set.saved) co_return Reply::bad("$ is not supported");
  auto seqs = view.resolve(a.set, cmd.uid);
  if (!seqs) co_return Reply::bad("Invalid message sequence number");

  std::vector<FetchItem> items = a.items;
  bool has_uid = false, has_flags = false, has_modseq = false, need_msg = false, mark_seen = false;
  for (auto& i : items) {
    if (i.kind == K::binary || i.kind == K::binary_size) co_return Reply::bad("BINARY is not supported");
    has_uid = has_uid || i.kind == K::uid;
    has_flags = has_flags || i.kind == K::flags;
    has_modseq = has_modseq || i.kind == K::modseq;
    need_msg = need_msg || needs_message(i);
    mark_seen = mark_seen || sets_seen(i);
  }
  if (cmd.uid && !has_uid) items.insert(items.begin(), FetchItem{K::uid});  // RFC 9051 section 6.4.9
  if (a.changedsince && !has_modseq) items.push_back(FetchItem{K::modseq});  // RFC 7162 section 3.1.4.1
  if (has_modseq || a.changedsince) ctx.condstore = true;  // RFC 7162 section 3.1: enables CONDSTORE
  if (view.read_only()) mark_seen = false;

  Reply r = Reply::ok(std::string(cmd.uid ? "UID " : "") + "FETCH completed");
  if (a.vanished) {
    // RFC 7162 section 3.2.6: UIDs of the set expunged since CHANGEDSINCE.
    if (!cmd.uid || !ctx.qresync) co_return Reply::bad("VANISHED needs UID FETCH with QRESYNC enabled");
    std::vector<uint32_t> gone;
    for (uint32_t uid : ctx.store->expunged_since(view.name(), *a.changedsince))
      if (a.set.contains(uid, view.max_uid())) gone.push_back(uid);
    if (!gone.empty()) r.untagged += "* VANISHED (EARLIER) " + compact_set(gone) + "\r\n";
  }
  bool some_expunged = false;
  for (uint32_t seq : *seqs) {
    if (view.is_expunged(seq)) {
      some_expunged = true;
      continue;
    }
    store::MessageInfo m = view.at(seq);
    if (a.changedsince && m.modseq <= *a.changedsince) continue;
    std::string raw;
    mime::Part root;
    if (need_msg) {
      try {
        raw = to_crlf(ctx.store->read_message(view.name(), m.uid));
      } catch (const store::MailboxError&) {
        some_expunged = true;
        continue;
      }
      root = mime::parse_message(raw);
    }
    bool flags_changed = false;
    if (mark_seen && !(m.flags & store::kSeen)) {
      auto changed = ctx.store->store_flags(view.name(), {m.uid}, store::FlagOp::add, store::kSeen);
      for (auto& c : changed) {
        view.update(c);
        m = c;
        flags_changed = true;
      }
    }
    std::string line = "* " + std::to_string(seq) + " FETCH (";
    bool first = true;
    auto add = [&](const std::string& s) {
      if (!first) line += ' ';
      line += s;
      first = false;
    };
    for (const auto& i : items) {
      switch (i.kind) {
        case K::uid: add("UID " + std::to_string(m.uid)); break;
        case K::flags: add("FLAGS (" + format_flags(m.flags, m.keywords) + ")"); break;
        case K::internaldate: add("INTERNALDATE " + format_date_time(m.internal_date)); break;
        case K::rfc822_size: add("RFC822.SIZE " + std::to_string(m.size)); break;
        case K::modseq: add("MODSEQ (" + std::to_string(m.modseq) + ")"); break;
        case K::envelope: add("ENVELOPE " + mime::imap_envelope(root.header)); break;
        case K::bodystructure: add("BODYSTRUCTURE " + mime::imap_bodystructure(root, true)); break;
        case K::body: add("BODY " + mime::imap_bodystructure(root, false)); break;
        case K::rfc822: add("RFC822 " + imap_literal(raw)); break;
        case K::rfc822_header: add("RFC822.HEADER " + imap_literal(root.header)); break;
        case K::rfc822_text: add("RFC822.TEXT " + imap_literal(root.body)); break;
        case K::body_section: {
          std::string name = "BODY[" + section_name(i.section) + "]";
          if (i.partial) name += "<" + std::to_string(i.partial->offset) + ">";
          add(name + " " + imap_literal(cut(section_bytes(i.section, raw, root), i.partial)));
          break;
        }
        case K::binary: case K::binary_size: break;
      }
    }
    if (flags_changed && !has_flags) add("FLAGS (" + format_flags(m.flags, m.keywords) + ")");
    // RFC 7162 section 3.2.4: flag changes carry MODSEQ once CONDSTORE is enabled.
    if (flags_changed && ctx.condstore && !has_modseq && !a.changedsince) add("MODSEQ (" + std::to_string(m.modseq) + ")");
    line += ")\r\n";
    r.untagged += line;
    // Stream large results instead of holding a whole mailbox's bodies in memory.
    if (r.untagged.size() >= kFlushBytes) {
      if (!co_await ctx.io.send(r.untagged)) co_return Reply::bad("Connection lost");
      r.untagged.clear();
    }
  }
  if (some_expunged) {
    r.status = Reply::Status::no;
    r.code = "EXPUNGEISSUED";  // RFC 5530
    r.text = "Some messages were expunged by another session";
  }
  co_return r;
}

}  // namespace postern::imap
