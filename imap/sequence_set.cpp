// Sequence sets (see sequence_set.hpp). RFC 9051 section 9: "seq-range:
// 2:4 and 4:2 are equivalent", "*" is the largest number in use.
#include "imap/sequence_set.hpp"

#include <algorithm>

namespace postern::imap {

bool SequenceSet::contains(uint32_t n, uint32_t star) const {
  for (const auto& r : ranges) {
    uint32_t a = r.first == kStar ? star : r.first;
    uint32_t b = r.last == kStar ? star : r.last;
    if (a > b) std::swap(a, b);
    if (n >= a && n <= b) return true;
  }
  return false;
}

std::string SequenceSet::to_string() const {
  if (saved) return "$";
  std::string s;
  auto num = [](uint32_t v) { return v == kStar ? std::string("*") : std::to_string(v); };
  for (const auto& r : ranges) {
    if (!s.empty()) s += ',';
    s += num(r.first);
    if (r.last != r.first) s += ':' + num(r.last);
  }
  return s;
}

std::string compact_set(const std::vector<uint32_t>& v) {
  std::string s;
  for (size_t i = 0; i < v.size();) {
    size_t j = i;
    while (j + 1 < v.size() && v[j + 1] == v[j] + 1) ++j;
    if (!s.empty()) s += ',';
    s += std::to_string(v[i]);
    if (j > i) s += ':' + std::to_string(v[j]);
    i = j + 1;
  }
  return s;
}

}  // namespace postern::imap
