// DKIM canonicalization of header fields and bodies, and the body hash.
// Trust boundary: pure functions over untrusted bytes.
// RFC 6376 section 3.4 (simple and relaxed, header and body), 3.5 l= (body
// length limit), 3.7 (body hash).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postern::dkim {

enum class Canon { simple, relaxed };

// One raw header field (name, colon, value, folding, final CRLF) in canonical
// form, always ending in CRLF. RFC 6376 3.4.1 and 3.4.2.
std::string canon_header(Canon c, std::string_view raw_field);

// The canonical body as a string (for tests; hashing streams it instead).
// RFC 6376 3.4.3 and 3.4.4.
std::string canon_body(Canon c, std::string_view body);

struct BodyHash {
  std::string digest;       // raw SHA-256 (32 bytes)
  uint64_t canonical_length = 0;  // octets of the whole canonical body
};

// SHA-256 of the canonical body, limited to the first `limit` octets if
// given (l=, RFC 6376 3.5 and 3.7).
BodyHash body_hash(Canon c, std::string_view body, std::optional<uint64_t> limit);

}  // namespace postern::dkim
