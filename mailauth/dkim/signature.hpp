// The DKIM-Signature header field, parsed strictly.
// Trust boundary: the field comes from an untrusted message.
// RFC 6376 3.5 (tags v a b bh c d h i l q s t x z), 3.2 (tag-list),
// 6.1.1 (validation: required tags, i/d relationship, h must include From),
// RFC 8301 (rsa-sha1 not accepted), RFC 8463 (ed25519-sha256).
#pragma once

#include "mailauth/dkim/canon.hpp"
#include "mailauth/dkim/crypto.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::dkim {

struct Signature {
  // Filled as far as parsing got, so that a failed signature can still be
  // reported with its d=, s= and a=.
  std::string algorithm_text;  // a= as written
  std::string domain;          // d=, lowercase
  std::string selector;        // s=
  std::string b_text;          // b= without FWS (base64)

  Algorithm algorithm = Algorithm::rsa_sha256;
  std::string b;   // decoded signature
  std::string bh;  // decoded body hash
  Canon header_canon = Canon::simple;
  Canon body_canon = Canon::simple;
  std::vector<std::string> headers;  // h=, lowercase, in order
  std::string identity;              // i= (default "@" + d)
  std::string identity_domain;       // domain part of i=, lowercase
  std::optional<uint64_t> length;    // l=
  std::optional<int64_t> timestamp;  // t=
  std::optional<int64_t> expiration; // x=
  // Offsets (within the field's value) of the b= value to blank for hashing.
  size_t b_begin = 0, b_end = 0;
};

// Parses the value (text after "DKIM-Signature:") of a field. Returns "" on
// success or the reason the signature is a permerror.
std::string parse_signature(std::string_view value, Signature& out);

// Domain-name syntax check for d=, s= and i= domains (LDH labels, 1..63
// octets each, <= 253 total; underscores allowed in selectors).
bool valid_domain(std::string_view d, bool allow_underscore = false);

}  // namespace postern::dkim
