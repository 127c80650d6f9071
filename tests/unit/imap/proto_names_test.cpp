// Tests of mailbox-name handling (modified UTF-7, RFC 3501 section 5.1.3;
// LIST wildcards, RFC 9051 section 6.3.9) and response formatting.
#include <gtest/gtest.h>

#include "imap/mailbox_name.hpp"
#include "imap/mutf7.hpp"
#include "imap/response.hpp"

using namespace postern::imap;

TEST(ModifiedUtf7, RfcExamples) {
  // RFC 3501 section 5.1.3: "~peter/mail/&U,BTFw-/&ZeVnLIqe-" is ~peter/mail/台北/日本語
  EXPECT_EQ(mutf7_encode("~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
  EXPECT_EQ(*mutf7_decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
            "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
  EXPECT_EQ(mutf7_encode("Entw\xc3\xbcrfe"), "Entw&APw-rfe");
  EXPECT_EQ(*mutf7_decode("Entw&APw-rfe"), "Entw\xc3\xbcrfe");
  EXPECT_EQ(mutf7_encode("A&B"), "A&-B");
  EXPECT_EQ(*mutf7_decode("A&-B"), "A&B");
  // U+1F600 (surrogate pair)
  EXPECT_EQ(*mutf7_decode(mutf7_encode("\xf0\x9f\x98\x80")), "\xf0\x9f\x98\x80");
}

TEST(ModifiedUtf7, RejectsMalformed) {
  EXPECT_FALSE(mutf7_decode("&U,BTFw"));     // unterminated
  EXPECT_FALSE(mutf7_decode("&U/BTFw-"));    // "/" is not modified base64
  EXPECT_FALSE(mutf7_decode("&AGE-"));       // "a" must be written directly
  EXPECT_FALSE(mutf7_decode("&2D0-"));       // lone high surrogate
  EXPECT_FALSE(mutf7_decode("caf\xc3\xa9")); // raw 8-bit
}

TEST(MailboxNames, FromWire) {
  EXPECT_EQ(*mailbox_from_wire("inbox"), "INBOX");
  EXPECT_EQ(*mailbox_from_wire("InBox/Sub"), "INBOX/Sub");
  EXPECT_EQ(*mailbox_from_wire("Archive/2024/"), "Archive/2024");
  EXPECT_EQ(*mailbox_from_wire("Entw&APw-rfe"), "Entw\xc3\xbcrfe");
  EXPECT_FALSE(mailbox_from_wire("&Jjo"));
  EXPECT_EQ(mailbox_to_wire("Entw\xc3\xbcrfe"), "Entw&APw-rfe");
  EXPECT_EQ(mailbox_to_wire("My Stuff"), "\"My Stuff\"");
}

TEST(MailboxNames, ListMatch) {
  EXPECT_TRUE(list_match("INBOX", "*"));
  EXPECT_TRUE(list_match("INBOX", "inbox"));
  EXPECT_TRUE(list_match("INBOX", "In%"));
  EXPECT_TRUE(list_match("Archive/2024", "*"));
  EXPECT_FALSE(list_match("Archive/2024", "%"));
  EXPECT_TRUE(list_match("Archive/2024", "Archive/%"));
  EXPECT_TRUE(list_match("Archive", "%"));
  EXPECT_FALSE(list_match("Archive", "archive"));
  EXPECT_TRUE(list_match("Sent", "S*t"));
  EXPECT_FALSE(list_match("Sent", ""));
  EXPECT_FALSE(list_match(std::string(200, 'a'), std::string(100, '*') + "b"));  // bounded, no hang
}

TEST(ResponseFormat, Strings) {
  EXPECT_EQ(imap_string("abc"), "\"abc\"");
  EXPECT_EQ(imap_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(imap_string("a\r\nb"), "{4}\r\na\r\nb");
  EXPECT_EQ(imap_string("caf\xc3\xa9"), "{5}\r\ncaf\xc3\xa9");
  EXPECT_EQ(imap_nstring(std::nullopt), "NIL");
  EXPECT_EQ(imap_astring("INBOX"), "INBOX");
  EXPECT_EQ(imap_astring("NIL"), "\"NIL\"");
  EXPECT_EQ(imap_astring(""), "\"\"");
  EXPECT_EQ(imap_astring("a b"), "\"a b\"");
}

TEST(ResponseFormat, FlagsAndDates) {
  EXPECT_EQ(format_flags(1 | 8, {"$Junk"}), "\\Seen \\Deleted $Junk");
  EXPECT_EQ(format_flags(0, {}), "");
  EXPECT_EQ(format_date_time(0), "\"01-Jan-1970 00:00:00 +0000\"");
  EXPECT_EQ(format_date_time(1707296400), "\"07-Feb-2024 09:00:00 +0000\"");
}
