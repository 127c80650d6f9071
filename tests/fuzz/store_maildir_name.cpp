// Fuzz target: the Maildir file-name parser (common/store/maildir_name.hpp).
// Trust boundary exercised: names of files other Maildir tools or local users
// drop into a mailbox. Checks it never crashes and that formatting the parsed
// flags back into a name and parsing again gives the same flags (round trip).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/store/maildir_name.hpp"

using namespace postern::store::maildir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view name(reinterpret_cast<const char*>(data), size);
  auto p = parse_name(name);
  if (!p) return 0;
  if (p->base.empty() || p->base.size() > name.size()) std::abort();
  std::string again = name_with_flags(p->base, p->flags, p->other_flags);
  auto q = parse_name(again);
  if (again.size() <= kMaxNameLength) {
    if (!q || q->base != p->base || q->flags != p->flags || q->other_flags != p->other_flags) std::abort();
    if (q->size != p->size || q->uid != p->uid) std::abort();
  }
  return 0;
}
