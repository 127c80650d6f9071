// Mailbox view (see mailbox_view.hpp). RFC 9051 section 7.5.1 (EXPUNGE is
// not sent during FETCH/STORE/SEARCH by sequence number, and decrements
// later sequence numbers), 7.4.1/7.5.2 (FETCH flag updates), 7.3.1 (EXISTS).
#include "imap/mailbox_view.hpp"

#include <algorithm>
#include <map>

#include "imap/response.hpp"

namespace postern::imap {

MailboxView::MailboxView(std::string name, bool read_only, const store::MailboxInfo& info,
                         std::vector<store::MessageInfo> messages)
    : name_(std::move(name)), read_only_(read_only), uidvalidity_(info.uidvalidity), msgs_(std::move(messages)) {
  remember(info);
}

std::optional<uint32_t> MailboxView::seq_of_uid(uint32_t uid) const {
  auto it = std::lower_bound(msgs_.begin(), msgs_.end(), uid,
                             [](const store::MessageInfo& m, uint32_t u) { return m.uid < u; });
  if (it == msgs_.end() || it->uid != uid) return std::nullopt;
  return static_cast<uint32_t>(it - msgs_.begin()) + 1;
}

std::optional<std::vector<uint32_t>> MailboxView::resolve(const SequenceSet& set, bool by_uid) const {
  std::vector<uint32_t> out;
  uint32_t n = exists();
  for (const auto& r : set.ranges) {
    if (by_uid) {
      // "*" is the largest UID in use; a range past it still includes it (RFC 9051 section 6.4.9).
      uint32_t a = r.first == kStar ? max_uid() : r.first;
      uint32_t b = r.last == kStar ? max_uid() : r.last;
      if (a > b) std::swap(a, b);
      auto it = std::lower_bound(msgs_.begin(), msgs_.end(), a,
                                 [](const store::MessageInfo& m, uint32_t u) { return m.uid < u; });
      for (; it != msgs_.end() && it->uid <= b; ++it) out.push_back(static_cast<uint32_t>(it - msgs_.begin()) + 1);
    } else {
      uint32_t a = r.first == kStar ? n : r.first;
      uint32_t b = r.last == kStar ? n : r.last;
      if (a > b) std::swap(a, b);
      if (a == 0 || b > n) return std::nullopt;
      for (uint32_t s = a; s <= b; ++s) out.push_back(s);
    }
    if (out.size() > 4u * n + 1024) {  // bounded even for silly overlapping sets
      std::sort(out.begin(), out.end());
      out.erase(std::unique(out.begin(), out.end()), out.end());
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void MailboxView::update(const store::MessageInfo& m) {
  if (auto seq = seq_of_uid(m.uid)) msgs_[*seq - 1] = m;
}

std::string MailboxView::sync(const std::vector<store::MessageInfo>& current, bool allow_expunge, bool with_modseq,
                              bool vanished) {
  std::string out;
  std::map<uint32_t, const store::MessageInfo*> now;
  for (const auto& m : current) now[m.uid] = &m;

  // Expunged messages, announced first so later numbers are the new ones.
  std::vector<uint32_t> removed;
  for (size_t i = 0; i < msgs_.size();) {
    if (now.count(msgs_[i].uid)) {
      ++i;
      continue;
    }
    if (!allow_expunge) {
      gone_.insert(msgs_[i].uid);
      ++i;
      continue;
    }
    if (!vanished) out += "* " + std::to_string(i + 1) + " EXPUNGE\r\n";
    removed.push_back(msgs_[i].uid);
    gone_.erase(msgs_[i].uid);
    msgs_.erase(msgs_.begin() + static_cast<std::ptrdiff_t>(i));
  }
  if (vanished && !removed.empty()) out += "* VANISHED " + compact_set(removed) + "\r\n";
  // Changed flags.
  for (size_t i = 0; i < msgs_.size(); ++i) {
    auto it = now.find(msgs_[i].uid);
    if (it == now.end()) continue;
    const auto& m = *it->second;
    if (m.flags != msgs_[i].flags || m.keywords != msgs_[i].keywords ||
        (with_modseq && m.modseq != msgs_[i].modseq)) {
      out += "* " + std::to_string(i + 1) + " FETCH (";
      if (vanished) out += "UID " + std::to_string(m.uid) + " ";  // RFC 7162 section 3.2.4
      if (with_modseq) out += "MODSEQ (" + std::to_string(m.modseq) + ") ";
      out += "FLAGS (" + format_flags(m.flags, m.keywords) + "))\r\n";
    }
    msgs_[i] = m;
  }
  // New messages: UIDs above the highest we know.
  uint32_t top = max_uid();
  size_t before = msgs_.size();
  for (const auto& m : current)
    if (m.uid > top) msgs_.push_back(m);
  if (msgs_.size() != before) out += "* " + std::to_string(msgs_.size()) + " EXISTS\r\n";
  return out;
}

bool MailboxView::unchanged(const store::MailboxInfo& info) const {
  return gone_.empty() && info.highest_modseq == seen_modseq_ && info.uidnext == seen_uidnext_ &&
         info.exists == seen_exists_;
}

void MailboxView::remember(const store::MailboxInfo& info) {
  seen_modseq_ = info.highest_modseq;
  seen_uidnext_ = info.uidnext;
  seen_exists_ = info.exists;
}

}  // namespace postern::imap
