// Mailbox names on the wire: modified UTF-7 (RFC 3501 section 5.1.3), which
// RFC 9051 keeps for clients that have not enabled UTF8=ACCEPT. The store
// names mailboxes in UTF-8. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::imap {

// UTF-8 -> modified UTF-7. Invalid UTF-8 bytes are encoded as U+FFFD.
std::string mutf7_encode(std::string_view utf8);
// Modified UTF-7 -> UTF-8; nullopt if malformed (bad base64, "&" unclosed,
// unpaired surrogates, or printable ASCII needlessly encoded).
std::optional<std::string> mutf7_decode(std::string_view mutf7);

}  // namespace postern::imap
