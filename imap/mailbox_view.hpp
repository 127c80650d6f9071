// A session's view of its selected mailbox (RFC 9051 section 2.3.1): the
// sequence-number <-> UID map the client believes in, and the untagged
// EXISTS / EXPUNGE / FETCH updates that bring the client up to date when
// other sessions change the mailbox. Expunges are only announced where RFC
// 9051 section 7.5.1 allows (not during FETCH, STORE, SEARCH by sequence
// number); until then the vanished message keeps its sequence number.
// Pure code over store::MessageInfo lists; the caller reads the store.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/store/store.hpp"
#include "imap/sequence_set.hpp"

namespace postern::imap {

class MailboxView {
 public:
  MailboxView(std::string name, bool read_only, const store::MailboxInfo& info,
              std::vector<store::MessageInfo> messages);

  const std::string& name() const { return name_; }
  bool read_only() const { return read_only_; }
  uint32_t uidvalidity() const { return uidvalidity_; }
  uint32_t exists() const { return static_cast<uint32_t>(msgs_.size()); }
  // 1-based sequence number.
  const store::MessageInfo& at(uint32_t seq) const { return msgs_[seq - 1]; }
  bool is_expunged(uint32_t seq) const { return gone_.count(msgs_[seq - 1].uid) != 0; }
  std::optional<uint32_t> seq_of_uid(uint32_t uid) const;
  uint32_t max_uid() const { return msgs_.empty() ? 0 : msgs_.back().uid; }

  // The sequence numbers a set names, ascending. By UID: UIDs not present are
  // ignored. By sequence number: nullopt when a number exceeds EXISTS.
  std::optional<std::vector<uint32_t>> resolve(const SequenceSet& set, bool by_uid) const;

  // Records new flags (after our own STORE or a \Seen set by FETCH).
  void update(const store::MessageInfo& m);

  // Brings the view up to date with the store's current list (ascending UIDs)
  // and returns the untagged responses that tell the client: expunges first
  // (EXPUNGE, or one VANISHED with QRESYNC enabled, RFC 7162 section 3.2.10),
  // then flag changes, then EXISTS.
  std::string sync(const std::vector<store::MessageInfo>& current, bool allow_expunge, bool with_modseq,
                   bool vanished = false);

  // Cheap change detection: the mailbox's counters as of the last sync.
  bool unchanged(const store::MailboxInfo& info) const;
  void remember(const store::MailboxInfo& info);

 private:
  std::string name_;
  bool read_only_;
  uint32_t uidvalidity_;
  std::vector<store::MessageInfo> msgs_;
  std::set<uint32_t> gone_;  // expunged in the store, not yet announced
  uint64_t seen_modseq_ = 0;
  uint32_t seen_uidnext_ = 0, seen_exists_ = 0;
};

}  // namespace postern::imap
