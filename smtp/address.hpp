// SMTP paths and mailbox addresses (RFC 5321 section 4.1.2, with the
// RFC 6531 section 3.3 extensions for UTF-8 local parts and U-label domains,
// and the size limits of RFC 5321 section 4.5.3.1).
// Trust boundary: input is an untrusted command argument; parsing is strict,
// bounded and never allocates more than the input size.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace postern::smtp {

struct Address {
  std::string local;   // as written (a quoted local part keeps its quotes)
  std::string domain;  // domain or address literal ("[192.0.2.1]") as written
  bool utf8 = false;   // non-ASCII bytes appear in local or domain
  std::string str() const { return domain.empty() ? local : local + "@" + domain; }
  bool is_literal() const { return !domain.empty() && domain.front() == '['; }
};

struct Path {
  bool null = false;        // "<>" (reverse-path only)
  bool postmaster = false;  // "<Postmaster>" with no domain (RFC 5321 4.1.1.3)
  Address addr;
};

enum class PathError { none, syntax, too_long };

// Parses a Path ("<" [A-d-l ":"] Mailbox ">") or, if allow_null, "<>", at the
// start of s. The source route (A-d-l) is checked and ignored (RFC 5321
// 4.1.2 / appendix C). Sets consumed to the number of bytes used.
PathError parse_path(std::string_view s, bool allow_null, Path& out, size_t& consumed);

// RFC 5321 Domain (sub-domain *("." sub-domain)); with allow_utf8, U-labels
// (well-formed UTF-8) are allowed as in RFC 6531.
bool valid_domain(std::string_view d, bool allow_utf8);
// RFC 5321 4.1.3 address literal including brackets: [IPv4], [IPv6:...], [tag:content].
bool valid_address_literal(std::string_view lit);
// Length of a well-formed non-ASCII UTF-8 sequence starting at s[i], or 0.
size_t utf8_sequence(std::string_view s, size_t i);

// The local part's value: quotes and quoted-pair backslashes removed.
std::string unquote_local(std::string_view local);

}  // namespace postern::smtp
