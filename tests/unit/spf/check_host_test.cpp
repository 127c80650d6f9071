// check_host() behaviour beyond the RFC suite: the processing limits of
// RFC 7208 section 4.6.4 (and that we stop querying once they are hit), the
// identities of section 2.3/2.4, and the header fragments.
#include "common/dns/static_resolver.hpp"
#include "mailauth/spf/spf.hpp"
#include "tests/unit/spf/test_util.hpp"

#include <gtest/gtest.h>

namespace postern::spf {
namespace {

using dns::RType;
using test::run;

asio::ip::address ip(const char* s) { return asio::ip::make_address(s); }

Result mail_from(dns::StaticResolver& z, const char* addr, const char* sender, Options o = {}) {
  return run(check_mail_from(z, ip(addr), sender, "helo.example.net", o));
}

TEST(SpfCheckHost, TenDnsMechanismsAllowedEleventhIsPermerror) {
  dns::StaticResolver z;
  std::string ten = "v=spf1", eleven = "v=spf1";
  for (int i = 0; i < 10; ++i) {
    z.add_a("h" + std::to_string(i) + ".example.com", "198.51.100.1");
    ten += " a:h" + std::to_string(i) + ".example.com";
  }
  eleven = ten + " a:h0.example.com";
  z.add_txt("ten.example.com", ten + " ip4:192.0.2.1 -all");
  z.add_txt("eleven.example.com", eleven + " ip4:192.0.2.1 -all");
  EXPECT_EQ(mail_from(z, "192.0.2.1", "a@ten.example.com").code, Code::pass);
  z.clear_queries();
  Result r = mail_from(z, "192.0.2.1", "a@eleven.example.com");
  EXPECT_EQ(r.code, Code::permerror);
  // One TXT plus ten A queries: the eleventh mechanism was never looked up.
  EXPECT_EQ(z.queries().size(), 11u);
}

TEST(SpfCheckHost, IncludeAndRedirectCountTowardTheLimit) {
  dns::StaticResolver z;
  // A chain of includes: i0 -> i1 -> ... each include is one lookup.
  for (int i = 0; i < 12; ++i)
    z.add_txt("i" + std::to_string(i) + ".example.com",
              "v=spf1 include:i" + std::to_string(i + 1) + ".example.com");
  z.add_txt("i12.example.com", "v=spf1 +all");
  EXPECT_EQ(mail_from(z, "192.0.2.1", "a@i0.example.com").code, Code::permerror);
  z.add_txt("r0.example.com", "v=spf1 redirect=r0.example.com");  // a loop ends at the limit
  EXPECT_EQ(mail_from(z, "192.0.2.1", "a@r0.example.com").code, Code::permerror);
  z.add_txt("self.example.com", "v=spf1 include:self.example.com -all");
  EXPECT_EQ(mail_from(z, "192.0.2.1", "a@self.example.com").code, Code::permerror);
}

TEST(SpfCheckHost, TwoVoidLookupsAllowedThirdIsPermerror) {
  dns::StaticResolver z;
  z.add_txt("two.example.com", "v=spf1 a:nx1.example.com exists:nx2.example.com ip4:192.0.2.1 -all");
  z.add_txt("three.example.com",
            "v=spf1 a:nx1.example.com exists:nx2.example.com mx:nx3.example.com ip4:192.0.2.1 -all");
  z.add_name("nodata.example.com");
  z.add_txt("nodata3.example.com",
            "v=spf1 a:nodata.example.com a:nodata.example.com a:nodata.example.com ip4:192.0.2.1 -all");
  EXPECT_EQ(mail_from(z, "192.0.2.1", "a@two.example.com").code, Code::pass);
  EXPECT_EQ(mail_from(z, "192.0.2.1", "a@three.example.com").code, Code::permerror);
  EXPECT_EQ(mail_from(z, "192.0.2.1", "a@nodata3.example.com").code, Code::permerror);
}

TEST(SpfCheckHost, MoreThanTenMxRecordsIsPermerror) {
  dns::StaticResolver z;
  for (int i = 0; i < 11; ++i) {
    std::string host = "mx" + std::to_string(i) + ".example.com";
    z.add_mx("many.example.com", uint16_t(i), host);
    z.add_a(host, "192.0.2." + std::to_string(i + 1));
    if (i < 10) z.add_mx("ten.example.com", uint16_t(i), host);
  }
  z.add_txt("many.example.com", "v=spf1 mx -all");
  z.add_txt("ten.example.com", "v=spf1 mx -all");
  EXPECT_EQ(mail_from(z, "192.0.2.1", "a@many.example.com").code, Code::permerror);
  EXPECT_EQ(mail_from(z, "192.0.2.10", "a@ten.example.com").code, Code::pass);
}

TEST(SpfCheckHost, PtrLooksAtNoMoreThanTenNames) {
  dns::StaticResolver z;
  for (int i = 0; i < 12; ++i) {
    std::string host = "h" + std::to_string(i) + ".example.com";
    z.add_ptr("1.2.0.192.in-addr.arpa", host);
    z.add_a(host, "192.0.2.1");
  }
  z.add_txt("example.com", "v=spf1 ptr -all");
  EXPECT_EQ(mail_from(z, "192.0.2.1", "a@example.com").code, Code::pass);
  size_t a_queries = 0;
  for (const auto& [name, type] : z.queries()) a_queries += type == RType::A;
  EXPECT_LE(a_queries, 10u);
}

TEST(SpfCheckHost, ResultsAndExplanation) {
  dns::StaticResolver z;
  z.add_txt("example.org", "v=spf1 ip4:192.0.2.0/24 ~ip4:198.51.100.1 ?ip6:2001:db8::/32 -all exp=why.example.org");
  z.add_txt("why.example.org", "%{i} is not one of %{d}'s mail servers (%{o})");
  EXPECT_EQ(mail_from(z, "192.0.2.9", "bob@example.org").code, Code::pass);
  EXPECT_EQ(mail_from(z, "198.51.100.1", "bob@example.org").code, Code::softfail);
  EXPECT_EQ(mail_from(z, "2001:db8::5", "bob@example.org").code, Code::neutral);
  Result f = mail_from(z, "203.0.113.7", "bob@example.org");
  EXPECT_EQ(f.code, Code::fail);
  EXPECT_EQ(f.mechanism, "-all");
  EXPECT_EQ(f.explanation, "203.0.113.7 is not one of example.org's mail servers (example.org)");
  EXPECT_EQ(mail_from(z, "192.0.2.9", "bob@nothing.example.org").code, Code::none);
  z.set_timeout("slow.example.org");
  EXPECT_EQ(mail_from(z, "192.0.2.9", "bob@slow.example.org").code, Code::temperror);
}

TEST(SpfCheckHost, DefaultExplanationExpandsMacros) {
  dns::StaticResolver z;
  z.add_txt("example.org", "v=spf1 -all");
  Result f = mail_from(z, "203.0.113.7", "bob@example.org");
  EXPECT_EQ(f.explanation, "example.org does not designate 203.0.113.7 as a permitted sender");
}

TEST(SpfCheckHost, HeloIdentityForNullSender) {
  dns::StaticResolver z;
  z.add_txt("helo.example.net", "v=spf1 ip4:192.0.2.1 -all");
  EXPECT_EQ(run(check_mail_from(z, ip("192.0.2.1"), "", "helo.example.net")).code, Code::pass);
  EXPECT_EQ(run(check_helo(z, ip("192.0.2.2"), "helo.example.net")).code, Code::fail);
  EXPECT_EQ(run(check_helo(z, ip("192.0.2.2"), "[192.0.2.2]")).code, Code::none);
}

TEST(SpfCheckHost, TimestampAndReceiverMacros) {
  dns::StaticResolver z;
  z.add_txt("example.org", "v=spf1 -all exp=why.example.org");
  z.add_txt("why.example.org", "%{r} at %{t}");
  Options o;
  o.receiver = "mx.example.net";
  o.now = 1234567890;
  EXPECT_EQ(mail_from(z, "203.0.113.7", "bob@example.org", o).explanation, "mx.example.net at 1234567890");
}

TEST(SpfHeaders, AuthenticationResultsFragment) {
  Result r;
  r.code = Code::pass;
  EXPECT_EQ(auth_results_fragment(r, "alice@example.org", "mail.example.org"), "spf=pass smtp.mailfrom=example.org");
  r.code = Code::none;
  EXPECT_EQ(auth_results_fragment(r, "", "mail.example.org"), "spf=none smtp.helo=mail.example.org");
  r.code = Code::fail;
  EXPECT_EQ(auth_results_fragment(r, "x@evil;\r\nX-Injected: 1", "h"),
            "spf=fail smtp.mailfrom=\"evil;X-Injected: 1\"");
  r.code = Code::permerror;
  r.problem = "more than one SPF record (at example.org)";
  EXPECT_EQ(auth_results_fragment(r, "a@example.org", "h"),
            "spf=permerror (more than one SPF record at example.org) smtp.mailfrom=example.org");
}

TEST(SpfHeaders, ReceivedSpf) {
  Result r;
  r.code = Code::pass;
  r.mechanism = "ip4:192.0.2.0/24";
  EXPECT_EQ(received_spf(r, ip("192.0.2.1"), "alice@example.org", "mail.example.org", "mx.example.net"),
            "pass (mx.example.net: domain of alice@example.org designates 192.0.2.1 as permitted sender) "
            "client-ip=192.0.2.1; envelope-from=alice@example.org; helo=mail.example.org; "
            "mechanism=\"ip4:192.0.2.0/24\"; identity=mailfrom; receiver=mx.example.net;");
}

}  // namespace
}  // namespace postern::spf
