// check_host() over the real resolver stack: UnboundResolver talking to a
// real unbound server on loopback (tests/unit/dns/unbound_server.hpp), so
// multi-string TXT records, MX/A/AAAA/include/exists and the temperror path
// are exercised exactly as postern-smtpd will use them.
#include "common/dns/unbound_resolver.hpp"
#include "mailauth/spf/spf.hpp"
#include "tests/unit/dns/unbound_server.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace postern::spf {
namespace {

class SpfRealDnsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new dns::test::UnboundServer;
    std::string error;
    if (!server_->start(error)) start_error_ = error;
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(start_error_.empty()) << start_error_; }

  Result check(uint16_t port, const char* ip, const char* sender, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    asio::io_context io;
    dns::UnboundOptions o;
    o.upstreams = {"127.0.0.1@" + std::to_string(port)};
    o.timeout = timeout;
    dns::UnboundResolver resolver(io.get_executor(), o);
    std::optional<Result> out;
    asio::co_spawn(io, check_mail_from(resolver, asio::ip::make_address(ip), sender, "client.example.net"),
                   [&](std::exception_ptr e, Result r) {
                     if (e) std::rethrow_exception(e);
                     out = std::move(r);
                   });
    io.run();
    return *out;
  }
  Result check(const char* ip, const char* sender) { return check(server_->port(), ip, sender); }

  static inline dns::test::UnboundServer* server_ = nullptr;
  static inline std::string start_error_;
};

TEST_F(SpfRealDnsTest, EveryMechanismThroughRealDns) {
  EXPECT_EQ(check("192.0.2.25", "a@spf.test.example").code, Code::pass);   // mx
  EXPECT_EQ(check("192.0.2.11", "a@spf.test.example").code, Code::pass);   // a
  EXPECT_EQ(check("2001:db8:1::5", "a@spf.test.example").code, Code::pass);  // include -> ip6
  Result ex = check("198.51.100.7", "a@spf.test.example");                   // exists:%{ir}...
  EXPECT_EQ(ex.code, Code::pass);
  EXPECT_EQ(ex.mechanism, "exists:%{ir}.allow.test.example");
  Result f = check("203.0.113.9", "a@spf.test.example");
  EXPECT_EQ(f.code, Code::fail);
  EXPECT_EQ(f.mechanism, "-all");
}

TEST_F(SpfRealDnsTest, NoneAndPermerror) {
  EXPECT_EQ(check("192.0.2.1", "a@nope.test.example").code, Code::none);  // NXDOMAIN
  EXPECT_EQ(check("192.0.2.1", "a@www.test.example").code, Code::none);   // no TXT
  EXPECT_EQ(check("192.0.2.1", "a@spf2.test.example").code, Code::permerror);  // two records
}

TEST_F(SpfRealDnsTest, UnreachableDnsIsTemperror) {
  dns::test::SilentUdpPort silent;
  ASSERT_NE(silent.port(), 0);
  Result r = check(silent.port(), "192.0.2.1", "a@spf.test.example", std::chrono::milliseconds(300));
  EXPECT_EQ(r.code, Code::temperror);
  EXPECT_FALSE(r.problem.empty());
}

}  // namespace
}  // namespace postern::spf
