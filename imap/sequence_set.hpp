// IMAP sequence sets (RFC 9051 section 9: sequence-set, seq-range, "*").
// Pure value type; resolving against a mailbox happens in MailboxView.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace postern::imap {

inline constexpr uint32_t kStar = 0;  // "*": the largest number in use

struct SeqRange {
  uint32_t first = 1;  // as written; kStar for "*"
  uint32_t last = 1;   // equal to first for a single number
  bool operator==(const SeqRange&) const = default;
};

struct SequenceSet {
  std::vector<SeqRange> ranges;
  bool saved = false;  // "$" (RFC 5182), not yet supported by the commands
  bool operator==(const SequenceSet&) const = default;
  // Does the set contain n, "*" meaning `star`? (ranges may be written backwards: "4:2")
  bool contains(uint32_t n, uint32_t star) const;
  std::string to_string() const;
};

// Formats a sorted list of numbers compactly: {1,2,3,7} -> "1:3,7" (responses such as COPYUID, ESEARCH).
std::string compact_set(const std::vector<uint32_t>& sorted);

}  // namespace postern::imap
