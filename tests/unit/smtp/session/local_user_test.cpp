// The pickup socket's uid -> user mapping (getpwuid_r): the session sends as
// the user the kernel says is connected, and only uid 0 is trusted.
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include "smtp/session.hpp"

namespace {

TEST(LocalUser, OwnUidMapsToOwnName) {
  passwd* pw = getpwuid(getuid());
  ASSERT_NE(pw, nullptr);
  auto u = postern::smtp::local_user_for_uid(getuid());
  ASSERT_TRUE(u);
  EXPECT_EQ(u->name, pw->pw_name);
  EXPECT_EQ(u->trusted, getuid() == 0);
}

TEST(LocalUser, RootIsTrusted) {
  auto u = postern::smtp::local_user_for_uid(0);
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->trusted);
}

TEST(LocalUser, UnknownOrInvalidUid) {
  EXPECT_FALSE(postern::smtp::local_user_for_uid(-1));
  EXPECT_FALSE(postern::smtp::local_user_for_uid(4000000000L - 7));
}

}  // namespace
