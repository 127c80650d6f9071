// Tests of the aliases file parser and of alias expansion (smtp/aliases.hpp):
// the format, recursion, loops, the postmaster fallback and the file:line
// errors an administrator sees at start-up.
#include "smtp/aliases.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace postern::smtp {
namespace {

using Users = std::vector<std::string>;

// The message of the error parse() throws, or "" when it accepts the text.
std::string parse_error(const std::string& text) {
  try {
    AliasTable::parse(text, "/etc/postern/aliases");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(Aliases, CommentsBlankLinesAndMultipleTargets) {
  auto t = AliasTable::parse(
      "# administrative mail\n"
      "\n"
      "root: alice\n"
      "   \t\n"
      "info:alice ,  bob,carol   # shared\r\n"
      "abuse: root\n",
      "aliases");
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t.expand("root"), (Users{"alice"}));
  EXPECT_EQ(t.expand("info"), (Users{"alice", "bob", "carol"}));
  EXPECT_EQ(t.expand("abuse"), (Users{"alice"}));  // through root
}

TEST(Aliases, KeysAndTargetsAreCaseInsensitive) {
  auto t = AliasTable::parse("Root: Alice\n", "aliases");
  EXPECT_EQ(t.expand("ROOT"), (Users{"alice"}));
  EXPECT_TRUE(t.is_alias("rOOt"));
}

TEST(Aliases, NonAliasIsItselfForTheUserLookup) {
  auto t = AliasTable::parse("root: alice\n", "aliases");
  EXPECT_FALSE(t.is_alias("bob"));
  EXPECT_EQ(t.expand("Bob"), (Users{"bob"}));
  EXPECT_EQ(AliasTable{}.expand("alice"), (Users{"alice"}));
}

TEST(Aliases, RecursionDeduplicatesUsers) {
  auto t = AliasTable::parse(
      "staff: admins, alice, bob\n"
      "admins: alice, root\n"
      "root: bob\n",
      "aliases");
  EXPECT_EQ(t.expand("staff"), (Users{"alice", "bob"}));
}

TEST(Aliases, SelfTargetMeansTheUserItself) {
  auto t = AliasTable::parse("alice: alice, bob\n", "aliases");
  EXPECT_EQ(t.expand("alice"), (Users{"alice", "bob"}));
}

TEST(Aliases, FiveLevelsAllowedSixRefused) {
  std::string five = "a1: a2\na2: a3\na3: a4\na4: a5\na5: alice\n";
  EXPECT_EQ(AliasTable::parse(five, "aliases").expand("a1"), (Users{"alice"}));
  std::string six = "a0: a1\n" + five;
  EXPECT_EQ(parse_error(six), "/etc/postern/aliases:1: alias chain from 'a0' deeper than 5");
}

TEST(Aliases, LoopsAreRefusedWithTheLine) {
  EXPECT_EQ(parse_error("root: alice\nx: y\ny: x\n"), "/etc/postern/aliases:3: alias loop: 'y' -> 'x'");
  EXPECT_EQ(parse_error("a: b\nb: c, alice\nc: a\n"), "/etc/postern/aliases:3: alias loop: 'c' -> 'a'");
}

TEST(Aliases, UnsupportedTargetsAreRefusedWithFileAndLine) {
  EXPECT_EQ(parse_error("# c\nroot: alice\nlog: |/usr/bin/logger\n"),
            "/etc/postern/aliases:3: pipe targets are not supported: |/usr/bin/logger");
  EXPECT_EQ(parse_error("archive: /var/mail/archive\n"),
            "/etc/postern/aliases:1: file targets are not supported: /var/mail/archive");
  EXPECT_EQ(parse_error("list: :include:/etc/list\n"), "/etc/postern/aliases:1: :include: is not supported");
  EXPECT_EQ(parse_error("\nfwd: alice, bob@example.com\n"),
            "/etc/postern/aliases:2: remote targets are not supported: bob@example.com");
  EXPECT_EQ(parse_error("x: \"alice smith\"\n"),
            "/etc/postern/aliases:1: invalid target (expected a local user name): \"alice smith\"");
}

TEST(Aliases, MalformedLinesAreRefusedWithFileAndLine) {
  EXPECT_EQ(parse_error("root alice\n"), "/etc/postern/aliases:1: expected 'local-part: target[, target...]'");
  EXPECT_EQ(parse_error("root:\n"), "/etc/postern/aliases:1: empty target");
  EXPECT_EQ(parse_error("root: alice,\n"), "/etc/postern/aliases:1: empty target");
  EXPECT_EQ(parse_error("root: alice,,bob\n"), "/etc/postern/aliases:1: empty target");
  EXPECT_EQ(parse_error(": alice\n"), "/etc/postern/aliases:1: invalid alias name ''");
  EXPECT_EQ(parse_error("ro ot: alice\n"), "/etc/postern/aliases:1: invalid alias name 'ro ot'");
  EXPECT_EQ(parse_error("root: alice\n\nRoot: bob\n"),
            "/etc/postern/aliases:3: duplicate alias 'root' (first on line 1)");
  EXPECT_EQ(parse_error("root: alice\n" + std::string(5000, 'x') + "\n"), "/etc/postern/aliases:2: line too long");
}

TEST(Aliases, TooManyTargetsOnALine) {
  std::string line = "big: u0";
  for (int i = 1; i <= 100; ++i) line += ", u" + std::to_string(i);
  EXPECT_EQ(parse_error(line + "\n"), "/etc/postern/aliases:1: too many targets");
}

// RFC 5321 4.5.1: postmaster must be accepted even without its own entry.
TEST(Aliases, PostmasterFollowsRootWithoutItsOwnEntry) {
  auto t = AliasTable::parse("root: alice, bob\n", "aliases");
  EXPECT_TRUE(t.is_alias("Postmaster"));
  EXPECT_EQ(t.expand("postmaster"), (Users{"alice", "bob"}));
  auto own = AliasTable::parse("root: alice\npostmaster: carol\n", "aliases");
  EXPECT_EQ(own.expand("postmaster"), (Users{"carol"}));
  auto none = AliasTable::parse("info: alice\n", "aliases");  // left to the user lookup
  EXPECT_FALSE(none.is_alias("postmaster"));
  EXPECT_EQ(none.expand("postmaster"), (Users{"postmaster"}));
}

TEST(Aliases, ShippedExampleFileParses) {
  auto t = AliasTable::load(std::string(POSTERN_SOURCE_DIR) + "/conf/aliases");
  EXPECT_EQ(t.size(), 0u);  // every entry is commented out
}

class AliasesFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/postern-aliases-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(AliasesFile, MissingFileMeansNoAliases) {
  auto t = AliasTable::load((dir_ / "absent").string());
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.expand("root"), (Users{"root"}));
}

TEST_F(AliasesFile, LoadsAndNamesTheFileInErrors) {
  auto path = (dir_ / "aliases").string();
  std::ofstream(path) << "root: alice\n";
  EXPECT_EQ(AliasTable::load(path).expand("root"), (Users{"alice"}));
  std::ofstream(path) << "root: alice\nbad line\n";
  try {
    AliasTable::load(path);
    FAIL() << "accepted a bad line";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), path + ":2: expected 'local-part: target[, target...]'");
  }
}

}  // namespace
}  // namespace postern::smtp
