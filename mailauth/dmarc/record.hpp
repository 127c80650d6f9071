// The DMARC policy record (RFC 7489 section 6.3 tags, 6.4 grammar; RFC 9091
// np=): parsed strictly, with the RFC's rules for what to do with errors.
// Trust boundary: the record text comes from DNS (attacker-controlled for
// the attacker's own domains); parsing is bounded and never throws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::dmarc {

enum class Policy { none, quarantine, reject };
enum class Alignment { relaxed, strict };

std::string_view to_string(Policy p);
std::optional<Policy> parse_policy(std::string_view s);  // case-insensitive

struct Record {
  Policy p = Policy::none;
  std::optional<Policy> sp;   // subdomain policy; absent = p
  std::optional<Policy> np;   // RFC 9091 non-existent subdomain policy; absent = sp, then p
  int pct = 100;              // 0..100
  Alignment adkim = Alignment::relaxed;
  Alignment aspf = Alignment::relaxed;
  std::vector<std::string> rua, ruf;  // reporting URIs (kept, not used for sending)
  std::string fo = "0";
  std::string rf = "afrf";
  uint32_t ri = 86400;
  bool p_defaulted = false;   // p was missing/invalid and rua valid: p=none (6.6.3)
  std::vector<std::string> warnings;  // tags ignored or defaulted, for logs

  // Policy for the organizational domain's subdomains (sp, else p).
  Policy subdomain_policy() const { return sp.value_or(p); }
  // Policy for non-existent subdomains (np, else sp, else p).
  Policy nonexistent_policy() const { return np.value_or(subdomain_policy()); }
};

enum class ParseStatus {
  ok,
  not_dmarc,   // does not begin with v=DMARC1: not a DMARC record at all (6.6.3 step 2)
  invalid,     // a DMARC record that must be ignored (no usable p and no valid rua)
};

struct ParseResult {
  ParseStatus status = ParseStatus::not_dmarc;
  Record record;
  std::string error;  // why, when not ok
};

// True when the TXT string begins with "v=DMARC1" (whitespace allowed around
// '='), followed by ';', whitespace or the end (RFC 7489 6.4 dmarc-version).
bool is_dmarc_record(std::string_view txt);

// Parses one TXT record. Rules (RFC 7489 6.3, 6.6.3):
//  - v=DMARC1 must come first (case-sensitive value);
//  - tag names are case-insensitive, unknown tags are ignored;
//  - p missing or invalid, or sp invalid: if rua holds at least one valid URI
//    the record acts as p=none, otherwise the record is invalid;
//  - other syntax errors (pct, adkim, aspf, np, fo, ri, rf) fall back to the
//    tag's default and are noted in warnings;
//  - a repeated tag: the first one counts, the repetition is a warning.
// Records longer than 4096 octets or with more than 64 tags are invalid.
ParseResult parse_record(std::string_view txt);

}  // namespace postern::dmarc
