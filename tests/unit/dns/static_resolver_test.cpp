// StaticResolver: the semantics the unit tests of SPF/DKIM/DMARC rely on.
#include "common/dns/static_resolver.hpp"

#include <gtest/gtest.h>

namespace postern::dns {
namespace {

TEST(StaticResolver, NxdomainNodataAndData) {
  StaticResolver z;
  z.add_a("www.Example.org.", "192.0.2.1");
  z.add_txt("example.org", std::vector<std::string>{"v=spf1 ", "-all"});
  z.add_mx("example.org", 10, "MX.example.org.");
  EXPECT_EQ(z.lookup("www.example.org", RType::A).addrs, std::vector<std::string>{"192.0.2.1"});
  EXPECT_EQ(z.lookup("nope.example.org", RType::A).status, Status::nxdomain);
  EXPECT_EQ(z.lookup("www.example.org", RType::AAAA).status, Status::nodata);
  EXPECT_EQ(z.lookup("EXAMPLE.ORG.", RType::TXT).txt, std::vector<std::string>{"v=spf1 -all"});
  EXPECT_EQ(z.lookup("example.org", RType::MX).mx[0].host, "mx.example.org");
  EXPECT_EQ(z.lookup("a..b", RType::A).status, Status::permerror);
}

TEST(StaticResolver, TimeoutsAndCnames) {
  StaticResolver z;
  z.add_txt("slow.example.org", "v=spf1 -all");
  z.set_timeout("slow.example.org");
  EXPECT_EQ(z.lookup("slow.example.org", RType::TXT).status, Status::ok);
  EXPECT_EQ(z.lookup("slow.example.org", RType::A).status, Status::temperror);
  z.add_a("x.example.org", "192.0.2.9");
  z.set_timeout("x.example.org", RType::MX);
  EXPECT_EQ(z.lookup("x.example.org", RType::MX).status, Status::temperror);
  EXPECT_EQ(z.lookup("x.example.org", RType::AAAA).status, Status::nodata);
  z.add_cname("alias.example.org", "x.example.org");
  EXPECT_EQ(z.lookup("alias.example.org", RType::A).addrs[0], "192.0.2.9");
  EXPECT_EQ(z.lookup("alias.example.org", RType::CNAME).names[0], "x.example.org");
  z.add_cname("loop1.example.org", "loop2.example.org");
  z.add_cname("loop2.example.org", "loop1.example.org");
  EXPECT_EQ(z.lookup("loop1.example.org", RType::A).status, Status::temperror);
}

TEST(StaticResolver, RecordsQueries) {
  StaticResolver z;
  asio::io_context io;
  asio::co_spawn(io, z.query("A.example.org.", RType::TXT), asio::detached);
  io.run();
  ASSERT_EQ(z.queries().size(), 1u);
  EXPECT_EQ(z.queries()[0].first, "a.example.org");
}

}  // namespace
}  // namespace postern::dns

namespace postern::dns {
namespace {

TEST(DnsNames, NormalizeAndValidate) {
  EXPECT_EQ(normalize_name("WWW.Example.ORG."), "www.example.org");
  EXPECT_TRUE(valid_query_name("example.org."));
  EXPECT_TRUE(valid_query_name(std::string(63, 'a') + ".org"));
  EXPECT_FALSE(valid_query_name(std::string(64, 'a') + ".org"));
  EXPECT_FALSE(valid_query_name("a..org"));
  EXPECT_FALSE(valid_query_name(".org"));
  EXPECT_FALSE(valid_query_name(""));
  EXPECT_FALSE(valid_query_name("."));
  std::string long_name;
  for (int i = 0; i < 4; ++i) long_name += std::string(62, 'x') + ".";
  long_name += "org";  // 4 * 63 + 3 = 255 > 253
  EXPECT_FALSE(valid_query_name(long_name));
}

}  // namespace
}  // namespace postern::dns
