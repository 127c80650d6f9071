// Tests of the selected-mailbox view (imap/mailbox_view.hpp): sequence
// numbers <-> UIDs, set resolution, and the untagged updates of RFC 9051
// section 7 -- including holding back EXPUNGE where section 7.5.1 forbids it.
#include <gtest/gtest.h>

#include "imap/mailbox_view.hpp"

using namespace postern;
using namespace postern::imap;

namespace {
store::MessageInfo msg(uint32_t uid, uint32_t flags = 0, uint64_t modseq = 1) {
  store::MessageInfo m;
  m.uid = uid;
  m.flags = flags;
  m.modseq = modseq;
  return m;
}
MailboxView view_of(std::vector<store::MessageInfo> ms) {
  store::MailboxInfo info;
  info.uidvalidity = 7;
  return MailboxView("INBOX", false, info, std::move(ms));
}
SequenceSet set(std::vector<SeqRange> r) { return SequenceSet{std::move(r)}; }
}  // namespace

TEST(MailboxView, ResolveBySequenceNumber) {
  auto v = view_of({msg(3), msg(5), msg(9)});
  EXPECT_EQ(*v.resolve(set({{1, kStar}}), false), (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_EQ(*v.resolve(set({{3, 2}, {2, 2}}), false), (std::vector<uint32_t>{2, 3}));
  EXPECT_FALSE(v.resolve(set({{4, 4}}), false));  // beyond EXISTS
  EXPECT_EQ(*v.resolve(set({{kStar, kStar}}), false), (std::vector<uint32_t>{3}));
}

TEST(MailboxView, ResolveByUid) {
  auto v = view_of({msg(3), msg(5), msg(9)});
  EXPECT_EQ(*v.resolve(set({{4, 9}}), true), (std::vector<uint32_t>{2, 3}));
  EXPECT_EQ(*v.resolve(set({{100, kStar}}), true), (std::vector<uint32_t>{3}));  // n:* includes the highest
  EXPECT_TRUE(v.resolve(set({{6, 8}}), true)->empty());
  EXPECT_EQ(v.seq_of_uid(5), 2u);
  EXPECT_FALSE(v.seq_of_uid(4));
  auto empty = view_of({});
  EXPECT_TRUE(empty.resolve(set({{1, kStar}}), true)->empty());
  EXPECT_FALSE(empty.resolve(set({{1, kStar}}), false));
}

TEST(MailboxView, SyncReportsExistsFlagsAndExpunge) {
  auto v = view_of({msg(3), msg(5), msg(9)});
  // 5 expunged, 9 flagged elsewhere, 10 and 11 arrived.
  std::string out = v.sync({msg(3), msg(9, store::kFlagged, 2), msg(10), msg(11)}, true, false);
  EXPECT_EQ(out, "* 2 EXPUNGE\r\n* 2 FETCH (FLAGS (\\Flagged))\r\n* 4 EXISTS\r\n");
  EXPECT_EQ(v.exists(), 4u);
  EXPECT_EQ(v.at(2).uid, 9u);
  EXPECT_EQ(v.sync({msg(3), msg(9, store::kFlagged, 2), msg(10), msg(11)}, true, false), "");
}

TEST(MailboxView, ExpungeHeldBackDuringSequenceCommands) {
  auto v = view_of({msg(3), msg(5), msg(9)});
  EXPECT_EQ(v.sync({msg(3), msg(9)}, false, false), "");
  EXPECT_EQ(v.exists(), 3u);  // numbering unchanged
  EXPECT_TRUE(v.is_expunged(2));
  EXPECT_EQ(v.sync({msg(3), msg(9)}, true, false), "* 2 EXPUNGE\r\n");
  EXPECT_EQ(v.exists(), 2u);
}

TEST(MailboxView, SeveralExpungesUseCurrentNumbers) {
  auto v = view_of({msg(1), msg(2), msg(3), msg(4)});
  // RFC 9051 section 7.5.1: each EXPUNGE renumbers the following messages.
  EXPECT_EQ(v.sync({msg(4)}, true, false), "* 1 EXPUNGE\r\n* 1 EXPUNGE\r\n* 1 EXPUNGE\r\n");
}

TEST(MailboxView, ModseqInUpdatesWithCondstore) {
  auto v = view_of({msg(1)});
  EXPECT_EQ(v.sync({msg(1, store::kSeen, 5)}, true, true), "* 1 FETCH (MODSEQ (5) FLAGS (\\Seen))\r\n");
}

TEST(MailboxView, VanishedWithQresync) {
  auto v = view_of({msg(1), msg(2), msg(3), msg(4)});
  // RFC 7162 section 3.2.10: one VANISHED with UIDs, then FETCH with UID.
  EXPECT_EQ(v.sync({msg(2, store::kSeen, 4), msg(4)}, true, true, true),
            "* VANISHED 1,3\r\n* 1 FETCH (UID 2 MODSEQ (4) FLAGS (\\Seen))\r\n");
  EXPECT_EQ(v.exists(), 2u);
}
