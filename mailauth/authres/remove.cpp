// RFC 8601 section 5 ("Removing Existing Header Fields") and 7.1 (forged
// header fields): drop A-R fields that claim our authserv-id.
#include "mailauth/authres/remove.hpp"

#include "mailauth/authres/header.hpp"
#include "mailauth/dmarc/header_fields.hpp"

namespace postern::authres {

bool claims_authserv_id(std::string_view field_value, std::string_view authserv_id) {
  auto id = parse_authserv_id(dmarc::unfold(field_value));
  if (!id) return false;
  std::string_view a = *id, b = authserv_id;
  // A trailing dot names the same host (absolute form).
  if (!a.empty() && a.back() == '.') a.remove_suffix(1);
  if (!b.empty() && b.back() == '.') b.remove_suffix(1);
  return !b.empty() && dmarc::iequals_ascii(a, b);
}

Removal remove_forged(std::string_view message, std::string_view authserv_id) {
  return remove_forged(message, std::vector<std::string>{std::string(authserv_id)});
}

Removal remove_forged(std::string_view message, const std::vector<std::string>& authserv_ids) {
  auto ours = [&](std::string_view value) {
    for (const auto& id : authserv_ids)
      if (claims_authserv_id(value, id)) return true;
    return false;
  };
  Removal r;
  r.message.reserve(message.size());
  size_t pos = 0;
  dmarc::HeaderField f;
  // Streaming over every field (no count limit: a forgery must not hide
  // behind many fields); work is linear in the header size.
  while (true) {
    size_t next = dmarc::next_header_field(message, pos, f);
    if (next == pos) break;
    if (dmarc::iequals_ascii(f.name, "Authentication-Results") && ours(f.value)) ++r.removed;
    else r.message.append(f.raw);
    pos = next;
  }
  r.message.append(message.substr(pos));
  return r;
}

}  // namespace postern::authres
