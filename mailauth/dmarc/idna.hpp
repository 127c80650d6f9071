// Domain names from mail headers to the form DNS uses: lowercase, no
// trailing dot, non-ASCII labels as Punycode A-labels (RFC 3492, RFC 5891
// section 4.4). No IDNA2008 mapping tables beyond Unicode lowercasing: a
// label that is not valid UTF-8 or too long is refused.
// Trust boundary: input is untrusted header text; every length is bounded.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::dmarc {

// RFC 3492 encoding of one label given in UTF-8 (without "xn--").
// nullopt on invalid UTF-8 or overflow.
std::optional<std::string> punycode_encode(std::string_view utf8_label);

// A domain in A-label form: lowercase, trailing dot removed, each label
// 1..63 octets of letters, digits, '-' or '_' (after encoding), total at
// most 253 octets, at least two labels are not required. nullopt if not a
// usable domain name (empty label, bad characters, IP literal, too long).
std::optional<std::string> to_ascii_domain(std::string_view domain);

}  // namespace postern::dmarc
