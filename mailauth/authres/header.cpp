// Authentication-Results parsing and building: RFC 8601 section 2.2 (ABNF),
// 2.3 (authserv-id), 2.7 (methods, ptypes), RFC 2045 5.1 (token /
// quoted-string values), RFC 5322 3.2.2 (CFWS, nested comments) and 2.2.3
// (folding).
// Trust boundary: parse() is fed attacker headers (fuzzed by
// tests/fuzz/authres_parse.cpp); build() gets values from DNS and messages
// and escapes them.
#include "mailauth/authres/header.hpp"

#include <cctype>

namespace postern::authres {

namespace {

constexpr size_t kMaxValue = 64 * 1024;
constexpr size_t kMaxResults = 64;
constexpr size_t kMaxProps = 32;
constexpr size_t kFoldAt = 78;
constexpr size_t kMaxValueOut = 256;  // longest property value written

bool is_tspecial(char c) {
  switch (c) {
    case '(': case ')': case '<': case '>': case '@': case ',': case ';': case ':': case '\\':
    case '"': case '/': case '[': case ']': case '?': case '=':
      return true;
    default:
      return false;
  }
}

bool is_token_char(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return u > 32 && u < 127 && !is_tspecial(c);
}

bool is_keyword_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool at_end() const { return i_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[i_]; }
  void bump() { ++i_; }
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  void fail(std::string e) {
    if (error_.empty()) error_ = std::move(e);
    i_ = s_.size();
  }

  // [CFWS]: whitespace, line folding and nested comments. Returns true if any was skipped.
  bool cfws() {
    size_t start = i_;
    while (!at_end()) {
      char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') { ++i_; continue; }
      if (c == '(') { comment(); continue; }
      break;
    }
    return i_ != start;
  }

  bool eat(char c) {
    if (peek() == c) { ++i_; return true; }
    return false;
  }

  std::optional<std::string> token() {
    size_t b = i_;
    while (!at_end() && is_token_char(s_[i_])) ++i_;
    if (b == i_) return std::nullopt;
    return std::string(s_.substr(b, i_ - b));
  }

  std::optional<std::string> keyword() {
    size_t b = i_;
    while (!at_end() && is_keyword_char(s_[i_])) ++i_;
    if (b == i_) return std::nullopt;
    return std::string(s_.substr(b, i_ - b));
  }

  std::optional<std::string> quoted() {
    if (!eat('"')) return std::nullopt;
    std::string out;
    while (!at_end()) {
      char c = s_[i_++];
      if (c == '"') return out;
      if (c == '\\') {
        if (at_end()) break;
        out.push_back(s_[i_++]);
        continue;
      }
      if (c == '\r' || c == '\n') continue;  // folding inside quotes
      out.push_back(c);
    }
    fail("unterminated quoted-string");
    return std::nullopt;
  }

  // value = token / quoted-string
  std::optional<std::string> value() {
    if (peek() == '"') return quoted();
    return token();
  }

  // pvalue = value / [[local-part] "@"] domain-name: the run up to CFWS or ';'.
  std::optional<std::string> pvalue() {
    if (peek() == '"') {
      auto q = quoted();
      if (!q) return q;
      if (peek() == '@') {  // quoted local part of an address
        std::string rest;
        while (!at_end() && !std::isspace(static_cast<unsigned char>(peek())) && peek() != ';' &&
               peek() != '(')
          rest.push_back(s_[i_++]);
        return *q + rest;
      }
      return q;
    }
    size_t b = i_;
    while (!at_end()) {
      char c = s_[i_];
      unsigned char u = static_cast<unsigned char>(c);
      if (u <= 32 || u == 127 || c == ';' || c == '(' || c == ')' || c == '"') break;
      ++i_;
    }
    if (b == i_) return std::nullopt;
    return std::string(s_.substr(b, i_ - b));
  }

 private:
  void comment() {
    int depth = 0;
    while (!at_end()) {
      char c = s_[i_++];
      if (c == '\\') {
        if (!at_end()) ++i_;
        continue;
      }
      // Iterative with a counter: any depth is fine and costs no stack. A
      // depth limit here would let a forged A-R hide its authserv-id from
      // the remover behind deep nesting.
      if (c == '(') {
        ++depth;
      } else if (c == ')') {
        if (--depth == 0) return;
      }
    }
    fail("unterminated comment");
  }

  std::string_view s_;
  size_t i_ = 0;
  std::string error_;
};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool all_digits(std::string_view s) {
  if (s.empty() || s.size() > 9) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// --- building ---

std::string sanitize(std::string_view s, size_t max) {
  std::string out;
  for (char c : s) {
    if (out.size() >= max) break;
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 32 || u == 127) c = ' ';
    out.push_back(c);
  }
  return out;
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : sanitize(s, 512)) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

bool is_atext_or_dot(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (std::isalnum(u) || c == '.') return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '/': case '=': case '?': case '^': case '_': case '`': case '{': case '|': case '}':
    case '~':
      return true;
    default:
      return false;
  }
}

// value (token / quoted-string); with `addr`, pvalue's [local-part] "@" domain too.
std::string value_text(std::string_view v, bool addr) {
  if (v.empty()) return "\"\"";
  // Bounded so no line of the field can pass RFC 5322's 998 octets.
  if (v.size() > kMaxValueOut) return quote(v.substr(0, kMaxValueOut));
  bool token = true;
  for (char c : v) token = token && is_token_char(c);
  if (token) return std::string(v);
  size_t at = v.rfind('@');
  if (addr && at != std::string_view::npos) {  // [local-part] "@" domain-name
    bool ok = at + 1 < v.size();
    for (size_t i = 0; i < v.size(); ++i)
      if (i != at && !is_atext_or_dot(v[i])) ok = false;
    for (size_t i = at + 1; i < v.size(); ++i)
      if (!std::isalnum(static_cast<unsigned char>(v[i])) && v[i] != '.' && v[i] != '-' && v[i] != '_')
        ok = false;
    if (ok) return std::string(v);
  }
  return quote(v);
}

std::string comment_text(std::string_view c) {
  std::string out = "(";
  for (char ch : sanitize(c, 256)) {
    if (ch == '(' || ch == ')' || ch == '\\') out.push_back('\\');
    out.push_back(ch);
  }
  out.push_back(')');
  return out;
}

std::string keyword_text(std::string_view k) {
  std::string out;
  for (char c : k.substr(0, 64))
    if (is_keyword_char(c)) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out.empty() ? std::string("x-invalid") : out;
}

}  // namespace

std::optional<std::string> parse_authserv_id(std::string_view value) {
  // No length limit: the id is read from the front in linear time, and a
  // limit would let a padded forgery escape removal.
  Cursor c(value);
  c.cfws();
  auto id = c.value();
  if (!id || c.failed() || id->empty()) return std::nullopt;
  return id;
}

std::optional<Header> parse(std::string_view value, std::string* error) {
  auto err = [&](std::string e) -> std::optional<Header> {
    if (error) *error = std::move(e);
    return std::nullopt;
  };
  if (value.size() > kMaxValue) return err("header too long");
  Cursor c(value);
  Header h;
  c.cfws();
  auto id = c.value();
  if (!id || id->empty()) return err(c.failed() ? c.error() : "missing authserv-id");
  h.authserv_id = *id;
  if (c.cfws() && std::isdigit(static_cast<unsigned char>(c.peek()))) {  // authres-version
    auto v = c.token();
    if (!v || !all_digits(*v)) return err("bad version");
    h.version = static_cast<unsigned>(std::stoul(*v));
    c.cfws();
  }
  if (c.failed()) return err(c.error());
  if (c.at_end()) return err("no result");  // grammar needs "; none" or a resinfo
  while (!c.at_end()) {
    if (!c.eat(';')) return err(c.failed() ? c.error() : "expected ';'");
    c.cfws();
    if (c.at_end()) break;  // tolerate a trailing ';'
    auto method = c.keyword();
    if (!method) return err(c.failed() ? c.error() : "expected method");
    c.cfws();
    if (h.results.empty() && !h.none && c.at_end() && lower(*method) == "none") {
      h.none = true;
      break;
    }
    MethodResult mr;
    mr.method = lower(*method);
    if (c.eat('/')) {
      c.cfws();
      auto v = c.token();
      if (!v || !all_digits(*v)) return err("bad method version");
      mr.version = *v;
      c.cfws();
    }
    if (!c.eat('=')) return err(c.failed() ? c.error() : "expected '=' after method");
    c.cfws();
    auto result = c.keyword();
    if (!result) return err(c.failed() ? c.error() : "expected result");
    mr.result = lower(*result);
    c.cfws();
    bool have_reason = false;
    // reasonspec and propspecs until ';' or end.
    while (!c.at_end() && c.peek() != ';') {
      auto word = c.keyword();
      if (!word) return err(c.failed() ? c.error() : "expected property");
      c.cfws();
      if (c.eat('=')) {  // reason=
        if (lower(*word) != "reason" || have_reason || !mr.props.empty())
          return err("unexpected '=' after " + *word);
        c.cfws();
        auto v = c.value();
        if (!v) return err(c.failed() ? c.error() : "bad reason value");
        mr.reason = *v;
        have_reason = true;
        c.cfws();
        continue;
      }
      if (!c.eat('.')) return err(c.failed() ? c.error() : "expected '.' in property");
      c.cfws();
      auto prop = c.keyword();
      if (!prop) return err(c.failed() ? c.error() : "expected property name");
      c.cfws();
      if (!c.eat('=')) return err(c.failed() ? c.error() : "expected '=' in property");
      c.cfws();
      auto pv = c.pvalue();
      if (!pv) return err(c.failed() ? c.error() : "expected property value");
      if (mr.props.size() >= kMaxProps) return err("too many properties");
      mr.props.push_back({lower(*word), lower(*prop), *pv});
      c.cfws();
    }
    if (c.failed()) return err(c.error());
    if (h.results.size() >= kMaxResults) return err("too many results");
    h.results.push_back(std::move(mr));
  }
  if (c.failed()) return err(c.error());
  if (!h.none && h.results.empty()) return err("no result");
  return h;
}

std::string build(std::string_view authserv_id, const std::vector<MethodResult>& results) {
  std::string out = "Authentication-Results: " + value_text(sanitize(authserv_id, 255), false);
  if (results.empty()) return out + "; none\r\n";
  out += ";";
  for (size_t r = 0; r < results.size(); ++r) {
    const auto& mr = results[r];
    std::vector<std::string> parts;
    std::string ms = keyword_text(mr.method);
    if (!mr.version.empty() && all_digits(mr.version)) ms += "/" + mr.version;
    ms += "=" + keyword_text(mr.result);
    parts.push_back(ms);
    if (!mr.comment.empty()) parts.push_back(comment_text(mr.comment));
    if (!mr.reason.empty()) parts.push_back("reason=" + quote(mr.reason));
    for (const auto& p : mr.props)
      parts.push_back(keyword_text(p.ptype) + "." + keyword_text(p.property) + "=" + value_text(p.value, true));
    // One resinfo per line; fold between parts when a line would exceed 78 octets.
    std::string line = "\t";
    out += "\r\n";
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) {
        if (line.size() + 1 + parts[i].size() > kFoldAt) {
          out += line + "\r\n";
          line = "\t  ";
        } else {
          line += " ";
        }
      }
      line += parts[i];
    }
    if (r + 1 < results.size()) line += ";";
    out += line;
  }
  return out + "\r\n";
}

}  // namespace postern::authres
