// Maildir file-name parser and formatter: flags letters, S= and U= fields.
#include "common/store/maildir_name.hpp"

#include <gtest/gtest.h>

#include "common/store/store.hpp"

using namespace postern::store;
using namespace postern::store::maildir;

TEST(MaildirName, ParsesFlagsAndFields) {
  auto p = parse_name("1700000000.123_abc.host,S=42,U=7:2,FRS");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->base, "1700000000.123_abc.host,S=42,U=7");
  EXPECT_TRUE(p->has_info);
  EXPECT_EQ(p->flags, uint32_t{kFlagged | kAnswered | kSeen});
  EXPECT_EQ(p->size, 42u);
  EXPECT_EQ(p->uid, 7u);
  EXPECT_EQ(p->other_flags, "");
}

TEST(MaildirName, NoInfoMeansNoFlags) {
  auto p = parse_name("1700000000.M1P2.host");
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->has_info);
  EXPECT_EQ(p->flags, 0u);
  EXPECT_FALSE(p->size);
  EXPECT_FALSE(p->uid);
}

TEST(MaildirName, KeepsOtherToolsLetters) {
  auto p = parse_name("x:2,PaSb");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->flags, uint32_t{kSeen});
  EXPECT_EQ(p->other_flags, "Pab");
  EXPECT_EQ(name_with_flags(p->base, kSeen | kDraft, p->other_flags), "x:2,DPSab");
}

TEST(MaildirName, LettersInAsciiOrder) {
  EXPECT_EQ(flag_letters(kSeen | kDeleted | kDraft | kFlagged | kAnswered), "DFRST");
  EXPECT_EQ(flag_letters(0), "");
}

TEST(MaildirName, RejectsNonNames) {
  EXPECT_FALSE(parse_name(""));
  EXPECT_FALSE(parse_name(".hidden"));
  EXPECT_FALSE(parse_name("a/b"));
  EXPECT_FALSE(parse_name(std::string("a\0b", 3)));
  EXPECT_FALSE(parse_name(":2,S"));
  EXPECT_FALSE(parse_name(std::string(256, 'a')));
}

TEST(MaildirName, BadFieldsIgnored) {
  auto p = parse_name("x,S=99999999999999999999999,U=0,U=4294967296:1,S");
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->size);
  EXPECT_FALSE(p->uid);
  EXPECT_FALSE(p->has_info);
  EXPECT_EQ(p->flags, 0u);
}

TEST(MaildirName, UniqueBaseIsUniqueAndParsable) {
  auto a = unique_base(1700000000, 10), b = unique_base(1700000000, 10);
  EXPECT_NE(a, b);
  auto p = parse_name(a);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->base, a);
  EXPECT_EQ(p->size, 10u);
  EXPECT_EQ(a.find(':'), std::string::npos);
  EXPECT_EQ(a.find('/'), std::string::npos);
}
