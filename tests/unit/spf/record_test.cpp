// SPF record syntax (RFC 7208 sections 4.5, 4.6, 5, 6, 12): what parses and
// what is a permerror.
#include "mailauth/spf/record.hpp"

#include <gtest/gtest.h>

namespace postern::spf {
namespace {

bool ok(std::string_view r) { return parse_record(r).record.has_value(); }

TEST(SpfRecord, Selection) {
  EXPECT_TRUE(is_spf1_record("v=spf1"));
  EXPECT_TRUE(is_spf1_record("v=spf1 -all"));
  EXPECT_TRUE(is_spf1_record("V=SPF1 -all"));
  EXPECT_FALSE(is_spf1_record("v=spf10 -all"));
  EXPECT_FALSE(is_spf1_record("v=spf1-all"));
  EXPECT_FALSE(is_spf1_record(" v=spf1 -all"));
}

TEST(SpfRecord, ParsesEveryMechanism) {
  auto p = parse_record(
      "v=spf1 +all -include:_spf.example.com ~a ?a:mail.example.com/24//64 mx mx:%{d}/30 ptr ptr:example.org "
      "ip4:192.0.2.0/24 ip6:2001:db8::/32 exists:%{ir}.bl.example.com redirect=example.net exp=why.%{d} "
      "foo=bar");
  ASSERT_TRUE(p.record) << p.error;
  const auto& m = p.record->mechanisms;
  ASSERT_EQ(m.size(), 11u);
  EXPECT_EQ(m[0].kind, MechanismKind::all);
  EXPECT_EQ(m[1].qualifier, Qualifier::fail);
  EXPECT_EQ(m[1].domain_spec, "_spf.example.com");
  EXPECT_EQ(m[2].qualifier, Qualifier::softfail);
  EXPECT_EQ(m[3].qualifier, Qualifier::neutral);
  EXPECT_EQ(m[3].domain_spec, "mail.example.com");
  EXPECT_EQ(m[3].cidr4, 24);
  EXPECT_EQ(m[3].cidr6, 64);
  EXPECT_EQ(m[5].cidr4, 30);
  EXPECT_EQ(m[8].kind, MechanismKind::ip4);
  EXPECT_EQ(m[8].cidr4, 24);
  EXPECT_EQ(m[9].cidr6, 32);
  EXPECT_TRUE(m[9].network.v6);
  EXPECT_EQ(*p.record->redirect, "example.net");
  EXPECT_EQ(*p.record->exp, "why.%{d}");
  EXPECT_EQ(m[10].kind, MechanismKind::exists);
}

TEST(SpfRecord, TermSeparationIsSpacesOnly) {
  EXPECT_TRUE(ok("v=spf1  a   -all  "));
  EXPECT_FALSE(ok("v=spf1 a\t-all"));
  EXPECT_FALSE(ok("v=spf1 a -all\xc3\xa9"));
}

TEST(SpfRecord, SyntaxErrorsArePermerrors) {
  EXPECT_FALSE(ok("v=spf1 foo"));                       // unknown mechanism
  EXPECT_FALSE(ok("v=spf1 all:foo.com"));               // all takes nothing
  EXPECT_FALSE(ok("v=spf1 include"));                   // domain required
  EXPECT_FALSE(ok("v=spf1 exists:"));                   // domain required
  EXPECT_FALSE(ok("v=spf1 a:"));                        // empty domain-spec
  EXPECT_FALSE(ok("v=spf1 ip4:1.2.3.4/33"));            // range
  EXPECT_FALSE(ok("v=spf1 ip4:1.2.3.4/024"));           // leading zero
  EXPECT_FALSE(ok("v=spf1 ip4:1.2.03.4"));              // leading zero
  EXPECT_FALSE(ok("v=spf1 ip4:1.2.3"));                 // not a quad
  EXPECT_FALSE(ok("v=spf1 ip4:1.2.3.4//64"));           // no dual cidr on ip4
  EXPECT_FALSE(ok("v=spf1 ip6:2001:db8::/129"));
  EXPECT_FALSE(ok("v=spf1 ip6:1.2.3.4"));
  EXPECT_FALSE(ok("v=spf1 a/33"));
  EXPECT_FALSE(ok("v=spf1 a//129"));
  EXPECT_FALSE(ok("v=spf1 ptr/24"));                    // no cidr on ptr
  EXPECT_FALSE(ok("v=spf1 a:museum"));                  // needs "." toplabel
  EXPECT_FALSE(ok("v=spf1 a:foo.123"));                 // numeric toplabel
  EXPECT_FALSE(ok("v=spf1 a:foo.-com"));                // bad toplabel
  EXPECT_FALSE(ok("v=spf1 redirect=a.example redirect=b.example"));
  EXPECT_FALSE(ok("v=spf1 exp=a.example exp=b.example"));
  EXPECT_FALSE(ok("v=spf1 exp="));
  EXPECT_FALSE(ok("v=spf1 -exists:%{t}.example.com"));  // t only in exp text
  EXPECT_FALSE(ok("v=spf1 a:%{d0}.example.com"));
  EXPECT_FALSE(ok("v=spf1 foo=%"));                     // unknown modifiers must still parse
  EXPECT_FALSE(ok("v=spf1 +redirect=example.com"));     // modifiers take no qualifier
}

TEST(SpfRecord, AcceptedForms) {
  EXPECT_TRUE(ok("v=spf1"));
  EXPECT_TRUE(ok("v=spf1 a:example.com."));
  EXPECT_TRUE(ok("v=spf1 a:foo-bar.c0m"));
  EXPECT_TRUE(ok("v=spf1 a:%{d}"));
  EXPECT_TRUE(ok("v=spf1 mx:%%%_/.Clara.de/27"));
  EXPECT_TRUE(ok("v=spf1 ip4:0.0.0.0/0 ip6:::/0"));
  EXPECT_TRUE(ok("v=spf1 ip6:::ffff:192.0.2.1"));
  EXPECT_TRUE(ok("v=spf1 A:EXAMPLE.COM MX IP4:1.2.3.4 -ALL"));
  EXPECT_TRUE(ok("v=spf1 moo.cow-far_out=man:dog/cat ~all"));
}

TEST(SpfRecord, IpAddressMatching) {
  auto a = *IpAddress::parse("192.0.2.77");
  EXPECT_TRUE(a.matches(*IpAddress::parse("192.0.2.0"), 24));
  EXPECT_FALSE(a.matches(*IpAddress::parse("192.0.3.0"), 24));
  EXPECT_TRUE(a.matches(*IpAddress::parse("192.0.2.64"), 26));
  EXPECT_TRUE(a.matches(*IpAddress::parse("10.0.0.0"), 0));
  EXPECT_FALSE(a.matches(*IpAddress::parse("2001:db8::"), 0));  // families never match
  auto mapped = *IpAddress::parse("::ffff:192.0.2.77");
  EXPECT_FALSE(mapped.v6);
  EXPECT_EQ(mapped.to_string(), "192.0.2.77");
  auto six = *IpAddress::parse("2001:DB8::1");
  EXPECT_TRUE(six.matches(*IpAddress::parse("2001:db8::"), 32));
  EXPECT_EQ(six.to_string(), "2001:db8::1");
}

TEST(SpfRecord, DomainValidity) {
  EXPECT_TRUE(valid_spf_domain("example.com"));
  EXPECT_TRUE(valid_spf_domain("example.com."));
  EXPECT_FALSE(valid_spf_domain("localhost"));
  EXPECT_FALSE(valid_spf_domain("[192.0.2.1]"));
  EXPECT_FALSE(valid_spf_domain("a..example.com"));
  EXPECT_FALSE(valid_spf_domain(std::string(64, 'a') + ".example.com"));
  EXPECT_TRUE(valid_spf_domain(std::string(63, 'a') + ".example.com"));
}

}  // namespace
}  // namespace postern::spf
