// Formatting of server responses (RFC 9051 section 7 and the response grammar
// of section 9): strings as atom, quoted string or literal; flag lists;
// date-time. Pure functions; the session writes what they produce.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::imap {

// string: a quoted string when it can be one (no CR, LF, NUL or 8-bit, short),
// otherwise a literal "{n}\r\n<bytes>".
std::string imap_string(std::string_view s);
// nstring: NIL or a string.
std::string imap_nstring(const std::optional<std::string>& s);
// astring: an atom when it is one (and not NIL), otherwise a string.
std::string imap_astring(std::string_view s);
// A literal, always.
std::string imap_literal(std::string_view s);
// flag-list content for store bits + keywords: "\Seen \Flagged $Junk".
std::string format_flags(uint32_t system, const std::vector<std::string>& keywords);
// date-time "17-Jul-1996 02:44:25 +0000" (with quotes), in UTC.
std::string format_date_time(int64_t unix_seconds);

}  // namespace postern::imap
