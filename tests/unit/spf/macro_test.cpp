// SPF macro expansion (RFC 7208 section 7), checked against the RFC's own
// examples (7.4) and the syntax rules of 7.1-7.3.
#include "mailauth/spf/macro.hpp"

#include <gtest/gtest.h>

namespace postern::spf {
namespace {

MacroValues example_values() {
  MacroValues v;
  v.sender = "strong-bad@email.example.com";
  v.local_part = "strong-bad";
  v.sender_domain = "email.example.com";
  v.domain = "email.example.com";
  v.ip_dotted = "192.0.2.3";
  v.ip_readable = "192.0.2.3";
  v.ip_version = "in-addr";
  v.helo = "mx.example.org";
  v.validated = "mx.example.org";
  v.receiver = "mx.example.net";
  v.timestamp = "1700000000";
  return v;
}

std::string x(std::string_view s, MacroContext ctx = MacroContext::domain) {
  auto r = expand_macros(s, example_values(), ctx);
  return r ? *r : "<error>";
}

TEST(SpfMacro, Rfc7208Section74Examples) {
  EXPECT_EQ(x("%{s}"), "strong-bad@email.example.com");
  EXPECT_EQ(x("%{o}"), "email.example.com");
  EXPECT_EQ(x("%{d}"), "email.example.com");
  EXPECT_EQ(x("%{d4}"), "email.example.com");
  EXPECT_EQ(x("%{d3}"), "email.example.com");
  EXPECT_EQ(x("%{d2}"), "example.com");
  EXPECT_EQ(x("%{d1}"), "com");
  EXPECT_EQ(x("%{dr}"), "com.example.email");
  EXPECT_EQ(x("%{d2r}"), "example.email");
  EXPECT_EQ(x("%{l}"), "strong-bad");
  EXPECT_EQ(x("%{l-}"), "strong.bad");
  EXPECT_EQ(x("%{lr}"), "strong-bad");
  EXPECT_EQ(x("%{lr-}"), "bad.strong");
  EXPECT_EQ(x("%{l1r-}"), "strong");
  EXPECT_EQ(x("%{ir}.%{v}._spf.%{d2}"), "3.2.0.192.in-addr._spf.example.com");
  EXPECT_EQ(x("%{lr-}.lp._spf.%{d2}"), "bad.strong.lp._spf.example.com");
  EXPECT_EQ(x("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}"), "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
  EXPECT_EQ(x("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}"), "3.2.0.192.in-addr.strong.lp._spf.example.com");
  EXPECT_EQ(x("%{d2}.trusted-domains.example.net"), "example.com.trusted-domains.example.net");
}

TEST(SpfMacro, Ipv6Example) {
  MacroValues v = example_values();
  v.ip_dotted = "2.0.0.1.0.D.B.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.C.B.0.1";
  v.ip_version = "ip6";
  EXPECT_EQ(*expand_macros("%{ir}.%{v}._spf.%{d2}", v, MacroContext::domain),
            "1.0.B.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.B.D.0.1.0.0.2.ip6._spf.example.com");
}

TEST(SpfMacro, EscapesAndUppercase) {
  EXPECT_EQ(x("a%%b%_c%-d"), "a%b c%20d");
  MacroValues v = example_values();
  v.local_part = "~jack&jill=up-a_b3.c";
  EXPECT_EQ(*expand_macros("l=%{L}", v, MacroContext::domain), "l=~jack%26jill%3Dup-a_b3.c");
  EXPECT_EQ(*expand_macros("l=%{l}", v, MacroContext::domain), "l=~jack&jill=up-a_b3.c");
}

TEST(SpfMacro, MultipleDelimitersJoinWithDots) {
  MacroValues v = example_values();
  v.local_part = "foo-bar+zip+quux";
  EXPECT_EQ(*expand_macros("%{l-+}", v, MacroContext::domain), "foo.bar.zip.quux");
  EXPECT_EQ(*expand_macros("%{l2r+-}", v, MacroContext::domain), "bar.foo");
}

TEST(SpfMacro, SyntaxErrors) {
  EXPECT_EQ(x("%{d0}"), "<error>");      // 7.3: the digit must be nonzero
  EXPECT_EQ(x("%{x}"), "<error>");       // unknown letter
  EXPECT_EQ(x("%{d"), "<error>");        // unterminated
  EXPECT_EQ(x("%(ir)"), "<error>");      // wrong brackets
  EXPECT_EQ(x("abc%"), "<error>");       // lone percent
  EXPECT_EQ(x("%{d2*}"), "<error>");     // '*' is not a delimiter
  EXPECT_EQ(x("a b"), "<error>");        // space only in explanation text
  EXPECT_EQ(x("a b", MacroContext::explanation), "a b");
}

TEST(SpfMacro, ExplanationOnlyLetters) {
  // 7.2: c, r and t are only allowed in exp= text.
  EXPECT_EQ(x("%{c}"), "<error>");
  EXPECT_EQ(x("%{r}"), "<error>");
  EXPECT_EQ(x("%{t}"), "<error>");
  EXPECT_EQ(x("%{c} %{r} %{t}", MacroContext::explanation), "192.0.2.3 mx.example.net 1700000000");
  EXPECT_FALSE(valid_macro_string("%{t}.example.com", MacroContext::domain));
  EXPECT_TRUE(valid_macro_string("%{t}", MacroContext::explanation));
}

TEST(SpfMacro, UsesP) {
  EXPECT_TRUE(uses_p_macro("%{p}.example.com"));
  EXPECT_TRUE(uses_p_macro("%{P2r}"));
  EXPECT_FALSE(uses_p_macro("%{d}.example.com"));
  EXPECT_EQ(x("%{p2}"), "example.org");
}

TEST(SpfMacro, DomainTruncationTo253) {
  std::string label(60, 'a');
  std::string name = label + "." + label + "." + label + "." + label + "." + label + ".example.com.";
  std::string done = finish_domain(name);
  EXPECT_LE(done.size(), 253u);
  // 5 x 61 + 12 = 317 characters: two labels must go (4 x 61 + 11 = 255 is still too long).
  EXPECT_EQ(done, label + "." + label + "." + label + ".example.com");
  EXPECT_EQ(finish_domain("example.com."), "example.com");
}

TEST(SpfMacro, ExpansionIsBounded) {
  MacroValues v = example_values();
  v.local_part = std::string(1000, 'x');
  std::string s;
  for (int i = 0; i < 200; ++i) s += "%{l}";
  EXPECT_FALSE(expand_macros(s, v, MacroContext::domain).has_value());
}

}  // namespace
}  // namespace postern::spf
