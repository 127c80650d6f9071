// OpenSSL 3 EVP operations for DKIM (see crypto.hpp).
// Trust boundary: private key files (administrator), public keys (DNS).
// RFC 6376 3.3 (signing algorithms), RFC 8301 (no rsa-sha1; RSA >= 1024 bits),
// RFC 8463 (Ed25519: PureEdDSA over the SHA-256 of the header data).
#include "mailauth/dkim/crypto.hpp"

#include "common/util/strings.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace postern::dkim {

namespace {

std::string openssl_error() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

}  // namespace

std::string_view to_string(Algorithm a) {
  return a == Algorithm::rsa_sha256 ? "rsa-sha256" : "ed25519-sha256";
}
std::string_view to_string(KeyType k) { return k == KeyType::rsa ? "rsa" : "ed25519"; }
KeyType key_type_of(Algorithm a) {
  return a == Algorithm::rsa_sha256 ? KeyType::rsa : KeyType::ed25519;
}

Pkey load_private_key_pem(std::string_view pem, const std::string& what) {
  std::string_view trimmed = util::trim(pem);
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) trimmed.remove_suffix(1);
  if (trimmed.find("-----BEGIN") == std::string_view::npos) {
    // Ed25519 seed in base64 (44 characters), as dkimpy and rspamd store it.
    auto raw = util::base64_decode(util::trim(trimmed));
    if (!raw || raw->size() != 32)
      throw KeyError(what + ": not a PEM private key (nor a base64 Ed25519 seed)");
    Pkey k(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                        reinterpret_cast<const unsigned char*>(raw->data()), 32));
    if (!k) throw KeyError(what + ": invalid Ed25519 seed: " + openssl_error());
    return k;
  }
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                BIO_free);
  if (!bio) throw KeyError(what + ": out of memory");
  Pkey k(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!k) throw KeyError(what + ": cannot parse private key: " + openssl_error());
  if (!EVP_PKEY_is_a(k.get(), "RSA") && !EVP_PKEY_is_a(k.get(), "ED25519"))
    throw KeyError(what + ": not an RSA or Ed25519 key (DKIM has no other key types)");
  return k;
}

Pkey load_private_key_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw KeyError(path + ": cannot open DKIM key file: " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (text.size() > 64 * 1024) throw KeyError(path + ": DKIM key file is too large");
  return load_private_key_pem(text, path);
}

KeyType key_type(const EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "RSA")) return KeyType::rsa;
  if (EVP_PKEY_is_a(key, "ED25519")) return KeyType::ed25519;
  throw KeyError("key is neither RSA nor Ed25519");
}

int key_bits(const EVP_PKEY* key) { return EVP_PKEY_get_bits(key); }

Pkey decode_public_key(KeyType k, std::string_view der, std::string& error) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  if (k == KeyType::ed25519) {
    if (der.size() != 32) {
      error = "ed25519 key is not 32 bytes";
      return nullptr;
    }
    Pkey key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, p, 32));
    if (!key) error = "invalid ed25519 key";
    return key;
  }
  const unsigned char* q = p;
  Pkey key(d2i_PUBKEY(nullptr, &q, static_cast<long>(der.size())));
  if (key && q != p + der.size()) key.reset();  // trailing garbage
  if (!key) {
    ERR_clear_error();
    q = p;
    key.reset(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &q, static_cast<long>(der.size())));
    if (key && q != p + der.size()) key.reset();
  }
  ERR_clear_error();
  if (!key || !EVP_PKEY_is_a(key.get(), "RSA")) {
    error = "p= is not an RSA public key";
    return nullptr;
  }
  return key;
}

std::string public_key_bytes(const EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "ED25519")) {
    unsigned char raw[32];
    size_t len = sizeof raw;
    if (EVP_PKEY_get_raw_public_key(key, raw, &len) != 1) throw KeyError("cannot export ed25519 key");
    return std::string(reinterpret_cast<char*>(raw), len);
  }
  int len = i2d_PUBKEY(key, nullptr);
  if (len <= 0) throw KeyError("cannot export public key: " + openssl_error());
  std::string out(static_cast<size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  i2d_PUBKEY(key, &p);
  return out;
}

std::string sha256(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(md), len);
}

std::string sign_data(const EVP_PKEY* key, Algorithm a, std::string_view data) {
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) throw std::runtime_error("out of memory");
  auto* k = const_cast<EVP_PKEY*>(key);
  std::string tbs;
  const EVP_MD* md = nullptr;
  if (a == Algorithm::rsa_sha256) {
    md = EVP_sha256();
    tbs = data;
  } else {
    tbs = sha256(data);  // RFC 8463 3: Ed25519 signs the SHA-256 hash
  }
  if (EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, k) != 1)
    throw std::runtime_error("DKIM sign init: " + openssl_error());
  size_t len = 0;
  auto* in = reinterpret_cast<const unsigned char*>(tbs.data());
  if (EVP_DigestSign(ctx.get(), nullptr, &len, in, tbs.size()) != 1)
    throw std::runtime_error("DKIM sign: " + openssl_error());
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in, tbs.size()) != 1)
    throw std::runtime_error("DKIM sign: " + openssl_error());
  sig.resize(len);
  return sig;
}

bool verify_data(const EVP_PKEY* key, Algorithm a, std::string_view data, std::string_view sig) {
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx) return false;
  auto* k = const_cast<EVP_PKEY*>(key);
  std::string tbs;
  const EVP_MD* md = nullptr;
  if (a == Algorithm::rsa_sha256) {
    md = EVP_sha256();
    tbs = data;
  } else {
    tbs = sha256(data);
  }
  bool ok = EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, k) == 1 &&
            EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                             reinterpret_cast<const unsigned char*>(tbs.data()), tbs.size()) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace postern::dkim
