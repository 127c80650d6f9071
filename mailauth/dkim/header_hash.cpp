// Builds the signed header data (see header_hash.hpp).
// Trust boundary: untrusted message; work bounded by |h| x |fields|.
// RFC 6376 3.7 and 5.4.2.
#include "mailauth/dkim/header_hash.hpp"

#include "common/util/strings.hpp"

namespace postern::dkim {

std::string signed_header_data(const Message& msg, const std::vector<std::string>& h, Canon c,
                               std::string_view sig_field) {
  const auto& fields = msg.headers();
  std::vector<bool> used(fields.size(), false);
  std::string out;
  for (const auto& name : h) {
    for (size_t i = fields.size(); i-- > 0;) {
      if (used[i] || !util::iequals(fields[i].name, name)) continue;
      used[i] = true;
      out += canon_header(c, fields[i].raw);
      break;
    }
  }
  std::string sig = canon_header(c, sig_field);
  sig.resize(sig.size() - 2);  // 3.7: without the trailing CRLF
  out += sig;
  return out;
}

}  // namespace postern::dkim
