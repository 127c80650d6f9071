// The RFC5322.From identity for DMARC (RFC 7489 section 3.1, 6.6.1): every
// From field of the header is parsed as an RFC 5322 section 3.4 address list
// (display names, comments, quoted local parts, encoded words in phrases,
// groups, obs-route angle addresses, RFC 6532 UTF-8) and its domains
// reduced to one author domain.
//
// Choice for RFC 7489 6.6.1 (documented in docs/ by the lead):
//  - no From field                           -> missing   (DMARC permerror)
//  - From fields/mailboxes with several different domains -> multiple_domains
//    (permerror: fail closed; evaluating only one would let a forger pick
//    the domain that passes while the reader sees the other)
//  - several From fields or mailboxes all with the same domain -> evaluated
//    once for that domain
//  - a From that does not parse, has no mailbox (empty group) or a domain
//    that is not a DNS name (IP literal, bad label) -> unparsable/no_domain
//    (permerror)
// Trust boundary: untrusted header text; bounded fields, mailboxes, nesting.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postern::dmarc {

struct Mailbox {
  std::string display;  // display name as written (encoded words not decoded)
  std::string local;    // local part (quotes removed)
  std::string domain;   // as written (may be UTF-8)
};

enum class FromStatus { ok, missing, multiple_domains, unparsable, no_domain };
std::string_view to_string(FromStatus s);

struct FromIdentity {
  FromStatus status = FromStatus::missing;
  std::string domain;                 // lowercase A-label form, when ok
  std::vector<std::string> domains;   // every distinct domain seen (A-label when convertible)
  size_t from_fields = 0;
  size_t mailboxes = 0;
  std::string error;                  // why, when not ok
};

// Parses one address-list (unfolded field value). Returns false with `error`
// set when it does not parse. At most `max_mailboxes` are returned.
bool parse_address_list(std::string_view value, std::vector<Mailbox>& out, std::string& error,
                        size_t max_mailboxes = 64);

// Finds and reduces the From fields of a header block (as split_header_fields).
FromIdentity extract_from(std::string_view header_block);

}  // namespace postern::dmarc
