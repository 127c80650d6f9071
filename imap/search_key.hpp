// SEARCH criteria (RFC 9051 section 6.4.4) as a tree. Pure value type; the
// parser builds it, cmd_search evaluates it against a mailbox view.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "imap/sequence_set.hpp"

namespace postern::imap {

struct SearchKey {
  enum class Kind {
    all, and_, or_, not_, seqset, uid,
    answered, deleted, draft, flagged, seen, recent, new_, old,
    unanswered, undeleted, undraft, unflagged, unseen,
    keyword, unkeyword,
    before, on, since, sentbefore, senton, sentsince,
    larger, smaller,
    header, body, text, bcc, cc, from, to, subject,
    modseq,
  };
  Kind kind = Kind::all;
  std::string field;   // HEADER field name
  std::string value;   // string argument, keyword
  int64_t date = 0;    // unix seconds (00:00 UTC of the day)
  uint64_t number = 0; // LARGER, SMALLER, MODSEQ
  SequenceSet set;     // seqset, uid
  std::vector<SearchKey> children;  // and_ (any number), or_ (2), not_ (1)
};

}  // namespace postern::imap
