// SEARCH / UID SEARCH (RFC 9051 section 6.4.4, RFC 3501 SEARCH response,
// RFC 4731 ESEARCH for RETURN options, RFC 7162 MODSEQ criterion).
// Flag, size, UID and internal-date criteria read the index; header and
// text criteria read the message (a first version: the index's cached
// headers and FTS5 table will serve these later).
// Trust boundary: criteria come from the client; evaluation is bounded by
// the parser's key limits and the mailbox size.
#include <algorithm>
#include <cctype>

#include "common/mime/message.hpp"
#include "common/util/strings.hpp"
#include "imap/commands.hpp"
#include "imap/parser.hpp"
#include "imap/response.hpp"

namespace postern::imap {

namespace {

using K = SearchKey::Kind;

bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != hay.end();
}

bool needs_text(const SearchKey& k) {
  switch (k.kind) {
    case K::header: case K::body: case K::text: case K::bcc: case K::cc: case K::from: case K::to:
    case K::subject: case K::sentbefore: case K::senton: case K::sentsince:
      return true;
    default:
      for (auto& c : k.children)
        if (needs_text(c)) return true;
      return false;
  }
}

bool uses_saved(const SearchKey& k) {
  if ((k.kind == K::seqset || k.kind == K::uid) && k.set.saved) return true;
  for (auto& c : k.children)
    if (uses_saved(c)) return true;
  return false;
}

bool uses_modseq(const SearchKey& k) {
  if (k.kind == K::modseq) return true;
  for (auto& c : k.children)
    if (uses_modseq(c)) return true;
  return false;
}

// The day (days since 1970) of an RFC 5322 Date header ("Tue, 1 Jul 2003 10:52:37 +0200"),
// disregarding time and timezone as RFC 9051 section 6.4.4 says for SENT* keys.
std::optional<int64_t> header_day(std::string_view date) {
  auto parts = util::split(date, ' ');
  std::vector<std::string_view> t;
  for (auto p : parts)
    if (!util::trim(p).empty()) t.push_back(util::trim(p));
  for (size_t i = 0; i + 2 < t.size(); ++i) {
    auto d = parse_date(std::string(t[i]) + "-" + std::string(t[i + 1]) + "-" + std::string(t[i + 2]));
    if (d) return *d / 86400;
  }
  return std::nullopt;
}

struct Candidate {
  uint32_t seq;
  const store::MessageInfo& m;
  uint32_t exists, max_uid;
  std::string_view raw;    // empty unless needed
  std::string_view header; // of the message
  std::string_view body;
};

int64_t day_of(int64_t t) { return t >= 0 ? t / 86400 : (t - 86399) / 86400; }

bool eval(const SearchKey& k, const Candidate& c) {
  const auto& m = c.m;
  auto hdr = [&](std::string_view field) { return mime::header_value(c.header, field); };
  switch (k.kind) {
    case K::all: return true;
    case K::and_:
      for (auto& ch : k.children)
        if (!eval(ch, c)) return false;
      return true;
    case K::or_: return eval(k.children[0], c) || eval(k.children[1], c);
    case K::not_: return !eval(k.children[0], c);
    case K::seqset: return k.set.contains(c.seq, c.exists);
    case K::uid: return k.set.contains(m.uid, c.max_uid);
    case K::answered: return m.flags & store::kAnswered;
    case K::deleted: return m.flags & store::kDeleted;
    case K::draft: return m.flags & store::kDraft;
    case K::flagged: return m.flags & store::kFlagged;
    case K::seen: return m.flags & store::kSeen;
    case K::unanswered: return !(m.flags & store::kAnswered);
    case K::undeleted: return !(m.flags & store::kDeleted);
    case K::undraft: return !(m.flags & store::kDraft);
    case K::unflagged: return !(m.flags & store::kFlagged);
    case K::unseen: return !(m.flags & store::kSeen);
    case K::recent: case K::new_: return false;  // \Recent is not tracked
    case K::old: return true;
    case K::keyword: case K::unkeyword: {
      bool has = false;
      for (auto& kw : m.keywords) has = has || util::iequals(kw, k.value);
      return k.kind == K::keyword ? has : !has;
    }
    case K::before: return day_of(m.internal_date) < k.date / 86400;
    case K::on: return day_of(m.internal_date) == k.date / 86400;
    case K::since: return day_of(m.internal_date) >= k.date / 86400;
    case K::sentbefore: case K::senton: case K::sentsince: {
      auto v = hdr("Date");
      auto d = v ? header_day(*v) : std::nullopt;
      if (!d) return false;
      int64_t want = k.date / 86400;
      return k.kind == K::sentbefore ? *d < want : k.kind == K::senton ? *d == want : *d >= want;
    }
    case K::larger: return m.size > k.number;
    case K::smaller: return m.size < k.number;
    case K::modseq: return m.modseq >= k.number;
    case K::header: {
      for (const auto& f : mime::parse_header(c.header))
        if (util::iequals(f.name, k.field) && icontains(f.value, k.value)) return true;
      return false;
    }
    case K::from: case K::to: case K::cc: case K::bcc: case K::subject: {
      const char* field = k.kind == K::from ? "From" : k.kind == K::to ? "To" : k.kind == K::cc ? "Cc"
                          : k.kind == K::bcc ? "Bcc" : "Subject";
      for (const auto& f : mime::parse_header(c.header))
        if (util::iequals(f.name, field) && icontains(f.value, k.value)) return true;
      return false;
    }
    case K::body: return icontains(c.body, k.value);
    case K::text: return icontains(c.raw, k.value);
  }
  return false;
}

}  // namespace

awaitable<Reply> cmd_search(SessionContext& ctx, const Command& cmd) {
  const auto& a = cmd.as<SearchArgs>();
  if (a.charset && *a.charset != "US-ASCII" && *a.charset != "UTF-8")
    co_return Reply::no("Unsupported charset", "BADCHARSET (US-ASCII UTF-8)");
  for (auto& r : a.returns)
    if (r == "SAVE") co_return Reply::bad("SEARCH RETURN (SAVE) is not supported");
  if (uses_saved(a.key)) co_return Reply::bad("$ is not supported");
  auto& view = *ctx.selected;
  bool text = needs_text(a.key);
  bool modseq = uses_modseq(a.key);
  if (modseq) ctx.condstore = true;

  std::vector<uint32_t> hits;
  uint64_t top_modseq = 0;
  for (uint32_t seq = 1; seq <= view.exists(); ++seq) {
    if (view.is_expunged(seq)) continue;
    const auto& m = view.at(seq);
    std::string raw;
    Candidate c{seq, m, view.exists(), view.max_uid(), {}, {}, {}};
    if (text) {
      try {
        raw = ctx.store->read_message(view.name(), m.uid);
      } catch (const store::MailboxError&) {
        continue;
      }
      auto [h, b] = mime::split_entity(raw);
      c.raw = raw;
      c.header = h;
      c.body = b;
    }
    if (!eval(a.key, c)) continue;
    hits.push_back(cmd.uid ? m.uid : seq);
    top_modseq = std::max(top_modseq, m.modseq);
  }
  Reply r = Reply::ok(std::string(cmd.uid ? "UID " : "") + "SEARCH completed");
  if (a.esearch) {  // RFC 4731 section 3.1
    std::string out = "* ESEARCH (TAG " + imap_string(cmd.tag) + ")";
    if (cmd.uid) out += " UID";
    auto returns = a.returns;
    if (returns.empty()) returns.push_back("ALL");
    if (!hits.empty()) {
      for (auto& opt : returns) {
        if (opt == "MIN") out += " MIN " + std::to_string(hits.front());
        if (opt == "MAX") out += " MAX " + std::to_string(hits.back());
        if (opt == "ALL") out += " ALL " + compact_set(hits);
      }
    }
    for (auto& opt : returns)
      if (opt == "COUNT") out += " COUNT " + std::to_string(hits.size());
    if (modseq && !hits.empty()) out += " MODSEQ " + std::to_string(top_modseq);
    r.untagged = out + "\r\n";
    co_return r;
  }
  std::string out = "* SEARCH";
  for (uint32_t n : hits) out += " " + std::to_string(n);
  if (modseq && !hits.empty()) out += " (MODSEQ " + std::to_string(top_modseq) + ")";  // RFC 7162 section 3.1.5
  r.untagged = out + "\r\n";
  co_return r;
}

}  // namespace postern::imap
