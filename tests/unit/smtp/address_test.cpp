// Path and address syntax (RFC 5321 4.1.2, 4.1.3, 4.5.3.1; RFC 6531 3.3).
#include <gtest/gtest.h>

#include "smtp/address.hpp"

using namespace postern::smtp;

namespace {
PathError parse(std::string_view s, Path& p, bool allow_null = true) {
  size_t used = 0;
  return parse_path(s, allow_null, p, used);
}
}  // namespace

TEST(SmtpAddress, SimplePath) {
  Path p;
  size_t used = 0;
  ASSERT_EQ(parse_path("<alice@example.org> SIZE=10", false, p, used), PathError::none);
  EXPECT_EQ(p.addr.local, "alice");
  EXPECT_EQ(p.addr.domain, "example.org");
  EXPECT_EQ(used, 19u);
  EXPECT_FALSE(p.addr.utf8);
}

TEST(SmtpAddress, NullPathOnlyWhereAllowed) {
  Path p;
  EXPECT_EQ(parse("<>", p, true), PathError::none);
  EXPECT_TRUE(p.null);
  EXPECT_EQ(parse("<>", p, false), PathError::syntax);
}

TEST(SmtpAddress, QuotedLocalPart) {
  Path p;
  ASSERT_EQ(parse(R"(<"john \"q\" doe"@example.org>)", p), PathError::none);
  EXPECT_EQ(p.addr.local, R"("john \"q\" doe")");
  EXPECT_EQ(unquote_local(p.addr.local), R"(john "q" doe)");
  EXPECT_EQ(parse("<\"unterminated@example.org>", p), PathError::syntax);
}

TEST(SmtpAddress, SourceRouteIgnored) {
  Path p;
  ASSERT_EQ(parse("<@relay.example,@other.example:bob@example.org>", p), PathError::none);
  EXPECT_EQ(p.addr.str(), "bob@example.org");
  EXPECT_EQ(parse("<@:bob@example.org>", p), PathError::syntax);
}

TEST(SmtpAddress, DomainLiterals) {
  Path p;
  EXPECT_EQ(parse("<a@[192.0.2.1]>", p), PathError::none);
  EXPECT_TRUE(p.addr.is_literal());
  EXPECT_EQ(parse("<a@[IPv6:2001:db8::1]>", p), PathError::none);
  EXPECT_EQ(parse("<a@[300.0.2.1]>", p), PathError::syntax);
  EXPECT_EQ(parse("<a@[IPv6:zz]>", p), PathError::syntax);
}

TEST(SmtpAddress, BadSyntax) {
  Path p;
  for (auto s : {"alice@example.org", "<alice@example.org", "<alice>", "<.alice@example.org>", "<al..ice@example.org>",
                 "<alice.@example.org>", "<alice@-example.org>", "<alice@example..org>", "<alice@>", "<@example.org>",
                 "<al ice@example.org>", "<alice@exa_mple.org>"})
    EXPECT_EQ(parse(s, p), PathError::syntax) << s;
}

TEST(SmtpAddress, PostmasterWithoutDomain) {
  Path p;
  ASSERT_EQ(parse("<PostMaster>", p), PathError::none);
  EXPECT_TRUE(p.postmaster);
}

TEST(SmtpAddress, Utf8AddressesAreMarked) {
  Path p;
  ASSERT_EQ(parse("<j\xC3\xB6rg@b\xC3\xBC" "cher.example>", p), PathError::none);
  EXPECT_TRUE(p.addr.utf8);
  EXPECT_EQ(parse("<j\xC3rg@example.org>", p), PathError::syntax);  // broken UTF-8
  EXPECT_EQ(parse("<j\xED\xA0\x80@example.org>", p), PathError::syntax);  // surrogate
}

TEST(SmtpAddress, LengthLimits) {
  Path p;
  std::string local(64, 'a');
  EXPECT_EQ(parse("<" + local + "@example.org>", p), PathError::none);
  EXPECT_EQ(parse("<" + local + "a@example.org>", p), PathError::too_long);
  std::string dom;
  for (int i = 0; i < 4; ++i) dom += std::string(49, 'd') + ".";
  dom += "org";
  EXPECT_EQ(parse("<a@" + dom + ">", p), PathError::none);
  EXPECT_EQ(parse("<" + local + "@" + dom + ">", p), PathError::too_long);  // path > 256 octets
}

TEST(SmtpAddress, DomainValidation) {
  EXPECT_TRUE(valid_domain("mail.example.org", false));
  EXPECT_TRUE(valid_domain("xn--bcher-kva.example", false));
  EXPECT_FALSE(valid_domain("b\xC3\xBC" "cher.example", false));
  EXPECT_TRUE(valid_domain("b\xC3\xBC" "cher.example", true));
  EXPECT_FALSE(valid_domain(std::string(64, 'a') + ".org", false));
  EXPECT_TRUE(valid_address_literal("[x-tag:content]"));
  EXPECT_FALSE(valid_address_literal("[x-tag:]"));
}
