// Key record parsing (see key_record.hpp).
// Trust boundary: untrusted DNS text.
// RFC 6376 3.6.1: v= (if present, first and "DKIM1"), h= (acceptable hash
// algorithms), k= (key type, unknown = unusable), p= (required; empty =
// revoked), s= (service types: "email" or "*"), t= (flags y and s; unknown
// flags ignored); unknown tags are ignored. RFC 8463 4.2: k=ed25519.
#include "mailauth/dkim/key_record.hpp"

#include "mailauth/dkim/tags.hpp"

#include "common/util/strings.hpp"

namespace postern::dkim {

std::string parse_key_record(std::string_view txt, KeyRecord& out) {
  out = KeyRecord{};
  if (txt.size() > 16 * 1024) return "key record too long";
  TagList tl;
  std::string err = parse_tag_list(txt, tl);
  if (!err.empty()) return "bad key record: " + err;
  if (tl.tags.empty()) return "empty key record";
  if (const Tag* v = tl.find("v")) {
    if (&tl.tags.front() != v) return "v= is not the first tag of the key record";
    if (v->value != "DKIM1") return "key record has v=" + std::string(v->value) + ", not DKIM1";
  }
  if (const Tag* h = tl.find("h")) {
    out.sha256_allowed = false;
    for (auto alg : split_colon_list(h->value))
      if (alg == "sha256") out.sha256_allowed = true;
  }
  if (const Tag* k = tl.find("k")) {
    if (k->value == "rsa") out.type = KeyType::rsa;
    else if (k->value == "ed25519") out.type = KeyType::ed25519;
    else return "unknown key type k=" + std::string(k->value);
  }
  if (const Tag* s = tl.find("s")) {
    out.email_service = false;
    for (auto svc : split_colon_list(s->value))
      if (svc == "*" || svc == "email") out.email_service = true;
  }
  if (const Tag* t = tl.find("t")) {
    for (auto flag : split_colon_list(t->value)) {
      if (flag == "y") out.testing = true;
      if (flag == "s") out.strict = true;
    }
  }
  const Tag* p = tl.find("p");
  if (!p) return "key record has no p=";
  std::string p64 = strip_fws(p->value);
  if (p64.empty()) {
    out.revoked = true;
    return "";
  }
  auto der = util::base64_decode(p64);
  if (!der || der->empty()) return "p= is not valid base64";
  out.public_key = std::move(*der);
  return "";
}

}  // namespace postern::dkim
