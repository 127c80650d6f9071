// SPF record parser: the text of one "v=spf1" TXT record into its terms.
// Trust boundary: the record comes from DNS, i.e. from whoever controls the
// sender's domain; every byte is untrusted. Pure code, no I/O.
// RFC 7208 section 4.5 (record selection), 4.6 (record syntax: 4.6.1 term
// separation, 4.6.2 mechanisms, 4.6.3 modifiers), 5 (mechanism arguments,
// dual-cidr-length), 6 (redirect, exp), 12 (collected ABNF).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::spf {

// An IPv4 or IPv6 address in network byte order (IPv4 uses bytes[0..3]).
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};
  // Strict textual forms: dotted quad without leading zeros, or RFC 4291 IPv6.
  static std::optional<IpAddress> parse_v4(std::string_view text);
  static std::optional<IpAddress> parse_v6(std::string_view text);
  // Either family; an IPv4-mapped IPv6 address (::ffff:a.b.c.d) becomes IPv4.
  static std::optional<IpAddress> parse(std::string_view text);
  // True when the first prefix bits of both addresses (same family) match.
  bool matches(const IpAddress& network, int prefix) const;
  std::string to_string() const;  // dotted quad, or compressed lowercase IPv6
};

enum class Qualifier : char { pass = '+', fail = '-', softfail = '~', neutral = '?' };
enum class MechanismKind { all, include, a, mx, ptr, ip4, ip6, exists };

struct Mechanism {
  Qualifier qualifier = Qualifier::pass;
  MechanismKind kind = MechanismKind::all;
  std::string text;         // the directive as written, for diagnostics
  std::string domain_spec;  // unexpanded; "" = the current domain (a, mx, ptr)
  int cidr4 = 32;           // a, mx, ip4
  int cidr6 = 128;          // a, mx, ip6
  IpAddress network;        // ip4, ip6
  // True for the mechanisms that count toward the 10-lookup limit (4.6.4).
  bool needs_dns() const;
};

struct Record {
  std::vector<Mechanism> mechanisms;
  std::optional<std::string> redirect;  // unexpanded domain-spec
  std::optional<std::string> exp;       // unexpanded domain-spec
};

struct ParseResult {
  std::optional<Record> record;
  std::string error;  // set when record is empty: what made it a permerror
};

// Upper bound on the record text we parse (a TXT record set is at most ~64 KiB).
inline constexpr size_t max_record_size = 65535;

// True when txt is an SPF version 1 record: "v=spf1" alone or followed by a
// space (section 4.5; compared case-insensitively like every ABNF literal).
bool is_spf1_record(std::string_view txt);

// Parses a record already selected by is_spf1_record(). Any syntax error
// anywhere in the record makes the whole record a permerror (section 4.6).
ParseResult parse_record(std::string_view text);

// Checks a domain-spec (section 7.1): a valid macro-string that ends either
// in a macro-expand or in "." toplabel ["."]. Record context: the c, r and t
// macro letters are not allowed.
bool valid_domain_spec(std::string_view spec);

}  // namespace postern::spf

namespace postern::spf {
// Section 4.3: a <domain> check_host() can evaluate: 2+ labels of 1..63
// octets, at most 253 octets, the last one a toplabel (so not a domain
// literal and not all digits). A trailing dot is allowed.
bool valid_spf_domain(std::string_view domain);
}  // namespace postern::spf
