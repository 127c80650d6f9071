// Mailbox name validation and the Maildir++ directory mapping.
#include "common/store/mailbox_name.hpp"

#include <gtest/gtest.h>

#include "common/store/store.hpp"

using namespace postern::store;

TEST(MailboxName, CanonicalInbox) {
  EXPECT_EQ(names::canonical("inbox"), "INBOX");
  EXPECT_EQ(names::canonical("InBox/Sub"), "INBOX/Sub");
  EXPECT_EQ(names::canonical("Inboxes"), "Inboxes");
}

TEST(MailboxName, RejectsBadNames) {
  for (std::string bad : {std::string(""), std::string("/a"), std::string("a/"), std::string("a//b"),
                          std::string(".."), std::string("a/../b"), std::string(".hidden"), std::string("a/.b"),
                          std::string("a\tb"), std::string("a\x7f"), std::string("a*"), std::string("a%b"),
                          std::string("\xff\xfe"), std::string("\xc0\xaf"), std::string("\xed\xa0\x80"),
                          std::string(256, 'a')}) {
    EXPECT_THROW(names::canonical(bad), MailboxError) << bad;
    EXPECT_FALSE(names::invalid_reason(bad).empty()) << bad;
  }
}

TEST(MailboxName, AcceptsUtf8AndDots) {
  EXPECT_EQ(names::canonical("Überweisungen/2024"), "Überweisungen/2024");
  EXPECT_EQ(names::canonical("日本語"), "日本語");
  EXPECT_EQ(names::canonical("john.smith"), "john.smith");
}

TEST(MailboxName, DirMapping) {
  EXPECT_EQ(names::to_dir("INBOX"), "");
  EXPECT_EQ(names::to_dir("Archive/2024"), ".Archive.2024");
  EXPECT_EQ(names::to_dir("john.smith"), ".john%2Esmith");
  EXPECT_EQ(names::from_dir(".Archive.2024"), "Archive/2024");
  EXPECT_EQ(names::from_dir(".john%2Esmith"), "john.smith");
  EXPECT_EQ(names::from_dir(".INBOX.x"), "INBOX/x");
  EXPECT_FALSE(names::from_dir(".INBOX"));
  EXPECT_FALSE(names::from_dir(".inbox.x"));  // would not map back to itself
  EXPECT_FALSE(names::from_dir(".a..b"));
  EXPECT_FALSE(names::from_dir("."));
  EXPECT_FALSE(names::from_dir("cur"));
  EXPECT_FALSE(names::from_dir(".a%b"));
}

TEST(MailboxName, Parent) {
  EXPECT_EQ(names::parent("A/B/C"), "A/B");
  EXPECT_EQ(names::parent("A"), "");
}
