// RFC5322.From extraction for DMARC (RFC 5322 3.4, RFC 7489 6.6.1).
#include "mailauth/dmarc/from.hpp"
#include "mailauth/dmarc/header_fields.hpp"
#include "mailauth/dmarc/idna.hpp"

#include <gtest/gtest.h>

namespace postern::dmarc {
namespace {

FromIdentity from(const std::string& value) { return extract_from("From: " + value + "\r\n\r\n"); }

TEST(From, Simple) {
  auto id = from("alice@Example.COM");
  ASSERT_EQ(id.status, FromStatus::ok) << id.error;
  EXPECT_EQ(id.domain, "example.com");
}

TEST(From, DisplayNamesCommentsQuotes) {
  EXPECT_EQ(from("\"Smith, John\" <john@example.com>").domain, "example.com");
  EXPECT_EQ(from("John (the boss) Smith <john@(c)example.com (c2)>").domain, "example.com");
  EXPECT_EQ(from("\"john@evil.example\"@example.com").domain, "example.com");
  EXPECT_EQ(from("\"a\\\"b\" <x@example.com>").domain, "example.com");
  EXPECT_EQ(from("John Q. Public <jqp@example.com>").domain, "example.com");
  EXPECT_EQ(from("=?utf-8?q?a=40evil=2Eexample?= <x@example.com>").domain, "example.com");
  EXPECT_EQ(from("((nested) comment) x@example.com").domain, "example.com");
}

TEST(From, FoldedField) {
  auto id = extract_from("Subject: x\r\nFrom: Alice\r\n <alice@example.com>\r\n\r\nFrom: body@ignored.example\r\n");
  ASSERT_EQ(id.status, FromStatus::ok);
  EXPECT_EQ(id.domain, "example.com");
  EXPECT_EQ(id.from_fields, 1u);
}

TEST(From, ObsWhitespaceBeforeColonAndBareLf) {
  auto id = extract_from("from  : a@example.com\nTo: b@example.org\n\n");
  ASSERT_EQ(id.status, FromStatus::ok);
  EXPECT_EQ(id.domain, "example.com");
}

TEST(From, MissingAndEmpty) {
  EXPECT_EQ(extract_from("To: a@example.com\r\n\r\n").status, FromStatus::missing);
  EXPECT_EQ(extract_from("").status, FromStatus::missing);
  EXPECT_EQ(from("").status, FromStatus::no_domain);
  EXPECT_EQ(from("Undisclosed:;").status, FromStatus::no_domain);
}

TEST(From, SeveralDomainsFailClosed) {
  auto id = from("a@example.com, b@example.org");
  EXPECT_EQ(id.status, FromStatus::multiple_domains);
  EXPECT_EQ(id.domains.size(), 2u);
  auto two = extract_from("From: a@example.com\r\nFrom: b@example.org\r\n\r\n");
  EXPECT_EQ(two.status, FromStatus::multiple_domains);
  EXPECT_EQ(two.from_fields, 2u);
}

TEST(From, SameDomainRepeatedIsOne) {
  auto id = from("a@example.com, B <b@EXAMPLE.com.>");
  ASSERT_EQ(id.status, FromStatus::ok);
  EXPECT_EQ(id.domain, "example.com");
  EXPECT_EQ(id.mailboxes, 2u);
}

TEST(From, Unparsable) {
  EXPECT_EQ(from("<unterminated@example.com").status, FromStatus::unparsable);
  EXPECT_EQ(from("\"unterminated@example.com").status, FromStatus::unparsable);
  EXPECT_EQ(from("(unterminated a@example.com").status, FromStatus::unparsable);
  EXPECT_EQ(from("no-at-sign").status, FromStatus::unparsable);
  EXPECT_EQ(from("a@").status, FromStatus::unparsable);
  EXPECT_EQ(from("a@b@c").status, FromStatus::unparsable);
  EXPECT_EQ(from("<a@example.com> trailing").status, FromStatus::unparsable);
  EXPECT_EQ(from("root@[127.0.0.1]").status, FromStatus::unparsable);
  EXPECT_EQ(from("a@exa mple.com").status, FromStatus::unparsable);
  EXPECT_EQ(from(std::string(100, '(') + "x").status, FromStatus::unparsable);
}

TEST(From, BadDomainNames) {
  EXPECT_EQ(from("a@exa!mple.com").status, FromStatus::no_domain);
  EXPECT_EQ(from("a@" + std::string(70, 'x') + ".com").status, FromStatus::no_domain);
}

TEST(From, Idn) {
  auto id = from("=?utf-8?q?M=C3=BCller?= <m@BÜCHER.example>");
  ASSERT_EQ(id.status, FromStatus::ok) << id.error;
  EXPECT_EQ(id.domain, "xn--bcher-kva.example");
  EXPECT_EQ(from("m@xn--bcher-kva.example").domain, "xn--bcher-kva.example");
}

TEST(From, TooManyFieldsOrMailboxes) {
  std::string h;
  for (int i = 0; i < 20; ++i) h += "From: a@example.com\r\n";
  EXPECT_EQ(extract_from(h).status, FromStatus::unparsable);
  std::string many;
  for (int i = 0; i < 100; ++i) many += "a@example.com,";
  EXPECT_EQ(from(many).status, FromStatus::unparsable);
}

TEST(Idna, Punycode) {
  // RFC 3492 section 7.1 and common examples.
  EXPECT_EQ(punycode_encode("bücher"), "bcher-kva");
  EXPECT_EQ(punycode_encode("münchen"), "mnchen-3ya");
  EXPECT_EQ(punycode_encode("食狮"), "85x722f");
  EXPECT_EQ(punycode_encode("\xe4\xbb\x96\xe4\xbb\xac\xe4\xb8\xba\xe4\xbb\x80\xe4\xb9\x88\xe4\xb8\x8d"
                            "\xe8\xaf\xb4\xe4\xb8\xad\xe6\x96\x87"),
            "ihqwcrb4cv8a8dqg056pqjye");  // (B) Chinese (simplified)
  EXPECT_FALSE(punycode_encode("\xc3"));          // truncated UTF-8
  EXPECT_FALSE(punycode_encode("\xc0\x80"));      // overlong
  EXPECT_FALSE(punycode_encode("\xed\xa0\x80"));  // surrogate
}

TEST(Idna, ToAsciiDomain) {
  EXPECT_EQ(to_ascii_domain("Example.COM."), "example.com");
  EXPECT_EQ(to_ascii_domain("食狮.中国"), "xn--85x722f.xn--fiqs8s");
  EXPECT_FALSE(to_ascii_domain(""));
  EXPECT_FALSE(to_ascii_domain("."));
  EXPECT_FALSE(to_ascii_domain("a..b"));
  EXPECT_FALSE(to_ascii_domain("a b.com"));
}

TEST(HeaderFields, KeepsRawBytesAndRest) {
  std::string m = "A: 1\r\nB: 2\r\n x\r\nbad line\r\n\r\nbody";
  auto hb = split_header_fields(m);
  ASSERT_EQ(hb.fields.size(), 3u);
  EXPECT_EQ(hb.fields[1].raw, "B: 2\r\n x\r\n");
  EXPECT_EQ(hb.fields[1].value, " 2\r\n x");
  EXPECT_EQ(hb.fields[2].name, "");
  EXPECT_EQ(hb.rest, "\r\nbody");
  EXPECT_EQ(unfold(hb.fields[1].value), " 2 x");
}

}  // namespace
}  // namespace postern::dmarc
