// Decoding of DNS rdata in wire format (RFC 1035 section 3.3, RFC 3596 for
// AAAA, RFC 6698 section 2.1 for TLSA) into the fields of dns::Answer.
// Trust boundary: the bytes come from the network (via libunbound); every
// length is checked, nothing is read past the span, names are bounded.
// Pure code, no I/O. libunbound hands out rdata with names uncompressed, so a
// compression pointer in rdata is an error here.
#pragma once

#include "common/dns/types.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace postern::dns::wire {

using Bytes = std::span<const uint8_t>;

std::optional<std::string> parse_a(Bytes rdata);     // "192.0.2.1"
std::optional<std::string> parse_aaaa(Bytes rdata);  // "2001:db8::1"
// TXT: the character-strings of one record, concatenated (RFC 7208 3.3).
std::optional<std::string> parse_txt(Bytes rdata);
// A domain name filling the whole rdata (PTR, CNAME, NS): lowercase, no
// trailing dot, "" for the root; bytes outside [!-~] and '.' '\' in labels are
// written as \DDD (RFC 1035 section 5.1).
std::optional<std::string> parse_name_rdata(Bytes rdata);
std::optional<MxRecord> parse_mx(Bytes rdata);
std::optional<TlsaRecord> parse_tlsa(Bytes rdata);

// Fills answer's field for type from one rdata item; false if malformed.
bool add_rdata(Answer& answer, RType type, Bytes rdata);

}  // namespace postern::dns::wire
