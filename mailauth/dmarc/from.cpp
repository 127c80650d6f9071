// RFC 5322 section 3.4 address-list parsing (with section 4.4 obs-route and
// obs-list empty elements, RFC 2047 encoded words treated as atoms of the
// display-name phrase, RFC 6532 UTF-8) and the RFC 7489 section 6.6.1
// handling of missing, repeated and multi-address From fields.
// Trust boundary: untrusted header data; tokens, nesting, fields bounded.
#include "mailauth/dmarc/from.hpp"

#include "mailauth/dmarc/header_fields.hpp"
#include "mailauth/dmarc/idna.hpp"

#include <algorithm>

namespace postern::dmarc {

namespace {

constexpr size_t kMaxTokens = 4096;
constexpr int kMaxCommentDepth = 32;
constexpr size_t kMaxFromFields = 16;
constexpr size_t kMaxValue = 64 * 1024;

enum class Tok { atom, quoted, literal, special };

struct Token {
  Tok kind;
  std::string text;  // atom text, unquoted string, literal, or the special char
};

bool is_atext(unsigned char c) {
  if (c >= 0x80) return true;  // RFC 6532 UTF8-non-ascii
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '/': case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}':
    case '~':
      return true;
    default:
      return false;
  }
}

bool tokenize(std::string_view s, std::vector<Token>& out, std::string& error) {
  size_t i = 0;
  while (i < s.size()) {
    if (out.size() >= kMaxTokens) { error = "too many tokens"; return false; }
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') { ++i; continue; }
    if (c == '(') {  // comment, nested (3.2.2)
      int depth = 0;
      while (i < s.size()) {
        char d = s[i];
        if (d == '\\') { i += 2; continue; }
        if (d == '(' && ++depth > kMaxCommentDepth) { error = "comments nested too deeply"; return false; }
        if (d == ')' && --depth == 0) { ++i; break; }
        ++i;
      }
      if (depth != 0) { error = "unterminated comment"; return false; }
      continue;
    }
    if (c == '"') {  // quoted-string (3.2.4)
      std::string q;
      ++i;
      bool closed = false;
      while (i < s.size()) {
        char d = s[i];
        if (d == '\\' && i + 1 < s.size()) { q.push_back(s[i + 1]); i += 2; continue; }
        if (d == '"') { closed = true; ++i; break; }
        q.push_back(d);
        ++i;
      }
      if (!closed) { error = "unterminated quoted-string"; return false; }
      out.push_back({Tok::quoted, std::move(q)});
      continue;
    }
    if (c == '[') {  // domain-literal (3.4.1)
      size_t close = s.find(']', i);
      if (close == std::string_view::npos) { error = "unterminated domain-literal"; return false; }
      out.push_back({Tok::literal, std::string(s.substr(i, close + 1 - i))});
      i = close + 1;
      continue;
    }
    if (is_atext(c)) {
      size_t j = i;
      while (j < s.size() && is_atext(static_cast<unsigned char>(s[j]))) ++j;
      out.push_back({Tok::atom, std::string(s.substr(i, j - i))});
      i = j;
      continue;
    }
    switch (c) {
      case '<': case '>': case ':': case ';': case '@': case ',': case '.':
        out.push_back({Tok::special, std::string(1, static_cast<char>(c))});
        ++i;
        continue;
      default:
        error = "unexpected character in address";
        return false;
    }
  }
  return true;
}

bool is_special(const Token& t, char c) { return t.kind == Tok::special && t.text[0] == c; }

// addr-spec = local-part "@" domain, from tokens [b, e).
bool parse_addr_spec(const std::vector<Token>& t, size_t b, size_t e, Mailbox& mb, std::string& error) {
  size_t at = e;
  for (size_t i = b; i < e; ++i)
    if (is_special(t[i], '@')) at = i;  // the last '@': local parts cannot hold one unquoted
  if (at == e) { error = "address without @domain"; return false; }
  if (at == b) { error = "empty local part"; return false; }
  std::string local;
  for (size_t i = b; i < at; ++i) {
    if (t[i].kind == Tok::special && t[i].text[0] != '.') { error = "bad local part"; return false; }
    if (t[i].kind == Tok::literal) { error = "bad local part"; return false; }
    local += t[i].text;
  }
  if (at + 1 == e) { error = "empty domain"; return false; }
  if (t[at + 1].kind == Tok::literal) {
    error = "domain-literal has no DMARC policy";
    return false;
  }
  std::string domain;
  bool want_atom = true;
  for (size_t i = at + 1; i < e; ++i) {
    if (want_atom && t[i].kind == Tok::atom) domain += t[i].text;
    else if (!want_atom && is_special(t[i], '.')) domain += '.';
    else { error = "bad domain"; return false; }
    want_atom = !want_atom;
  }
  if (want_atom) {  // trailing '.': tolerated as the absolute form
    if (domain.empty()) { error = "bad domain"; return false; }
  }
  mb.local = std::move(local);
  mb.domain = std::move(domain);
  return true;
}

std::string join_phrase(const std::vector<Token>& t, size_t b, size_t e) {
  std::string s;
  for (size_t i = b; i < e; ++i) {
    if (!s.empty() && t[i].kind != Tok::special) s += ' ';
    s += t[i].text;
  }
  return s;
}

// mailbox = name-addr / addr-spec, from tokens [b, e).
bool parse_mailbox(const std::vector<Token>& t, size_t b, size_t e, Mailbox& mb, std::string& error) {
  size_t lt = e;
  for (size_t i = b; i < e; ++i)
    if (is_special(t[i], '<')) { lt = i; break; }
  if (lt == e) return parse_addr_spec(t, b, e, mb, error);
  size_t gt = e;
  for (size_t i = lt + 1; i < e; ++i)
    if (is_special(t[i], '>')) { gt = i; break; }
  if (gt == e) { error = "unterminated angle-addr"; return false; }
  if (gt + 1 != e) { error = "text after angle-addr"; return false; }
  for (size_t i = b; i < lt; ++i)
    if (t[i].kind == Tok::special && !is_special(t[i], '.')) { error = "bad display name"; return false; }
  size_t s = lt + 1;
  for (size_t i = lt + 1; i < gt; ++i)  // obs-route "@a,@b:" (4.4)
    if (is_special(t[i], ':')) s = i + 1;
  mb.display = join_phrase(t, b, lt);
  return parse_addr_spec(t, s, gt, mb, error);
}

// Index of the next ',' or `stop` special at angle depth 0 from i, or e.
size_t next_sep(const std::vector<Token>& t, size_t i, size_t e, char stop) {
  bool in_angle = false;
  for (; i < e; ++i) {
    if (is_special(t[i], '<')) in_angle = true;
    else if (is_special(t[i], '>')) in_angle = false;
    else if (!in_angle && (is_special(t[i], ',') || (stop && is_special(t[i], stop)))) return i;
  }
  return e;
}

}  // namespace

std::string_view to_string(FromStatus s) {
  switch (s) {
    case FromStatus::ok: return "ok";
    case FromStatus::missing: return "missing";
    case FromStatus::multiple_domains: return "multiple_domains";
    case FromStatus::unparsable: return "unparsable";
    case FromStatus::no_domain: return "no_domain";
  }
  return "unparsable";
}

bool parse_address_list(std::string_view value, std::vector<Mailbox>& out, std::string& error,
                        size_t max_mailboxes) {
  if (value.size() > kMaxValue) { error = "address list too long"; return false; }
  std::vector<Token> t;
  if (!tokenize(value, t, error)) return false;
  size_t i = 0, e = t.size();
  auto add = [&](size_t b, size_t end) {
    if (b == end) return true;  // obs-mbox-list empty element
    if (out.size() >= max_mailboxes) { error = "too many mailboxes"; return false; }
    Mailbox mb;
    if (!parse_mailbox(t, b, end, mb, error)) return false;
    out.push_back(std::move(mb));
    return true;
  };
  while (i < e) {
    // A group starts with a display-name followed by ':' before any '<' or '@'.
    size_t colon = e;
    for (size_t j = i; j < e; ++j) {
      if (is_special(t[j], ':')) { colon = j; break; }
      if (t[j].kind == Tok::special && !is_special(t[j], '.')) break;
    }
    if (colon != e && colon > i) {  // group (3.4)
      size_t j = colon + 1;
      while (j < e && !is_special(t[j], ';')) {
        size_t sep = next_sep(t, j, e, ';');
        if (!add(j, sep)) return false;
        j = sep;
        if (j < e && is_special(t[j], ',')) ++j;
      }
      if (j >= e) { error = "group without ';'"; return false; }
      i = j + 1;  // past ';'
      if (i < e && !is_special(t[i], ',')) { error = "text after group"; return false; }
      if (i < e) ++i;
      continue;
    }
    size_t sep = next_sep(t, i, e, 0);
    if (!add(i, sep)) return false;
    i = sep < e ? sep + 1 : e;
  }
  return true;
}

FromIdentity extract_from(std::string_view header_block) {
  FromIdentity id;
  HeaderBlock hb = split_header_fields(header_block);
  std::vector<Mailbox> boxes;
  for (const auto& f : hb.fields) {
    if (!iequals_ascii(f.name, "From")) continue;
    if (++id.from_fields > kMaxFromFields) {
      id.status = FromStatus::unparsable;
      id.error = "too many From fields";
      return id;
    }
    std::string err;
    if (!parse_address_list(unfold(f.value), boxes, err)) {
      id.status = FromStatus::unparsable;
      id.error = "From: " + err;
      return id;
    }
  }
  id.mailboxes = boxes.size();
  if (id.from_fields == 0) {
    id.status = FromStatus::missing;
    id.error = "no From field (RFC 5322 3.6 requires one)";
    return id;
  }
  if (boxes.empty()) {
    id.status = FromStatus::no_domain;
    id.error = "From holds no mailbox";
    return id;
  }
  bool bad = false;
  for (const auto& mb : boxes) {
    auto d = to_ascii_domain(mb.domain);
    std::string dom = d ? *d : mb.domain;
    if (!d) bad = true;
    if (std::find(id.domains.begin(), id.domains.end(), dom) == id.domains.end()) id.domains.push_back(dom);
  }
  if (id.domains.size() > 1) {
    id.status = FromStatus::multiple_domains;
    id.error = "From names several domains";
    return id;
  }
  if (bad) {
    id.status = FromStatus::no_domain;
    id.error = "From domain is not a valid domain name";
    return id;
  }
  id.status = FromStatus::ok;
  id.domain = id.domains.front();
  return id;
}

}  // namespace postern::dmarc
