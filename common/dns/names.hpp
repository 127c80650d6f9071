// Domain-name helpers shared by every resolver: the normalized form used as
// a key (lowercase, no trailing dot) and the syntax check done before a name
// is queried. Pure functions.
// Trust boundary: names may come from anywhere (SPF macros expand client data
// into names), so they are checked, never assumed valid.
// RFC 1035 section 2.3.4 (size limits), RFC 4343 (case-insensitivity).
#pragma once

#include <string>
#include <string_view>

namespace postern::dns {

// Lowercase, without the trailing dot.
std::string normalize_name(std::string_view name);
// True when name can be queried: labels of 1..63 octets, at most 253 octets
// in text form (a single trailing dot allowed).
bool valid_query_name(std::string_view name);

}  // namespace postern::dns
