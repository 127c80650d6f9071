// The DKIM key record published at <selector>._domainkey.<domain> (TXT).
// Trust boundary: DNS data, untrusted; parsed strictly.
// RFC 6376 3.6.1 (tags v h k n p s t), 3.6.2.2 (TXT strings concatenated),
// RFC 8463 4.2 (k=ed25519).
#pragma once

#include "mailauth/dkim/crypto.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace postern::dkim {

struct KeyRecord {
  KeyType type = KeyType::rsa;  // k=, default rsa
  std::string public_key;       // p= decoded; empty = revoked
  bool revoked = false;         // p= present but empty (3.6.1)
  bool testing = false;         // t=y
  bool strict = false;          // t=s: i= domain must equal d=
  bool sha256_allowed = true;   // h= absent or lists sha256
  bool email_service = true;    // s= absent, "*" or lists "email"
};

// Returns "" on success or why the record is unusable (a permerror).
std::string parse_key_record(std::string_view txt, KeyRecord& out);

}  // namespace postern::dkim
