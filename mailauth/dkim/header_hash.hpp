// The header data a DKIM signature covers.
// Trust boundary: pure function over a parsed (untrusted) message.
// RFC 6376 3.7 (hash computation), 5.4.2 (several instances of a field are
// taken from the bottom up; a name with no instance left contributes
// nothing, which is what makes over-signing work).
#pragma once

#include "mailauth/dkim/canon.hpp"
#include "mailauth/dkim/message.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace postern::dkim {

// `sig_field` is the whole DKIM-Signature field (name included) with the b=
// value blanked; it is canonicalized and appended without its final CRLF.
std::string signed_header_data(const Message& msg, const std::vector<std::string>& h, Canon c,
                               std::string_view sig_field);

}  // namespace postern::dkim
