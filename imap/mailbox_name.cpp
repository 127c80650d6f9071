// Mailbox names (see mailbox_name.hpp). RFC 9051 section 5.1 (INBOX is
// case-insensitive), 5.1.3 / RFC 3501 5.1.3 (modified UTF-7), 6.3.9 (LIST
// wildcards).
#include "imap/mailbox_name.hpp"

#include <cctype>
#include <vector>

#include "common/util/strings.hpp"
#include "imap/mutf7.hpp"
#include "imap/response.hpp"

namespace postern::imap {

std::optional<std::string> mailbox_from_wire(std::string_view raw, bool utf8_accept) {
  std::optional<std::string> name;
  if (utf8_accept)
    name = std::string(raw);
  else
    name = mutf7_decode(raw);
  if (!name) return std::nullopt;
  while (name->size() > 1 && name->back() == kDelimiter) name->pop_back();
  if (util::iequals(*name, "INBOX")) return std::string("INBOX");
  if (util::istarts_with(*name, "INBOX/")) name->replace(0, 5, "INBOX");
  return name;
}

std::string mailbox_to_wire(std::string_view name, bool utf8_accept) {
  return imap_astring(utf8_accept ? std::string(name) : mutf7_encode(name));
}

namespace {
// Wildcard match by dynamic programming: O(|name| * |pattern|) time, no
// recursion, so hostile patterns ("****...b") cannot blow up.
bool match_at(std::string_view name, std::string_view pat) {
  // row[j]: does name[0..i) match pat[0..j)?
  std::vector<char> row(pat.size() + 1, 0), next(pat.size() + 1, 0);
  row[0] = 1;
  for (size_t j = 1; j <= pat.size(); ++j) row[j] = row[j - 1] && (pat[j - 1] == '*' || pat[j - 1] == '%');
  for (size_t i = 1; i <= name.size(); ++i) {
    char c = name[i - 1];
    next[0] = 0;
    for (size_t j = 1; j <= pat.size(); ++j) {
      char p = pat[j - 1];
      if (p == '*')
        next[j] = next[j - 1] || row[j];
      else if (p == '%')
        next[j] = next[j - 1] || (row[j] && c != kDelimiter);
      else
        next[j] = row[j - 1] && c == p;
    }
    std::swap(row, next);
  }
  return row[pat.size()];
}
}  // namespace

bool list_match(std::string_view name, std::string_view pattern) {
  if (pattern.size() > 1024) return false;
  // INBOX is case-insensitive (RFC 9051 section 5.1): for INBOX and its
  // children, the pattern's literal prefix (up to 5 characters, before any
  // wildcard) is compared case-insensitively.
  if (util::istarts_with(name, "INBOX") && (name.size() == 5 || name[5] == kDelimiter)) {
    std::string p(pattern);
    for (size_t i = 0; i < p.size() && i < 5 && p[i] != '*' && p[i] != '%'; ++i)
      p[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(p[i])));
    return match_at(name, p);
  }
  return match_at(name, pattern);
}

}  // namespace postern::imap
