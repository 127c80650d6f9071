// Mailbox names between the wire and the store (RFC 9051 section 5.1):
// modified UTF-7 decoding/encoding, INBOX case-insensitivity, the "/"
// hierarchy delimiter, and LIST pattern matching with "*" and "%"
// (RFC 9051 section 6.3.9). Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::imap {

inline constexpr char kDelimiter = '/';

// A client's mailbox argument -> the store's UTF-8 name; nullopt if it is not
// valid modified UTF-7 (or, with UTF8=ACCEPT, not valid). "inbox" -> "INBOX";
// a trailing delimiter is dropped ("a/b/" -> "a/b", RFC 9051 section 6.3.4).
std::optional<std::string> mailbox_from_wire(std::string_view raw, bool utf8_accept = false);
// The store's name -> the wire form (modified UTF-7 unless UTF8=ACCEPT), as an astring.
std::string mailbox_to_wire(std::string_view name, bool utf8_accept = false);

// Does `name` (wire form) match the LIST pattern? "*" matches anything, "%"
// anything but the delimiter; INBOX's name matches case-insensitively.
bool list_match(std::string_view name, std::string_view pattern);

}  // namespace postern::imap
