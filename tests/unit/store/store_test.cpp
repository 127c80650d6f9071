// MailStore behaviour: delivery, flags, MODSEQ, expunge, sync with other
// Maildir tools, crash recovery, rebuild, names, mailbox operations, and
// concurrent writers (two objects, two processes).
#include "common/store/store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <filesystem>
#include <fstream>
#include <set>

#include "store_test_util.hpp"

namespace fs = std::filesystem;
using namespace postern::store;
using postern::store::test::TempRoot;

namespace {

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(dir, ec)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

void write_file(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary);
  f << data;
}

void set_mtime(const std::string& path, time_t t) {
  struct utimbuf u {t, t};
  ASSERT_EQ(::utime(path.c_str(), &u), 0);
}

std::set<uint32_t> uid_set(const std::vector<MessageInfo>& ms) {
  std::set<uint32_t> s;
  for (const auto& m : ms) s.insert(m.uid);
  return s;
}

const std::string kMsg = "From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n";

}  // namespace

TEST(Store, CreatesDefaultMailboxesAndPrivateRoot) {
  TempRoot t;
  std::string root = t.path + "/mail";
  auto s = MailStore::open(root, "alice");
  struct stat st {};
  ASSERT_EQ(::stat(root.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  auto boxes = s->list_mailboxes();
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& b : boxes) got.emplace_back(b.name, b.special_use);
  std::vector<std::pair<std::string, std::string>> want = {{"INBOX", ""},         {"Archive", "\\Archive"},
                                                           {"Drafts", "\\Drafts"}, {"Junk", "\\Junk"},
                                                           {"Sent", "\\Sent"},     {"Trash", "\\Trash"}};
  EXPECT_EQ(got, want);
  EXPECT_TRUE(fs::is_directory(root + "/alice/.Sent/cur"));
  EXPECT_TRUE(fs::is_directory(root + "/alice/new"));
  EXPECT_TRUE(s->mailbox("inbox"));
  EXPECT_NE(s->mailbox("Sent")->uidvalidity, 0u);
}

TEST(Store, DeliverThenReadBackByteIdentical) {
  TempRoot t;
  auto s = MailStore::open(t.path, "alice");
  std::string msg = kMsg + std::string("\0\xff binary\n", 10);
  uint32_t uid = s->deliver("INBOX", msg, 0, 1700000000);
  EXPECT_EQ(uid, 1u);
  EXPECT_EQ(s->read_message("INBOX", uid), msg);
  auto ms = s->messages("INBOX");
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0].size, msg.size());
  EXPECT_EQ(ms[0].internal_date, 1700000000);
  auto news = files_in(t.home() + "/new");
  ASSERT_EQ(news.size(), 1u);
  EXPECT_NE(news[0].find(",S=" + std::to_string(msg.size())), std::string::npos);
  EXPECT_TRUE(files_in(t.home() + "/tmp").empty());
  auto info = s->mailbox("INBOX");
  EXPECT_EQ(info->exists, 1u);
  EXPECT_EQ(info->unseen, 1u);
  EXPECT_EQ(info->uidnext, 2u);
  EXPECT_THROW(s->read_message("INBOX", 99), MailboxError);
  EXPECT_THROW(s->deliver("Nope", msg), MailboxError);
}

TEST(Store, FlagsRoundTripAndAppearInFileName) {
  TempRoot t;
  auto s = MailStore::open(t.path, "alice");
  uint32_t uid = s->deliver("INBOX", kMsg);
  auto changed = s->store_flags("INBOX", {uid}, FlagOp::add, kSeen | kFlagged, {"$Label1"});
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].flags, uint32_t{kSeen | kFlagged});
  auto cur = files_in(t.home() + "/cur");
  ASSERT_EQ(cur.size(), 1u);
  EXPECT_EQ(cur[0].substr(cur[0].size() - 5), ":2,FS");
  EXPECT_TRUE(files_in(t.home() + "/new").empty());

  s->store_flags("INBOX", {uid}, FlagOp::remove, kFlagged);
  s->store_flags("INBOX", {uid}, FlagOp::add, kAnswered | kDeleted | kDraft);
  cur = files_in(t.home() + "/cur");
  ASSERT_EQ(cur.size(), 1u);
  EXPECT_EQ(cur[0].substr(cur[0].size() - 7), ":2,DRST");
  auto m = s->message("INBOX", uid);
  EXPECT_EQ(m->flags, uint32_t{kSeen | kAnswered | kDeleted | kDraft});
  EXPECT_EQ(m->keywords, std::vector<std::string>{"$Label1"});
  EXPECT_EQ(s->read_message("INBOX", uid), kMsg);

  s->store_flags("INBOX", {uid}, FlagOp::set, kSeen, {});
  m = s->message("INBOX", uid);
  EXPECT_EQ(m->flags, uint32_t{kSeen});
  EXPECT_TRUE(m->keywords.empty());

  // Delivery with flags goes straight to cur/.
  uint32_t d = s->deliver("Drafts", kMsg, kDraft | kSeen, 0, {"$Forwarded"});
  auto dc = files_in(t.home() + "/.Drafts/cur");
  ASSERT_EQ(dc.size(), 1u);
  EXPECT_EQ(dc[0].substr(dc[0].size() - 5), ":2,DS");
  EXPECT_EQ(s->message("Drafts", d)->keywords, std::vector<std::string>{"$Forwarded"});
  EXPECT_THROW(s->store_flags("INBOX", {uid}, FlagOp::add, 0, {"bad keyword"}), MailboxError);
}

TEST(Store, ModseqIncreases) {
  TempRoot t;
  auto s = MailStore::open(t.path, "alice");
  uint64_t h0 = s->mailbox("INBOX")->highest_modseq;
  uint32_t a = s->deliver("INBOX", kMsg);
  uint32_t b = s->deliver("INBOX", kMsg);
  auto ms = s->messages("INBOX");
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_GT(ms[0].modseq, h0);
  EXPECT_GT(ms[1].modseq, ms[0].modseq);
  uint64_t h1 = s->mailbox("INBOX")->highest_modseq;
  EXPECT_EQ(h1, ms[1].modseq);
  auto ch = s->store_flags("INBOX", {a}, FlagOp::add, kSeen);
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_GT(ch[0].modseq, h1);
  EXPECT_EQ(s->mailbox("INBOX")->highest_modseq, ch[0].modseq);
  // A no-op change reports nothing and keeps MODSEQ.
  EXPECT_TRUE(s->store_flags("INBOX", {a}, FlagOp::add, kSeen).empty());
  EXPECT_EQ(s->mailbox("INBOX")->highest_modseq, ch[0].modseq);
  EXPECT_EQ(s->message("INBOX", b)->modseq, ms[1].modseq);
}

TEST(Store, ExpungeRemovesFilesAndRows) {
  TempRoot t;
  auto s = MailStore::open(t.path, "alice");
  uint32_t a = s->deliver("INBOX", kMsg + "a");
  uint32_t b = s->deliver("INBOX", kMsg + "b");
  uint32_t c = s->deliver("INBOX", kMsg + "c");
  s->store_flags("INBOX", {a, b, c}, FlagOp::add, kDeleted);
  uint64_t before = s->mailbox("INBOX")->highest_modseq;
  EXPECT_EQ(s->expunge("INBOX", std::vector<uint32_t>{b}), std::vector<uint32_t>{b});
  EXPECT_EQ(uid_set(s->messages("INBOX")), (std::set<uint32_t>{a, c}));
  EXPECT_EQ(files_in(t.home() + "/cur").size(), 2u);
  EXPECT_EQ(s->expunged_since("INBOX", before), std::vector<uint32_t>{b});
  s->store_flags("INBOX", {c}, FlagOp::remove, kDeleted);
  EXPECT_EQ(s->expunge("INBOX"), std::vector<uint32_t>{a});
  EXPECT_EQ(uid_set(s->messages("INBOX")), std::set<uint32_t>{c});
  EXPECT_EQ(files_in(t.home() + "/cur").size(), 1u);
  EXPECT_EQ(s->read_message("INBOX", c), kMsg + "c");
  EXPECT_THROW(s->read_message("INBOX", a), MailboxError);
  EXPECT_GT(s->mailbox("INBOX")->highest_modseq, before);
}

TEST(Store, SyncPicksUpDroppedFileAndForgetsDeletedOne) {
  TempRoot t;
  auto s = MailStore::open(t.path, "alice");
  uint32_t a = s->deliver("INBOX", kMsg);
  // Another Maildir tool drops a message into new/ and one into cur/ with flags.
  write_file(t.home() + "/new/1600000000.1_x.otherhost", "dropped");
  set_mtime(t.home() + "/new/1600000000.1_x.otherhost", 1600000000);
  write_file(t.home() + "/cur/1600000001.1_y.otherhost:2,RS", "seen one");
  set_mtime(t.home() + "/cur/1600000001.1_y.otherhost:2,RS", 1600000001);
  s->sync("INBOX");
  auto ms = s->messages("INBOX");
  ASSERT_EQ(ms.size(), 3u);
  EXPECT_EQ(ms[1].uid, a + 1);
  EXPECT_EQ(ms[1].internal_date, 1600000000);
  EXPECT_EQ(ms[1].size, 7u);
  EXPECT_EQ(ms[1].flags, 0u);
  EXPECT_EQ(ms[2].flags, uint32_t{kSeen | kAnswered});
  EXPECT_EQ(s->read_message("INBOX", ms[1].uid), "dropped");
  EXPECT_EQ(s->mailbox("INBOX")->uidnext, a + 3);

  // The tool marks the first one seen by renaming it into cur/.
  fs::rename(t.home() + "/new/1600000000.1_x.otherhost", t.home() + "/cur/1600000000.1_x.otherhost:2,S");
  s->sync("INBOX");
  EXPECT_EQ(s->message("INBOX", ms[1].uid)->flags, uint32_t{kSeen});

  // ... and deletes ours.
  for (auto& n : files_in(t.home() + "/new")) fs::remove(t.home() + "/new/" + n);
  uint64_t before = s->mailbox("INBOX")->highest_modseq;
  s->sync("INBOX");
  EXPECT_EQ(uid_set(s->messages("INBOX")), (std::set<uint32_t>{a + 1, a + 2}));
  EXPECT_EQ(s->expunged_since("INBOX", before), std::vector<uint32_t>{a});
  EXPECT_EQ(s->mailbox("INBOX")->uidnext, a + 3);  // never reused
}

TEST(Store, CrashedDeliveryIsIndexedExactlyOnce) {
  TempRoot t;
  auto s1 = MailStore::open(t.path, "alice");
  auto s2 = MailStore::open(t.path, "alice");
  s1->deliver("INBOX", kMsg);
  // A delivery that crashed after the rename, before its index transaction:
  // the file carries the UID it was about to get.
  write_file(t.home() + "/new/1700000000.99_ab.host,S=5,U=2", "crash");
  // And a foreign file without a UID hint.
  write_file(t.home() + "/new/1700000001.98_cd.host", "other");
  s1->sync("INBOX");
  s2->sync("INBOX");
  s1->sync("INBOX");
  auto ms = s2->messages("INBOX");
  ASSERT_EQ(ms.size(), 3u);
  EXPECT_EQ(ms[1].uid, 2u);
  EXPECT_EQ(s2->read_message("INBOX", 2), "crash");
  EXPECT_EQ(ms[2].uid, 3u);
  EXPECT_EQ(s2->read_message("INBOX", 3), "other");
  EXPECT_EQ(s1->mailbox("INBOX")->uidnext, 4u);
  // A hint below UIDNEXT (a UID already handed out) is not reused.
  write_file(t.home() + "/new/1700000002.97_ef.host,S=3,U=1", "dup");
  s2->sync("INBOX");
  EXPECT_EQ(s2->messages("INBOX").back().uid, 4u);
}

TEST(Store, TmpFilesIgnoredAndOldOnesCleaned) {
  TempRoot t;
  auto s = MailStore::open(t.path, "alice");
  write_file(t.home() + "/tmp/fresh.partial", "half a message");
  write_file(t.home() + "/tmp/old.partial", "stale");
  set_mtime(t.home() + "/tmp/old.partial", ::time(nullptr) - 3 * 24 * 3600);
  s->sync("INBOX");
  EXPECT_TRUE(s->messages("INBOX").empty());
  EXPECT_EQ(files_in(t.home() + "/tmp"), std::vector<std::string>{"fresh.partial"});
}

TEST(Store, UidValidityAndUidNextNeverGoBackAfterRebuild) {
  TempRoot t;
  uint32_t old_validity, old_next, archive_validity;
  {
    auto s = MailStore::open(t.path, "alice");
    s->create_mailbox("Projects/X.Y", "\\Flagged");
    s->deliver("INBOX", kMsg + "1");
    uint32_t b = s->deliver("INBOX", kMsg + "2");
    uint32_t c = s->deliver("INBOX", kMsg + "3");
    s->store_flags("INBOX", {b}, FlagOp::add, kSeen | kAnswered);
    s->store_flags("INBOX", {c}, FlagOp::add, kDeleted);
    s->expunge("INBOX");  // the highest UID is gone from disk
    s->deliver("Projects/X.Y", kMsg + "p");
    auto in = s->mailbox("INBOX");
    old_validity = in->uidvalidity;
    old_next = in->uidnext;
    archive_validity = s->mailbox("Archive")->uidvalidity;
  }
  for (const char* f : {"index.sqlite", "index.sqlite-wal", "index.sqlite-shm"}) fs::remove(t.home() + "/" + f);
  auto s = MailStore::open(t.path, "alice");
  auto in = s->mailbox("INBOX");
  ASSERT_TRUE(in);
  EXPECT_GT(in->uidvalidity, old_validity);
  EXPECT_GT(s->mailbox("Archive")->uidvalidity, archive_validity);
  EXPECT_GE(in->uidnext, old_next);
  auto ms = s->messages("INBOX");
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_EQ(s->read_message("INBOX", ms[0].uid), kMsg + "1");
  EXPECT_EQ(s->read_message("INBOX", ms[1].uid), kMsg + "2");
  EXPECT_EQ(ms[1].flags, uint32_t{kSeen | kAnswered});
  auto p = s->mailbox("Projects/X.Y");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->special_use, "\\Flagged");
  EXPECT_EQ(p->exists, 1u);
  EXPECT_TRUE(s->mailbox("Projects"));
  EXPECT_EQ(s->mailbox("Sent")->special_use, "\\Sent");
  EXPECT_GE(s->deliver("INBOX", kMsg), old_next);
}

TEST(Store, BadMailboxNamesRejected) {
  TempRoot t;
  auto s = MailStore::open(t.path, "alice");
  for (std::string bad : std::vector<std::string>{"", "a//b", "../x", "a/..", ".hidden", "x\ny", std::string(300, 'x'), "a*", "\xc3"}) {
    EXPECT_THROW(s->create_mailbox(bad), MailboxError) << bad;
  }
  EXPECT_THROW(s->create_mailbox("Sent"), MailboxError);
  EXPECT_THROW(s->create_mailbox("inbox"), MailboxError);
  EXPECT_THROW(s->create_mailbox("X", "\\Bogus"), MailboxError);
  EXPECT_THROW(s->delete_mailbox("INBOX"), MailboxError);
  EXPECT_THROW(s->delete_mailbox("Nope"), MailboxError);
  EXPECT_FALSE(s->mailbox("../x"));
  EXPECT_THROW(MailStore::open(t.path, "../evil"), StoreError);
  // Nothing escaped the user's directory.
  EXPECT_EQ(files_in(t.path), std::vector<std::string>{"alice"});
}

TEST(Store, CreateRenameDeleteSubscribe) {
  TempRoot t;
  auto s = MailStore::open(t.path, "alice");
  s->create_mailbox("Work/2024");
  EXPECT_TRUE(s->mailbox("Work"));
  EXPECT_TRUE(fs::is_directory(t.home() + "/.Work.2024/cur"));
  EXPECT_TRUE(fs::exists(t.home() + "/.Work.2024/maildirfolder"));
  uint32_t uid = s->deliver("Work/2024", kMsg);
  uint32_t validity = s->mailbox("Work/2024")->uidvalidity;

  s->rename_mailbox("Work", "Old/Work");
  EXPECT_FALSE(s->mailbox("Work"));
  EXPECT_FALSE(s->mailbox("Work/2024"));
  ASSERT_TRUE(s->mailbox("Old/Work/2024"));
  EXPECT_TRUE(s->mailbox("Old"));
  EXPECT_EQ(s->mailbox("Old/Work/2024")->uidvalidity, validity);
  EXPECT_EQ(s->read_message("Old/Work/2024", uid), kMsg);
  EXPECT_TRUE(fs::is_directory(t.home() + "/.Old.Work.2024/cur"));
  EXPECT_THROW(s->rename_mailbox("Old", "Old/Work/Inner"), MailboxError);
  EXPECT_THROW(s->rename_mailbox("Old", "Sent"), MailboxError);

  s->set_subscribed("Old/Work", false);
  EXPECT_FALSE(s->mailbox("Old/Work")->subscribed);
  EXPECT_TRUE(s->mailbox("Old")->subscribed);

  s->delete_mailbox("Old/Work/2024");
  EXPECT_FALSE(s->mailbox("Old/Work/2024"));
  EXPECT_FALSE(fs::exists(t.home() + "/.Old.Work.2024"));
  for (auto& n : files_in(t.home())) EXPECT_EQ(n.find("postern-deleted"), std::string::npos);
  // A new mailbox with a deleted one's name gets a new UIDVALIDITY.
  s->create_mailbox("Old/Work/2024");
  EXPECT_GT(s->mailbox("Old/Work/2024")->uidvalidity, validity);
  EXPECT_EQ(s->mailbox("Old/Work/2024")->exists, 0u);
}

TEST(Store, RenameInboxMovesMessages) {
  TempRoot t;
  auto s = MailStore::open(t.path, "alice");
  s->deliver("INBOX", kMsg + "1");
  s->deliver("INBOX", kMsg + "2");
  s->rename_mailbox("INBOX", "Saved");
  EXPECT_EQ(s->mailbox("INBOX")->exists, 0u);
  auto ms = s->messages("Saved");
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_EQ(s->read_message("Saved", ms[0].uid), kMsg + "1");
}

TEST(Store, CopyAndMoveReturnNewUids) {
  TempRoot t;
  auto s = MailStore::open(t.path, "alice");
  uint32_t a = s->deliver("INBOX", kMsg + "a", 0, 1650000000);
  uint32_t b = s->deliver("INBOX", kMsg + "b");
  s->store_flags("INBOX", {a}, FlagOp::add, kFlagged, {"$Work"});
  s->deliver("Archive", kMsg + "existing");

  auto cr = s->copy_messages("INBOX", {b, a, 77}, "Archive");
  EXPECT_EQ(cr.dest_uidvalidity, s->mailbox("Archive")->uidvalidity);
  EXPECT_EQ(cr.source_uids, (std::vector<uint32_t>{a, b}));
  EXPECT_EQ(cr.dest_uids, (std::vector<uint32_t>{2, 3}));
  auto ca = s->message("Archive", 2);
  EXPECT_EQ(ca->flags, uint32_t{kFlagged});
  EXPECT_EQ(ca->keywords, std::vector<std::string>{"$Work"});
  EXPECT_EQ(ca->internal_date, 1650000000);
  EXPECT_EQ(s->read_message("Archive", 3), kMsg + "b");
  EXPECT_EQ(s->messages("INBOX").size(), 2u);
  // The copy is independent of the original.
  s->store_flags("INBOX", {a}, FlagOp::add, kDeleted);
  s->expunge("INBOX");
  EXPECT_EQ(s->read_message("Archive", 2), kMsg + "a");

  uint64_t before = s->mailbox("INBOX")->highest_modseq;
  auto mr = s->move_messages("INBOX", {b}, "Trash");
  EXPECT_EQ(mr.source_uids, std::vector<uint32_t>{b});
  EXPECT_EQ(mr.dest_uids, std::vector<uint32_t>{1});
  EXPECT_TRUE(s->messages("INBOX").empty());
  EXPECT_EQ(s->expunged_since("INBOX", before), std::vector<uint32_t>{b});
  EXPECT_EQ(s->read_message("Trash", 1), kMsg + "b");
  EXPECT_TRUE(files_in(t.home() + "/new").empty());
  EXPECT_THROW(s->copy_messages("INBOX", {1}, "Nope"), MailboxError);
  // A sync afterwards finds everything consistent.
  s->sync_all();
  EXPECT_EQ(s->messages("Archive").size(), 3u);
  EXPECT_EQ(s->messages("Trash").size(), 1u);
}

TEST(Store, TwoObjectsInterleavedDeliveriesGetUniqueUids) {
  TempRoot t;
  auto s1 = MailStore::open(t.path, "alice");
  auto s2 = MailStore::open(t.path, "alice");
  std::set<uint32_t> uids;
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(uids.insert(s1->deliver("INBOX", "one " + std::to_string(i))).second);
    EXPECT_TRUE(uids.insert(s2->deliver("INBOX", "two " + std::to_string(i))).second);
  }
  EXPECT_EQ(uid_set(s1->messages("INBOX")), uids);
  EXPECT_EQ(s2->mailbox("INBOX")->uidnext, 41u);
}

TEST(Store, ConcurrentProcessesDeliverUniqueUids) {
  TempRoot t;
  MailStore::open(t.path, "alice");  // create before forking
  constexpr int kEach = 40;
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int rc = 0;
    try {
      auto s = MailStore::open(t.path, "alice");
      for (int i = 0; i < kEach; ++i) s->deliver("INBOX", "child " + std::to_string(i));
    } catch (...) {
      rc = 1;
    }
    ::_exit(rc);
  }
  auto s = MailStore::open(t.path, "alice");
  for (int i = 0; i < kEach; ++i) s->deliver("INBOX", "parent " + std::to_string(i));
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto ms = s->messages("INBOX");
  ASSERT_EQ(ms.size(), 2u * kEach);
  EXPECT_EQ(uid_set(ms).size(), 2u * kEach);
  std::set<std::string> bodies;
  for (const auto& m : ms) bodies.insert(s->read_message("INBOX", m.uid));
  for (int i = 0; i < kEach; ++i) {
    EXPECT_TRUE(bodies.count("child " + std::to_string(i)));
    EXPECT_TRUE(bodies.count("parent " + std::to_string(i)));
  }
  // Nothing is left for sync to pick up: every file has exactly one row.
  s->sync("INBOX");
  EXPECT_EQ(s->messages("INBOX").size(), 2u * kEach);
  EXPECT_EQ(files_in(t.home() + "/new").size(), 2u * kEach);
}

TEST(Store, FolderCreatedByAnotherToolIsAdopted) {
  TempRoot t;
  { MailStore::open(t.path, "alice"); }
  fs::create_directories(t.home() + "/.Lists.dev/cur");
  fs::create_directories(t.home() + "/.Lists.dev/new");
  fs::create_directories(t.home() + "/.Lists.dev/tmp");
  write_file(t.home() + "/.Lists.dev/cur/1.2_3.h:2,S", "list mail");
  fs::create_directories(t.home() + "/.bad..name/cur");
  auto s = MailStore::open(t.path, "alice");
  auto b = s->mailbox("Lists/dev");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->exists, 1u);
  EXPECT_FALSE(s->mailbox("Lists")); // Maildir++ does not need the parent; none is invented
}

TEST(Store, SyncStillSeesChangesAfterQuietPeriod) {
  TempRoot t;
  auto s = MailStore::open(t.path, "alice");
  s->deliver("INBOX", kMsg);
  // Directories untouched for a while: sync may skip the scan from now on...
  set_mtime(t.home() + "/new", ::time(nullptr) - 3600);
  set_mtime(t.home() + "/cur", ::time(nullptr) - 3600);
  s->sync("INBOX");
  s->sync("INBOX");
  EXPECT_EQ(s->messages("INBOX").size(), 1u);
  // ...but a file dropped in afterwards changes the directory and is found.
  write_file(t.home() + "/new/1700000005.7_zz.host", "late");
  s->sync("INBOX");
  auto ms = s->messages("INBOX");
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_EQ(s->read_message("INBOX", ms[1].uid), "late");
}

TEST(Store, FlagChangeOnVanishedFileKeepsIndexConsistent) {
  TempRoot t;
  auto s = MailStore::open(t.path, "alice");
  uint32_t a = s->deliver("INBOX", kMsg + "a");
  uint32_t b = s->deliver("INBOX", kMsg + "b");
  // Another tool removes message a's file; the rename for the flag change fails.
  for (auto& n : files_in(t.home() + "/new"))
    if (n.find(",U=" + std::to_string(a)) != std::string::npos)
      fs::remove(t.home() + "/new/" + n);
  auto ch = s->store_flags("INBOX", {a, b}, FlagOp::add, kSeen);
  EXPECT_EQ(ch.size(), 2u);
  EXPECT_EQ(s->message("INBOX", a)->flags, uint32_t{kSeen});
  EXPECT_THROW(s->read_message("INBOX", a), StoreError);
  EXPECT_EQ(s->read_message("INBOX", b), kMsg + "b");
  s->sync("INBOX");
  EXPECT_EQ(uid_set(s->messages("INBOX")), std::set<uint32_t>{b});
  EXPECT_EQ(s->message("INBOX", b)->flags, uint32_t{kSeen});  // not reverted by sync
}

TEST(Store, RefusesIndexFromNewerVersion) {
  TempRoot t;
  { MailStore::open(t.path, "alice"); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((t.home() + "/index.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=999", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  EXPECT_THROW(MailStore::open(t.path, "alice"), StoreError);
}

TEST(Store, ThreadsWithOwnObjectsDeliverUniqueUids) {
  // smtpd delivers from a thread pool, one MailStore per delivery.
  TempRoot t;
  MailStore::open(t.path, "alice");
  constexpr int kEach = 15;
  std::vector<std::thread> th;
  std::atomic<int> failures{0};
  for (int k = 0; k < 3; ++k)
    th.emplace_back([&, k] {
      try {
        for (int i = 0; i < kEach; ++i)
          MailStore::open(t.path, "alice")->deliver("INBOX", std::to_string(k) + "/" + std::to_string(i));
      } catch (...) {
        ++failures;
      }
    });
  for (auto& x : th) x.join();
  EXPECT_EQ(failures, 0);
  auto s = MailStore::open(t.path, "alice");
  auto ms = s->messages("INBOX");
  EXPECT_EQ(ms.size(), 3u * kEach);
  EXPECT_EQ(uid_set(ms).size(), 3u * kEach);
}
