// Removal of forged Authentication-Results fields (RFC 8601 section 5, 7.1):
// before adding ours, every existing A-R field whose authserv-id equals ours
// (case-insensitive; CFWS and comments before it skipped, token or
// quoted-string form, per section 2.2) is dropped; every other field is
// kept byte for byte, in order.
// Trust boundary: the header block is attacker data; pure, bounded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postern::authres {

struct Removal {
  std::string message;  // the input with forged fields removed (body/rest untouched)
  size_t removed = 0;
};

// `message`: the header block, optionally followed by the empty line and the
// body (kept as is). `authserv_id`: ours.
Removal remove_forged(std::string_view message, std::string_view authserv_id);
// Same for several ids (RFC 8601 section 5 allows removing those of every
// name the ADMD controls, e.g. all our MX host names).
Removal remove_forged(std::string_view message, const std::vector<std::string>& authserv_ids);

// True if this field value claims `authserv_id`.
bool claims_authserv_id(std::string_view field_value, std::string_view authserv_id);

}  // namespace postern::authres
