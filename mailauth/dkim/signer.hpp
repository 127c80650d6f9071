// DKIM signing of outgoing mail (submission and postern-sendmail).
// Trust boundary: the message comes from an authenticated local user; the
// keys come from the administrator's configuration (errors name the file).
// RFC 6376 5 (signer actions), 3.5 (the tags we write), 3.4.2/3.4.4 (we
// always sign relaxed/relaxed), 8.15 (over-signing: header names listed once
// more than present so that added fields break the signature), RFC 8463
// (ed25519-sha256 next to rsa-sha256).
#pragma once

#include "common/config/config.hpp"
#include "mailauth/dkim/crypto.hpp"

#include <chrono>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace postern::dkim {

class SignError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SigningKey {
  std::string domain;    // d=, lowercase
  std::string selector;  // s=
  Algorithm algorithm = Algorithm::rsa_sha256;
  Pkey key;
  std::string key_file;  // for messages
};

struct SignOptions {
  // Header fields signed when present (in this order), lowercase.
  std::vector<std::string> headers;
  // Of those, the ones signed once more than present (also when absent).
  std::vector<std::string> oversign;
  std::optional<std::chrono::seconds> expire_after;  // x= = t= + this
  SignOptions();  // the default lists below
};

const std::vector<std::string>& default_signed_headers();
const std::vector<std::string>& default_oversigned_headers();

// Builds the key for one configuration entry: reads and checks the file
// (algorithm matches the key; RSA at least 1024 bits). Throws KeyError
// "<file>: ..." naming the file, and ConfigError-like text for bad entries.
SigningKey load_signing_key(const config::DkimKey& k);

class Signer {
 public:
  Signer() = default;
  explicit Signer(std::vector<SigningKey> keys, SignOptions options = {});
  // Loads every [[mailauth.dkim_keys]] entry. Throws KeyError.
  static Signer from_config(const std::vector<config::DkimKey>& keys, SignOptions options = {});

  // Keys used for mail from `domain`: those of the domain itself, else those
  // of its closest parent domain that has keys (aligned under relaxed DMARC).
  std::vector<const SigningKey*> keys_for(std::string_view domain) const;
  bool empty() const { return keys_.empty(); }

  // The DKIM-Signature fields (each ending in CRLF) to prepend to `message`,
  // one per key of `domain` (so both rsa-sha256 and ed25519-sha256 when both
  // are configured). An empty domain means the From address's domain. Returns
  // nothing when there is no key for the domain. Throws SignError for a
  // message that cannot be signed (malformed header, no From).
  std::vector<std::string> sign(std::string_view message, std::string_view domain = {},
                                std::optional<std::time_t> now = std::nullopt) const;

  // The same fields concatenated, ready to be written before the message.
  std::string signature_block(std::string_view message, std::string_view domain = {},
                              std::optional<std::time_t> now = std::nullopt) const;

 private:
  std::vector<SigningKey> keys_;
  SignOptions options_;
};

// The domain of the (first) address in a From field value, lowercase, or "".
std::string from_domain(std::string_view from_value);

}  // namespace postern::dkim
