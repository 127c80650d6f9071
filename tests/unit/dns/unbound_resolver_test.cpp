// UnboundResolver against a real DNS server: the test starts Debian's
// unbound (/usr/sbin/unbound) on 127.0.0.1 and a free high port, serving a
// small static zone, waits until it answers (polling with a UDP query), and
// checks every record type, NXDOMAIN vs NODATA, the cache, concurrency, and a
// temperror from an upstream that never answers.
#include "common/dns/unbound_resolver.hpp"
#include "tests/unit/dns/unbound_server.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include "tests/support/run_awaitable.hpp"

namespace postern::dns {
namespace {

using test::SilentUdpPort;
using test::UnboundServer;

using postern::test::run;

class UnboundResolverTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new UnboundServer;
    std::string error;
    if (!server_->start(error)) start_error_ = error;
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(start_error_.empty()) << start_error_;
    UnboundOptions o;
    o.upstreams = {"127.0.0.1@" + std::to_string(server_->port())};
    o.timeout = std::chrono::seconds(10);
    resolver_ = std::make_unique<UnboundResolver>(io_.get_executor(), o);
  }
  Answer q(const std::string& name, RType type) { return run(io_, resolver_->query(name, type)); }

  static inline UnboundServer* server_ = nullptr;
  static inline std::string start_error_;
  asio::io_context io_;
  std::unique_ptr<UnboundResolver> resolver_;
};

TEST_F(UnboundResolverTest, AddressRecords) {
  Answer a = q("www.test.example", RType::A);
  ASSERT_EQ(a.status, Status::ok) << a.error;
  std::sort(a.addrs.begin(), a.addrs.end());
  EXPECT_EQ(a.addrs, (std::vector<std::string>{"192.0.2.10", "192.0.2.11"}));
  EXPECT_FALSE(a.secure);
  EXPECT_FALSE(a.bogus);
  EXPECT_GT(a.ttl, 0u);
  Answer six = q("WWW.test.example.", RType::AAAA);
  ASSERT_EQ(six.status, Status::ok) << six.error;
  EXPECT_EQ(six.addrs, std::vector<std::string>{"2001:db8::10"});
}

TEST_F(UnboundResolverTest, MxTxtPtrTlsa) {
  Answer mx = q("test.example", RType::MX);
  ASSERT_EQ(mx.status, Status::ok) << mx.error;
  ASSERT_EQ(mx.mx.size(), 2u);
  std::sort(mx.mx.begin(), mx.mx.end(), [](auto& x, auto& y) { return x.preference < y.preference; });
  EXPECT_EQ(mx.mx[0].preference, 10);
  EXPECT_EQ(mx.mx[0].host, "mx1.test.example");
  EXPECT_EQ(mx.mx[1].host, "mx2.test.example");  // lowercased

  Answer null_mx = q("nullmx.test.example", RType::MX);
  ASSERT_EQ(null_mx.status, Status::ok);
  EXPECT_EQ(null_mx.mx.at(0).host, "");

  Answer txt = q("test.example", RType::TXT);
  ASSERT_EQ(txt.status, Status::ok) << txt.error;
  std::sort(txt.txt.begin(), txt.txt.end());
  // The two character-strings of the SPF record are joined (RFC 7208 3.3).
  EXPECT_EQ(txt.txt, (std::vector<std::string>{"hello world", "v=spf1 ip4:192.0.2.0/24 -all"}));

  Answer ptr = q("17.0.0.11.in-addr.arpa", RType::PTR);
  ASSERT_EQ(ptr.status, Status::ok) << ptr.error;
  EXPECT_EQ(ptr.names, std::vector<std::string>{"www.test.example"});

  Answer tlsa = q("_25._tcp.mx1.test.example", RType::TLSA);
  ASSERT_EQ(tlsa.status, Status::ok) << tlsa.error;
  ASSERT_EQ(tlsa.tlsa.size(), 1u);
  EXPECT_EQ(tlsa.tlsa[0].usage, 3);
  EXPECT_EQ(tlsa.tlsa[0].selector, 1);
  EXPECT_EQ(tlsa.tlsa[0].matching_type, 1);
  ASSERT_EQ(tlsa.tlsa[0].data.size(), 32u);
  EXPECT_EQ(uint8_t(tlsa.tlsa[0].data[0]), 0x01);
  EXPECT_EQ(uint8_t(tlsa.tlsa[0].data[31]), 0xef);
}

TEST_F(UnboundResolverTest, NxdomainIsNotNodata) {
  EXPECT_EQ(q("nope.test.example", RType::A).status, Status::nxdomain);
  EXPECT_EQ(q("www.test.example", RType::MX).status, Status::nodata);
  EXPECT_EQ(q("www.test.example", RType::TXT).status, Status::nodata);
  EXPECT_EQ(q("bad..name", RType::A).status, Status::permerror);
}

TEST_F(UnboundResolverTest, CachesAnswers) {
  ASSERT_EQ(q("www.test.example", RType::A).status, Status::ok);
  size_t sent = resolver_->network_queries();
  Answer again = q("www.test.example", RType::A);
  EXPECT_EQ(again.status, Status::ok);
  EXPECT_EQ(again.addrs.size(), 2u);
  EXPECT_EQ(resolver_->network_queries(), sent);  // served from the cache
  EXPECT_GE(resolver_->cache_size(), 1u);
}

TEST_F(UnboundResolverTest, ManyConcurrentQueries) {
  std::vector<Answer> answers(24);
  for (size_t i = 0; i < answers.size(); ++i) {
    std::string name = (i % 3 == 0) ? "www.test.example" : (i % 3 == 1) ? "test.example" : "nope.test.example";
    RType type = (i % 3 == 1) ? RType::MX : RType::A;
    asio::co_spawn(io_, resolver_->query(name, type), [&answers, i](std::exception_ptr e, Answer a) {
      if (e) std::rethrow_exception(e);
      answers[i] = std::move(a);
    });
  }
  io_.run();
  for (size_t i = 0; i < answers.size(); ++i) {
    Status want = (i % 3 == 2) ? Status::nxdomain : Status::ok;
    EXPECT_EQ(answers[i].status, want) << i << ": " << answers[i].error;
  }
}

TEST_F(UnboundResolverTest, SilentUpstreamIsTemperror) {
  // A bound UDP socket that never answers.
  SilentUdpPort silent;
  ASSERT_NE(silent.port(), 0);
  UnboundOptions o;
  o.upstreams = {"127.0.0.1@" + std::to_string(silent.port())};
  o.timeout = std::chrono::milliseconds(300);
  asio::io_context io;
  UnboundResolver r(io.get_executor(), o);
  Answer a = run(io, r.query("www.test.example", RType::A));
  EXPECT_EQ(a.status, Status::temperror);
  EXPECT_FALSE(a.error.empty());
  // Failures are not cached: the next query goes to the network again.
  Answer b = run(io, r.query("www.test.example", RType::A));
  EXPECT_EQ(b.status, Status::temperror);
  EXPECT_EQ(r.network_queries(), 2u);
}

TEST_F(UnboundResolverTest, DnssecSecureAndBogus) {
  ASSERT_TRUE(server_->signed_zone()) << "make_signed_zone.py failed";
  UnboundOptions o;
  o.upstreams = {"127.0.0.1@" + std::to_string(server_->port())};
  o.trust_anchor_file = server_->dir() + "/secure.example.ta";
  UnboundResolver r(io_.get_executor(), o);
  ASSERT_TRUE(r.validating());

  Answer a = run(io_, r.query("www.secure.example", RType::A));
  ASSERT_EQ(a.status, Status::ok) << a.error;
  EXPECT_EQ(a.addrs, std::vector<std::string>{"192.0.2.20"});
  EXPECT_TRUE(a.secure);
  EXPECT_FALSE(a.bogus);

  Answer tlsa = run(io_, r.query("_25._tcp.www.secure.example", RType::TLSA));  // what DANE needs
  ASSERT_EQ(tlsa.status, Status::ok) << tlsa.error;
  EXPECT_TRUE(tlsa.secure);

  // A record whose signature does not match: bogus, never handed out as data.
  Answer forged = run(io_, r.query("forged.secure.example", RType::A));
  EXPECT_EQ(forged.status, Status::temperror);
  EXPECT_TRUE(forged.bogus);
  EXPECT_FALSE(forged.secure);
  EXPECT_TRUE(forged.addrs.empty());

  // Denial of existence proved by the NSEC chain.
  Answer nx = run(io_, r.query("nope.secure.example", RType::A));
  EXPECT_EQ(nx.status, Status::nxdomain) << nx.error;
  EXPECT_TRUE(nx.secure);

  // The unsigned zone is outside the trust anchor: answered, but not secure.
  Answer insecure = run(io_, r.query("www.test.example", RType::A));
  ASSERT_EQ(insecure.status, Status::ok) << insecure.error;
  EXPECT_FALSE(insecure.secure);
  EXPECT_FALSE(insecure.bogus);
}

TEST_F(UnboundResolverTest, DestroyedWhileQueriesPendingCompletesThem) {
  SilentUdpPort silent;
  ASSERT_NE(silent.port(), 0);
  UnboundOptions o;
  o.upstreams = {"127.0.0.1@" + std::to_string(silent.port())};
  o.timeout = std::chrono::minutes(5);  // the test must not depend on it
  asio::io_context io;
  auto r = std::make_unique<UnboundResolver>(io.get_executor(), o);
  std::optional<Answer> got;
  asio::co_spawn(io, r->query("www.test.example", RType::A), [&](std::exception_ptr, Answer a) { got = a; });
  io.poll();  // the query is now waiting on libunbound
  EXPECT_FALSE(got);
  r.reset();
  io.run();
  ASSERT_TRUE(got);
  EXPECT_EQ(got->status, Status::temperror);
}

TEST_F(UnboundResolverTest, OptionsFromConfig) {
  config::DnsConfig c;
  c.upstreams = {{"127.0.0.1", 5353}, {"::1", 0}};
  c.timeout = std::chrono::seconds(3);
  c.trust_anchor_file = "";
  auto o = UnboundOptions::from_config(c);
  EXPECT_EQ(o.upstreams, (std::vector<std::string>{"127.0.0.1@5353", "::1"}));
  EXPECT_EQ(o.timeout, std::chrono::milliseconds(3000));
  EXPECT_TRUE(o.trust_anchor_file.empty());
}

TEST(UnboundResolverSetup, RejectsBadUpstream) {
  asio::io_context io;
  UnboundOptions o;
  o.upstreams = {"not an address"};
  EXPECT_THROW(UnboundResolver(io.get_executor(), o), std::runtime_error);
}

}  // namespace
}  // namespace postern::dns
