// Domain-name helpers (see names.hpp). RFC 1035 2.3.4, RFC 4343.
// Trust boundary: any input; bounded checks only.
#include "common/dns/names.hpp"

#include "common/util/strings.hpp"

namespace postern::dns {

std::string normalize_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return util::to_lower(name);
}

bool valid_query_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return false;
  size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (++label > 63) {
      return false;
    }
  }
  return label > 0;
}

}  // namespace postern::dns
