// DKIM-Signature parsing and validation (see signature.hpp).
// Trust boundary: untrusted header value; every tag checked before use.
// RFC 6376 3.5 (tag semantics), 6.1.1 (validation of the signature field),
// RFC 8301 3.1 (rsa-sha1 MUST NOT be treated as valid), RFC 8463 (ed25519).
#include "mailauth/dkim/signature.hpp"

#include "mailauth/dkim/message.hpp"
#include "mailauth/dkim/tags.hpp"

#include "common/util/strings.hpp"

namespace postern::dkim {

namespace {

bool parse_digits(std::string_view s, size_t max_digits, uint64_t& out) {
  if (s.empty() || s.size() > max_digits) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

bool parse_canon(std::string_view s, Canon& out) {
  if (s == "simple") out = Canon::simple;
  else if (s == "relaxed") out = Canon::relaxed;
  else return false;
  return true;
}

}  // namespace

bool valid_domain(std::string_view d, bool allow_underscore) {
  if (d.empty() || d.size() > 253) return false;
  for (auto label : util::split(d, '.')) {
    if (label.empty() || label.size() > 63) return false;
    for (char c : label) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                (allow_underscore && c == '_');
      if (!ok) return false;
    }
  }
  return true;
}

std::string parse_signature(std::string_view value, Signature& out) {
  TagList tl;
  // Keep what can be known for the report even if the list is bad.
  std::string err = parse_tag_list(value, tl);
  if (const Tag* t = tl.find("d")) out.domain = util::to_lower(t->value);
  if (const Tag* t = tl.find("s")) out.selector = std::string(t->value);
  if (const Tag* t = tl.find("a")) out.algorithm_text = std::string(t->value);
  if (const Tag* t = tl.find("b")) out.b_text = strip_fws(t->value);
  if (!err.empty()) return "bad tag-list: " + err;

  // 6.1.1: required tags.
  for (const char* req : {"v", "a", "b", "bh", "d", "h", "s"})
    if (!tl.find(req)) return std::string("missing required tag ") + req + "=";

  if (tl.find("v")->value != "1") return "unsupported version v=" + std::string(tl.find("v")->value);

  std::string_view a = tl.find("a")->value;
  if (a == "rsa-sha256") out.algorithm = Algorithm::rsa_sha256;
  else if (a == "ed25519-sha256") out.algorithm = Algorithm::ed25519_sha256;
  else if (a == "rsa-sha1") return "rsa-sha1 is not accepted (RFC 8301)";
  else return "unknown algorithm a=" + std::string(a);

  const Tag* b = tl.find("b");
  auto bdec = util::base64_decode(out.b_text);
  if (!bdec || bdec->empty()) return "b= is not valid base64";
  out.b = std::move(*bdec);
  out.b_begin = b->value_begin;
  out.b_end = b->value_end;

  auto bhdec = util::base64_decode(strip_fws(tl.find("bh")->value));
  if (!bhdec || bhdec->empty()) return "bh= is not valid base64";
  out.bh = std::move(*bhdec);

  if (const Tag* c = tl.find("c")) {
    std::string_view cv = c->value;
    size_t slash = cv.find('/');
    if (!parse_canon(cv.substr(0, slash), out.header_canon)) return "unknown canonicalization c=" + std::string(cv);
    out.body_canon = Canon::simple;
    if (slash != std::string_view::npos && !parse_canon(cv.substr(slash + 1), out.body_canon))
      return "unknown canonicalization c=" + std::string(cv);
  }

  if (!valid_domain(out.domain, true)) return "invalid d= domain";
  if (!valid_domain(out.selector, true)) return "invalid s= selector";

  bool has_from = false;
  for (auto name : split_colon_list(tl.find("h")->value)) {
    if (!valid_field_name(name)) return "invalid header name in h=";
    std::string lname = util::to_lower(name);
    if (lname == "from") has_from = true;
    out.headers.push_back(std::move(lname));
    if (out.headers.size() > 256) return "too many header names in h=";
  }
  if (!has_from) return "h= does not include From";  // 5.4, 6.1.1

  if (const Tag* i = tl.find("i")) {
    out.identity = std::string(i->value);
    size_t at = out.identity.rfind('@');
    if (at == std::string::npos) return "i= has no @";
    out.identity_domain = util::to_lower(std::string_view(out.identity).substr(at + 1));
    if (!valid_domain(out.identity_domain, true)) return "invalid i= domain";
    // 6.1.1: the i= domain is d= or a subdomain of it.
    const std::string& d = out.domain;
    const std::string& id = out.identity_domain;
    bool within = id == d || (id.size() > d.size() && id.compare(id.size() - d.size(), d.size(), d) == 0 &&
                              id[id.size() - d.size() - 1] == '.');
    if (!within) return "i= domain is not d= or a subdomain of it";
  } else {
    out.identity = "@" + out.domain;
    out.identity_domain = out.domain;
  }

  if (const Tag* l = tl.find("l")) {
    uint64_t v = 0;
    if (!parse_digits(l->value, 76, v)) return "invalid l=";
    out.length = v;
  }
  if (const Tag* q = tl.find("q")) {
    bool dns = false;
    for (auto m : split_colon_list(q->value))
      if (m == "dns/txt") dns = true;
    if (!dns) return "q= does not include dns/txt";
  }
  if (const Tag* t = tl.find("t")) {
    uint64_t v = 0;
    if (!parse_digits(t->value, 12, v)) return "invalid t=";
    out.timestamp = static_cast<int64_t>(v);
  }
  if (const Tag* x = tl.find("x")) {
    uint64_t v = 0;
    if (!parse_digits(x->value, 12, v)) return "invalid x=";
    out.expiration = static_cast<int64_t>(v);
  }
  // 3.5 x=: "MUST be greater than the value of the t= tag if both are present".
  if (out.timestamp && out.expiration && *out.expiration <= *out.timestamp) return "x= is not after t=";
  return "";
}

}  // namespace postern::dkim
