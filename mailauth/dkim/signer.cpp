// DKIM signer (see signer.hpp).
// Trust boundary: message from an authenticated user; keys from the
// administrator's files.
// RFC 6376 3.5 (tags), 3.7 (hashes), 5.4 and 5.4.2 (which fields, several
// instances), 5.6 (the field is prepended), 8.15 (over-signing);
// RFC 8463 3 (ed25519-sha256); RFC 8301 3.2 (RSA at least 1024 bits).
#include "mailauth/dkim/signer.hpp"

#include "mailauth/dkim/canon.hpp"
#include "mailauth/dkim/header_hash.hpp"
#include "mailauth/dkim/message.hpp"
#include "mailauth/dkim/signature.hpp"

#include "common/log/log.hpp"
#include "common/util/strings.hpp"

#include <sys/stat.h>

#include <algorithm>

namespace postern::dkim {

const std::vector<std::string>& default_signed_headers() {
  static const std::vector<std::string> h = {
      "from", "sender", "reply-to", "subject", "date", "message-id", "to", "cc",
      "mime-version", "content-type", "content-transfer-encoding", "content-disposition",
      "content-language", "in-reply-to", "references", "list-id", "list-help", "list-unsubscribe",
      "list-unsubscribe-post", "list-subscribe", "list-post", "list-owner", "list-archive",
      "resent-date", "resent-from", "resent-sender", "resent-to", "resent-cc", "resent-message-id"};
  return h;
}

const std::vector<std::string>& default_oversigned_headers() {
  static const std::vector<std::string> h = {
      "from", "sender", "reply-to", "subject", "date", "message-id", "to", "cc", "mime-version",
      "content-type", "content-transfer-encoding", "in-reply-to", "references", "list-unsubscribe",
      "list-unsubscribe-post"};
  return h;
}

SignOptions::SignOptions() : headers(default_signed_headers()), oversign(default_oversigned_headers()) {}

SigningKey load_signing_key(const config::DkimKey& k) {
  SigningKey sk;
  sk.domain = util::to_lower(k.domain);
  sk.selector = k.selector;
  sk.key_file = k.key_file;
  if (!valid_domain(sk.domain)) throw KeyError(k.key_file + ": invalid DKIM domain '" + k.domain + "'");
  if (!valid_domain(sk.selector, true))
    throw KeyError(k.key_file + ": invalid DKIM selector '" + k.selector + "'");
  if (k.algorithm == "rsa-sha256") sk.algorithm = Algorithm::rsa_sha256;
  else if (k.algorithm == "ed25519-sha256") sk.algorithm = Algorithm::ed25519_sha256;
  else throw KeyError(k.key_file + ": unknown DKIM algorithm '" + k.algorithm + "'");
  sk.key = load_private_key_file(k.key_file);
  KeyType t = key_type(sk.key.get());
  if (t != key_type_of(sk.algorithm))
    throw KeyError(k.key_file + ": holds an " + std::string(to_string(t)) + " key but the algorithm is " +
                   k.algorithm);
  if (t == KeyType::rsa && key_bits(sk.key.get()) < 1024)
    throw KeyError(k.key_file + ": RSA key of " + std::to_string(key_bits(sk.key.get())) +
                   " bits; DKIM needs at least 1024 (2048 recommended)");
  struct stat st {};
  if (::stat(k.key_file.c_str(), &st) == 0 && (st.st_mode & S_IROTH))
    log::warn("DKIM key {} is readable by everyone; chmod 600 it", k.key_file);
  return sk;
}

Signer::Signer(std::vector<SigningKey> keys, SignOptions options)
    : keys_(std::move(keys)), options_(std::move(options)) {
  for (auto& h : options_.headers) h = util::to_lower(h);
  for (auto& h : options_.oversign) h = util::to_lower(h);
}

Signer Signer::from_config(const std::vector<config::DkimKey>& keys, SignOptions options) {
  std::vector<SigningKey> loaded;
  for (const auto& k : keys) loaded.push_back(load_signing_key(k));
  return Signer(std::move(loaded), std::move(options));
}

std::vector<const SigningKey*> Signer::keys_for(std::string_view domain_in) const {
  std::string domain = util::to_lower(domain_in);
  std::string_view d = domain;
  while (!d.empty()) {
    std::vector<const SigningKey*> out;
    for (const auto& k : keys_)
      if (k.domain == d) out.push_back(&k);
    if (!out.empty()) return out;
    size_t dot = d.find('.');
    if (dot == std::string_view::npos) break;
    d.remove_prefix(dot + 1);
  }
  return {};
}

std::string from_domain(std::string_view v) {
  std::string_view addr = v;
  size_t lt = v.find('<');
  if (lt != std::string_view::npos) {
    size_t gt = v.find('>', lt);
    addr = v.substr(lt + 1, gt == std::string_view::npos ? std::string_view::npos : gt - lt - 1);
  } else {
    size_t comma = v.find(',');
    if (comma != std::string_view::npos) addr = v.substr(0, comma);
    size_t paren = addr.find('(');  // a trailing comment
    if (paren != std::string_view::npos) addr = addr.substr(0, paren);
  }
  size_t at = addr.rfind('@');
  if (at == std::string_view::npos) return "";
  std::string_view dom = addr.substr(at + 1);
  while (!dom.empty() && (dom.front() == ' ' || dom.front() == '\t' || dom.front() == '\r' || dom.front() == '\n'))
    dom.remove_prefix(1);
  while (!dom.empty() && (dom.back() == ' ' || dom.back() == '\t' || dom.back() == '\r' || dom.back() == '\n'))
    dom.remove_suffix(1);
  std::string d = util::to_lower(dom);
  return valid_domain(d) ? d : "";
}

namespace {

// Writes a header field, folding before a piece that would pass 78 columns.
class Folder {
 public:
  explicit Folder(std::string_view start) : out_(start), col_(start.size()) {}
  void add(std::string_view piece, bool space) {
    size_t need = piece.size() + (space ? 1 : 0);
    if (col_ + need > 78 && col_ > 1) {
      out_ += "\r\n\t";
      col_ = 8;
    } else if (space) {
      out_ += ' ';
      ++col_;
    }
    out_ += piece;
    col_ += piece.size();
  }
  size_t column() const { return col_; }
  std::string& text() { return out_; }

 private:
  std::string out_;
  size_t col_;
};

}  // namespace

std::vector<std::string> Signer::sign(std::string_view message, std::string_view domain,
                                      std::optional<std::time_t> now) const {
  Message msg = [&] {
    try {
      return Message::parse(message);
    } catch (const MessageError& e) {
      throw SignError(std::string("cannot sign: ") + e.what());
    }
  }();
  const HeaderField* from = msg.find("from");
  if (!from) throw SignError("cannot sign: the message has no From header field");
  std::string dom = domain.empty() ? from_domain(from->value()) : util::to_lower(domain);
  auto keys = keys_for(dom);
  if (keys.empty()) return {};

  std::time_t t = now ? *now : std::time(nullptr);

  // h=: each listed field as often as present, +1 if over-signed (8.15).
  std::vector<std::string> h;
  for (const auto& name : options_.headers) {
    size_t n = msg.count(name);
    if (std::find(options_.oversign.begin(), options_.oversign.end(), name) != options_.oversign.end()) ++n;
    for (size_t i = 0; i < n; ++i) h.push_back(name);
  }
  if (std::find(h.begin(), h.end(), "from") == h.end()) h.insert(h.begin(), "from");

  // One body hash serves every signature (all relaxed, no l=).
  std::string bh = util::base64_encode(body_hash(Canon::relaxed, msg.body(), std::nullopt).digest);

  std::vector<std::string> out;
  for (const SigningKey* key : keys) {
    Folder f("DKIM-Signature:");
    f.add("v=1;", true);
    f.add("a=" + std::string(to_string(key->algorithm)) + ";", true);
    f.add("c=relaxed/relaxed;", true);
    f.add("d=" + key->domain + ";", true);
    f.add("s=" + key->selector + ";", true);
    f.add("t=" + std::to_string(t) + ";", true);
    if (options_.expire_after) f.add("x=" + std::to_string(t + options_.expire_after->count()) + ";", true);
    for (size_t i = 0; i < h.size(); ++i)
      f.add((i == 0 ? "h=" : "") + h[i] + (i + 1 == h.size() ? ";" : ":"), i == 0);
    f.add("bh=" + bh + ";", true);
    f.add("b=", true);
    std::string unsigned_field = f.text();
    std::string data = signed_header_data(msg, h, Canon::relaxed, unsigned_field);
    std::string b = util::base64_encode(sign_data(key->key.get(), key->algorithm, data));
    // Fill the rest of the line, then whole continuation lines.
    size_t pos = 0;
    size_t first = f.column() < 76 ? 76 - f.column() : 0;
    if (first > 0) {
      f.add(std::string_view(b).substr(0, first), false);
      pos = first;
    }
    while (pos < b.size()) {
      std::string_view chunk = std::string_view(b).substr(pos, 68);
      f.text() += "\r\n\t";
      f.text() += chunk;
      pos += chunk.size();
    }
    f.text() += "\r\n";
    out.push_back(std::move(f.text()));
  }
  return out;
}

std::string Signer::signature_block(std::string_view message, std::string_view domain,
                                    std::optional<std::time_t> now) const {
  std::string s;
  for (auto& f : sign(message, domain, now)) s += f;
  return s;
}

}  // namespace postern::dkim
