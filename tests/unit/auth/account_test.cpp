// User-name normalization and the mail-eligibility check of system accounts.
#include <gtest/gtest.h>

#include "auth/account.hpp"

using namespace postern::auth;

TEST(AuthAccount, Normalize) {
  std::vector<std::string> none;
  std::vector<std::string> ours{"example.org"};
  EXPECT_EQ(normalize_user("Alice", none), "alice");
  EXPECT_EQ(normalize_user("alice@Example.ORG", ours), "alice");
  EXPECT_EQ(normalize_user("alice@elsewhere.net", none), "alice");  // no domains configured
  EXPECT_FALSE(normalize_user("alice@elsewhere.net", ours));
  EXPECT_FALSE(normalize_user("alice@", none));
  EXPECT_FALSE(normalize_user("", none));
  EXPECT_FALSE(normalize_user("-rf", none));
  EXPECT_FALSE(normalize_user("../etc", none));
  EXPECT_FALSE(normalize_user("al ice", none));
  EXPECT_FALSE(normalize_user("al/ice", none));
  EXPECT_FALSE(normalize_user(std::string(65, 'a'), none));
  EXPECT_EQ(normalize_user("first.last_2-x", none), "first.last_2-x");
}

TEST(AuthAccount, MailHome) {
  EXPECT_EQ(mail_home("/var/lib/postern/mail", "alice"), "/var/lib/postern/mail/alice");
  EXPECT_EQ(mail_home("/srv/mail/", "bob"), "/srv/mail/bob");
}

// root (uid 0) and nobody (uid 65534) exist on every Debian system.
TEST(AuthAccount, SystemAccountChecks) {
  auto root = check_system_account("root", 1000, "");
  EXPECT_EQ(root.status, AccountStatus::not_mail_user);
  EXPECT_EQ(check_system_account("root", 0, "").status, AccountStatus::ok);
  auto nobody = check_system_account("nobody", 1000, "");
  EXPECT_EQ(nobody.status, AccountStatus::ok);
  EXPECT_EQ(nobody.user, "nobody");
  EXPECT_EQ(check_system_account("nobody", 1000, "nogroup").status, AccountStatus::ok);  // primary group
  EXPECT_EQ(check_system_account("nobody", 1000, "root").status, AccountStatus::not_mail_user);
  EXPECT_EQ(check_system_account("nobody", 1000, "no-such-group-xyz").status, AccountStatus::error);
  EXPECT_EQ(check_system_account("no-such-user-xyz", 0, "").status, AccountStatus::unknown);
}
