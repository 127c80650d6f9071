// Authentication-Results building (folding, escaping) and parsing (RFC 8601 2.2).
#include "mailauth/authres/header.hpp"
#include "mailauth/authres/results.hpp"

#include <gtest/gtest.h>

namespace postern::authres {
namespace {

TEST(Build, TypicalHeader) {
  dmarc::Evaluation e;
  e.result = dmarc::Result::pass;
  e.from_domain = "example.com";
  e.record = dmarc::Record{};
  e.record->p = dmarc::Policy::reject;
  dmarc::Disposition d;
  std::string h = build("mx.example.org",
                        {spf_entry(dmarc::SpfResult::pass, "bounce@example.com"),
                         dkim_entry(dmarc::DkimResult::pass, "example.com", "sel1", "AbCdEfGhIjKlMn"),
                         dmarc_entry(e, d)});
  EXPECT_EQ(h,
            "Authentication-Results: mx.example.org;\r\n"
            "\tspf=pass smtp.mailfrom=bounce@example.com;\r\n"
            "\tdkim=pass header.d=example.com header.s=sel1 header.b=AbCdEfGh;\r\n"
            "\tdmarc=pass (p=reject dis=none) header.from=example.com\r\n");
  auto parsed = parse(h.substr(h.find(':') + 1));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->authserv_id, "mx.example.org");
  ASSERT_EQ(parsed->results.size(), 3u);
  EXPECT_EQ(parsed->results[1].props[2].value, "AbCdEfGh");
  EXPECT_EQ(parsed->results[2].props[0].value, "example.com");
}

TEST(Build, NoResults) {
  EXPECT_EQ(build("mx.example.org", {}), "Authentication-Results: mx.example.org; none\r\n");
}

TEST(Build, QuotesAndEscapesUnsafeValues) {
  MethodResult m{"dkim", "", "fail", "bad (sig)\r\nX-Injected: 1", "", {{"header", "b", "ab/c=d\"e"}}};
  std::string h = build("mx.example.org", {m});
  EXPECT_EQ(h.find("\r\nX-Injected"), std::string::npos);
  EXPECT_NE(h.find("(bad \\(sig\\)  X-Injected: 1)"), std::string::npos) << h;
  EXPECT_NE(h.find("header.b=\"ab/c=d\\\"e\""), std::string::npos) << h;
  auto p = parse(h.substr(h.find(':') + 1));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->results[0].props[0].value, "ab/c=d\"e");
}

TEST(Build, FoldsLongLines) {
  MethodResult m{"dkim", "", "pass", "", "", {}};
  for (int i = 0; i < 6; ++i) m.props.push_back({"header", "d", "very-long-subdomain-" + std::to_string(i) + ".example.com"});
  std::string h = build("mx.example.org", {m});
  size_t start = 0;
  while (start < h.size()) {
    size_t end = h.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 78u) << h.substr(start, end - start);
    start = end + 2;
  }
  auto p = parse(h.substr(h.find(':') + 1));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->results[0].props.size(), 6u);
}

TEST(Build, HugeValuesKeepLinesUnder998) {
  MethodResult m{std::string(2000, 'm'), "", std::string(2000, 'r'), std::string(5000, 'c'),
                 std::string(5000, 'x'), {{"header", "d", std::string(5000, 'd')}, {"smtp", "mailfrom", "a@" + std::string(3000, 'e')}}};
  std::string h = build(std::string(3000, 'i'), {m});
  size_t start = 0;
  while (start < h.size()) {
    size_t end = h.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 998u);
    start = end + 2;
  }
  EXPECT_TRUE(parse(h.substr(h.find(':') + 1)));
}

TEST(Parse, Rfc8601Examples) {
  // RFC 8601 Appendix B examples (values only).
  auto b2 = parse(" example.org 1; none");
  ASSERT_TRUE(b2);
  EXPECT_TRUE(b2->none);
  EXPECT_EQ(b2->version, 1u);
  auto b3 = parse(" example.com;\r\n                  spf=pass smtp.mailfrom=example.net");
  ASSERT_TRUE(b3);
  EXPECT_EQ(b3->results[0].method, "spf");
  EXPECT_EQ(b3->results[0].props[0].value, "example.net");
  auto b4 = parse(" example.com;\r\n  auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n"
                  "  spf=pass smtp.mailfrom=example.net");
  ASSERT_TRUE(b4);
  EXPECT_EQ(b4->results.size(), 2u);
  auto b6 = parse(" example.com;\r\n  dkim=pass reason=\"good signature\"\r\n"
                  "    header.i=@mail-router.example.net;\r\n  dkim=fail reason=\"bad signature\"\r\n"
                  "    header.i=@newyork.example.com");
  ASSERT_TRUE(b6);
  EXPECT_EQ(b6->results[0].reason, "good signature");
  EXPECT_EQ(b6->results[1].props[0].value, "@newyork.example.com");
  auto withver = parse(" (c) \"mx.example.org\" (c2) 1 (c3); dkim/1 = pass (x) header (y) . (z) d = example.com");
  ASSERT_TRUE(withver);
  EXPECT_EQ(withver->authserv_id, "mx.example.org");
  EXPECT_EQ(withver->results[0].version, "1");
  EXPECT_EQ(withver->results[0].props[0].value, "example.com");
}

TEST(Parse, Rejects) {
  EXPECT_FALSE(parse(""));
  EXPECT_FALSE(parse(" example.com"));
  EXPECT_FALSE(parse(" example.com; spf"));
  EXPECT_FALSE(parse(" example.com; spf=pass smtp.mailfrom"));
  EXPECT_FALSE(parse(" example.com; spf=pass (unterminated"));
  EXPECT_FALSE(parse(" \"unterminated; spf=pass"));
  EXPECT_FALSE(parse(" example.com; spf=pass reason=a reason=b"));
  EXPECT_FALSE(parse(std::string(100, '(')));
}

TEST(Parse, AuthservIdOnly) {
  EXPECT_EQ(parse_authserv_id(" (forged (nested)) MX.Example.ORG ; garbage ((("), "MX.Example.ORG");
  EXPECT_EQ(parse_authserv_id("mx.example.org;spf=pass"), "mx.example.org");
  EXPECT_EQ(parse_authserv_id(" \"mx.example.org\";"), "mx.example.org");
  EXPECT_FALSE(parse_authserv_id(" ; spf=pass"));
  EXPECT_FALSE(parse_authserv_id(" (unterminated mx.example.org"));
}

}  // namespace
}  // namespace postern::authres
