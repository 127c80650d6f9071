// IMAP's structured views of a message (RFC 9051 section 7.5.2): ENVELOPE
// from the RFC 5322 header, and BODY / BODYSTRUCTURE from the MIME tree
// (RFC 2045/2046). Pure functions producing IMAP response syntax.
// Trust boundary: header values are untrusted; they are passed through as
// IMAP strings (quoted or literal), never decoded or interpreted further.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/mime/message.hpp"

namespace postern::mime {

// "(date subject (from) (sender) (reply-to) (to) (cc) (bcc) in-reply-to message-id)"
std::string imap_envelope(std::string_view header);
// BODYSTRUCTURE (extensible = true) or BODY (false) of a parsed message.
std::string imap_bodystructure(const Part& root, bool extensible);

// One RFC 5322 address as IMAP's address structure needs it.
struct Address {
  std::string name;     // display name ("" = NIL)
  std::string mailbox;  // local part; group start: group name; group end: ""
  std::string host;     // "" with mailbox != "": group start; all empty: group end
  bool group_start = false, group_end = false;
};
std::vector<Address> parse_address_list(std::string_view value, size_t max = 1000);

}  // namespace postern::mime
