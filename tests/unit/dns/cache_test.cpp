// The answer cache: TTLs honoured (and capped), LRU eviction at capacity,
// temporary failures never cached.
#include "common/dns/cache.hpp"

#include <gtest/gtest.h>

namespace postern::dns {
namespace {

using namespace std::chrono_literals;

Answer ok(uint32_t ttl, std::string addr = "192.0.2.1") {
  Answer a;
  a.status = Status::ok;
  a.ttl = ttl;
  a.addrs = {std::move(addr)};
  return a;
}

TEST(DnsCache, HonoursTtl) {
  AnswerCache c(10);
  auto t0 = AnswerCache::Clock::time_point{} + 1000s;
  c.put("a.example", RType::A, ok(60), t0);
  auto hit = c.get("a.example", RType::A, t0 + 59s);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->ttl, 1u);  // the time left
  EXPECT_FALSE(c.get("a.example", RType::AAAA, t0));
  EXPECT_FALSE(c.get("a.example", RType::A, t0 + 60s));
  EXPECT_EQ(c.size(), 0u);  // expired entries are dropped
}

TEST(DnsCache, CapsTtls) {
  AnswerCache c(10, 1h, 5min);
  auto t0 = AnswerCache::Clock::time_point{} + 1000s;
  c.put("a.example", RType::A, ok(7 * 24 * 3600), t0);
  EXPECT_TRUE(c.get("a.example", RType::A, t0 + 3599s));
  EXPECT_FALSE(c.get("a.example", RType::A, t0 + 3600s));
  Answer nx;
  nx.status = Status::nxdomain;
  nx.ttl = 86400;
  c.put("nx.example", RType::A, nx, t0);
  EXPECT_EQ(c.get("nx.example", RType::A, t0)->status, Status::nxdomain);
  EXPECT_FALSE(c.get("nx.example", RType::A, t0 + 5min));
}

TEST(DnsCache, NeverCachesFailuresOrZeroTtl) {
  AnswerCache c(10);
  auto t0 = AnswerCache::Clock::now();
  Answer temp;
  temp.status = Status::temperror;
  temp.ttl = 300;
  c.put("t.example", RType::A, temp, t0);
  c.put("z.example", RType::A, ok(0), t0);
  Answer bogus = ok(300);
  bogus.bogus = true;
  c.put("b.example", RType::A, bogus, t0);
  EXPECT_EQ(c.size(), 0u);
}

TEST(DnsCache, EvictsLeastRecentlyUsed) {
  AnswerCache c(2);
  auto t0 = AnswerCache::Clock::now();
  c.put("one.example", RType::A, ok(300, "192.0.2.1"), t0);
  c.put("two.example", RType::A, ok(300, "192.0.2.2"), t0);
  ASSERT_TRUE(c.get("one.example", RType::A, t0));  // one is now most recent
  c.put("three.example", RType::A, ok(300, "192.0.2.3"), t0);
  EXPECT_EQ(c.size(), 2u);
  EXPECT_TRUE(c.get("one.example", RType::A, t0));
  EXPECT_FALSE(c.get("two.example", RType::A, t0));
  EXPECT_TRUE(c.get("three.example", RType::A, t0));
  c.put("three.example", RType::A, ok(300, "192.0.2.4"), t0);  // replace in place
  EXPECT_EQ(c.get("three.example", RType::A, t0)->addrs[0], "192.0.2.4");
  EXPECT_EQ(c.size(), 2u);
}

}  // namespace
}  // namespace postern::dns
