// Maildir file names: "<unique>[:2,<flags>]" where unique is
// "<time>.<pid>_<random>.<host>,S=<size>,U=<uid>". Pure code, no I/O.
// Trust boundary: names found on disk may come from other Maildir tools or a
// hostile local user; the parser accepts any bytes and never throws.
// Spec: cr.yp.to/proto/maildir.html ("info" semantics, flags in ASCII order),
// Courier Maildir++ (",S=" size field).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postern::store::maildir {

struct ParsedName {
  std::string_view base;         // unique part, before the first ':'
  bool has_info = false;         // ":2," present
  uint32_t flags = 0;            // store::Flag bits from D F R S T
  std::string other_flags;       // other info letters (P, a-z, ...), ASCII order, unique
  std::optional<uint64_t> size;  // ",S=<n>" in the unique part
  std::optional<uint32_t> uid;   // ",U=<n>" (Postern's UID hint, n >= 1)
};

constexpr size_t kMaxNameLength = 255;

// nullopt when `name` is not a message file name: empty, too long, starts with
// '.', or contains '/' or NUL. Unknown info versions ("1,...") give no flags.
std::optional<ParsedName> parse_name(std::string_view name);
// ":2," letters for `flags` merged with `other` letters, in ASCII order (D F R S T).
std::string flag_letters(uint32_t flags, std::string_view other = {});
// base + ":2," + letters.
std::string name_with_flags(std::string_view base, uint32_t flags, std::string_view other = {});
// A new unique part "<time>.<pid>_<random>.<host>,S=<size>" (hostname '/', ':'
// and ',' escaped as \057, \072, \054 per the Maildir spec).
std::string unique_base(int64_t now, uint64_t size);
// 16 random hex digits (getrandom), for temporary names.
std::string random_token();

}  // namespace postern::store::maildir
