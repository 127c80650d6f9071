// DKIM key generation and the DNS record to publish for a key.
// Trust boundary: run by the administrator; writes a private key file that
// must not be readable by others and must not replace an existing key.
// RFC 6376 3.6.1 (key record tags), 3.6.2.2 (TXT strings of <= 255 octets),
// RFC 8463 4.2 (k=ed25519, raw 32-byte key), RFC 8301 3.2 (RSA sizes).
#pragma once

#include "mailauth/dkim/crypto.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace postern::dkim {

// Generates an RSA key of `bits` (1024..8192) or an Ed25519 key.
// Throws std::invalid_argument for a bad size.
Pkey generate_key(KeyType type, int bits = 2048);

// PKCS#8 PEM of a private key.
std::string private_key_pem(const EVP_PKEY* key);

// Creates `path` with mode 0600 (O_EXCL: never overwrites) and writes the
// text. Throws std::runtime_error("<path>: ...").
void write_private_key_file(const std::string& path, std::string_view pem);

// "v=DKIM1; k=rsa; p=MIIB..." for a key (public part).
std::string key_record_text(const EVP_PKEY* key);

// Splits a TXT value into character-strings of at most `max` octets.
std::vector<std::string> split_txt(std::string_view text, size_t max = 255);

// The zone-file line to publish:
//   sel._domainkey.example.org. IN TXT ( "v=DKIM1; k=rsa; p=..." "..." )
std::string zone_record(std::string_view domain, std::string_view selector, std::string_view record_text);

}  // namespace postern::dkim
