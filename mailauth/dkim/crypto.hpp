// DKIM's public-key operations on OpenSSL 3 EVP: loading signing keys,
// decoding published keys, signing and verifying header hashes.
// Trust boundary: private key files are the administrator's (errors name the
// file); public keys come from DNS (untrusted, decoded strictly).
// RFC 6376 3.3.1 (rsa-sha256, RSASSA-PKCS1-v1_5), RFC 8301 3.2 (RSA key
// sizes), RFC 8463 3 and 4 (ed25519-sha256: Ed25519 over the SHA-256 hash).
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace postern::dkim {

enum class Algorithm { rsa_sha256, ed25519_sha256 };
enum class KeyType { rsa, ed25519 };

std::string_view to_string(Algorithm a);  // "rsa-sha256" / "ed25519-sha256"
std::string_view to_string(KeyType k);    // "rsa" / "ed25519"
KeyType key_type_of(Algorithm a);

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

// A signing key could not be loaded; the message names the file.
class KeyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Loads a PEM private key (PKCS#8 or PKCS#1 "RSA PRIVATE KEY"), or for
// Ed25519 also the base64 of the raw 32-byte seed (dkimpy/rspamd format).
// Throws KeyError("<file>: <reason>").
Pkey load_private_key_file(const std::string& path);
Pkey load_private_key_pem(std::string_view pem, const std::string& what);

KeyType key_type(const EVP_PKEY* key);  // throws KeyError for other key types
int key_bits(const EVP_PKEY* key);

// Decodes the p= bytes of a key record: for rsa a DER SubjectPublicKeyInfo
// (or a bare RSAPublicKey, as some publishers use), for ed25519 the 32 raw
// bytes. Returns nullptr and sets `error` on failure.
Pkey decode_public_key(KeyType k, std::string_view der, std::string& error);

// The p= bytes for a key (SubjectPublicKeyInfo DER for RSA, raw for Ed25519).
std::string public_key_bytes(const EVP_PKEY* key);

// Signs the canonical header data (RFC 6376 3.7) with the key.
std::string sign_data(const EVP_PKEY* key, Algorithm a, std::string_view data);
bool verify_data(const EVP_PKEY* key, Algorithm a, std::string_view data, std::string_view sig);

std::string sha256(std::string_view data);

}  // namespace postern::dkim
