// Mailbox names: client form ("Archive/2024", '/' separator, UTF-8) and the
// Maildir++ directory form (".Archive.2024"). Pure code, no I/O.
// Trust boundary: names come from IMAP clients and other Maildir tools; every
// name is validated before it becomes a path (no "..", no '/', bounded).
// RFC 3501 section 5.1 (INBOX is case-insensitive), RFC 6154 (special-use).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::store::names {

constexpr size_t kMaxNameLength = 255;

// Validates and canonicalizes a client name (leading "inbox" component in any
// case becomes "INBOX"). Throws MailboxError with a human message if invalid:
// empty components, "." or "..", control characters, a component starting with
// '.', the wildcards '*' and '%', invalid UTF-8, longer than 255 bytes.
std::string canonical(std::string_view name);
// Same check, returning the reason instead of throwing ("" when valid).
std::string invalid_reason(std::string_view name);
bool is_inbox(std::string_view canonical_name);
// "" for INBOX, otherwise "." + components joined by '.' with '.' in a
// component written as "%2E" (the name cannot hold '%', so this is reversible).
std::string to_dir(std::string_view canonical_name);
// Inverse of to_dir for a directory entry found on disk; nullopt if it is not
// a mailbox directory Postern would have written.
std::optional<std::string> from_dir(std::string_view dir);
// "A/B/C" -> "A/B"; "" for a top-level name.
std::string parent(std::string_view canonical_name);
// RFC 6154 attributes accepted for create_mailbox ("" allowed).
bool valid_special_use(std::string_view special_use);

}  // namespace postern::store::names
