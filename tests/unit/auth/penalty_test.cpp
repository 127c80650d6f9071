// Failure-penalty arithmetic: base * 2^(n-1), capped, per address and per
// user, decaying over time.
#include <gtest/gtest.h>

#include "auth/penalty.hpp"

using namespace std::chrono_literals;
using postern::auth::Penalties;
using postern::auth::PenaltyPolicy;

TEST(AuthPenalty, DelayDoublesAndCaps) {
  PenaltyPolicy p{.base = 500ms, .max = 15000ms};
  EXPECT_EQ(Penalties::delay_for(0, p), 0ms);
  EXPECT_EQ(Penalties::delay_for(1, p), 500ms);
  EXPECT_EQ(Penalties::delay_for(2, p), 1000ms);
  EXPECT_EQ(Penalties::delay_for(3, p), 2000ms);
  EXPECT_EQ(Penalties::delay_for(5, p), 8000ms);
  EXPECT_EQ(Penalties::delay_for(6, p), 15000ms);
  EXPECT_EQ(Penalties::delay_for(1000, p), 15000ms);
  EXPECT_EQ(Penalties::delay_for(3, PenaltyPolicy{.base = 0ms, .max = 15000ms}), 0ms);
}

TEST(AuthPenalty, CountsPerAddressAndPerUser) {
  Penalties pen(PenaltyPolicy{.base = 100ms, .max = 10000ms, .decay = 300s});
  auto t = Penalties::Clock::now();
  EXPECT_EQ(pen.record_failure("192.0.2.1", "alice", t), 100ms);
  EXPECT_EQ(pen.record_failure("192.0.2.1", "bob", t), 200ms);     // same address
  EXPECT_EQ(pen.record_failure("198.51.100.9", "alice", t), 200ms);  // same user, new address
  EXPECT_EQ(pen.record_failure("203.0.113.5", "carol", t), 100ms);   // neither
  EXPECT_EQ(pen.failures_for_address("192.0.2.1", t), 2u);
  EXPECT_EQ(pen.failures_for_user("ALICE", t), 2u);  // user names are case-insensitive
}

TEST(AuthPenalty, Decays) {
  Penalties pen(PenaltyPolicy{.base = 100ms, .max = 10000ms, .decay = 60s});
  auto t = Penalties::Clock::now();
  for (int i = 0; i < 4; ++i) pen.record_failure("192.0.2.1", "alice", t);
  EXPECT_EQ(pen.failures_for_address("192.0.2.1", t), 4u);
  EXPECT_EQ(pen.failures_for_address("192.0.2.1", t + 61s), 3u);
  EXPECT_EQ(pen.failures_for_address("192.0.2.1", t + 240s), 0u);
  // After a quiet period the next failure starts over at base.
  EXPECT_EQ(pen.record_failure("192.0.2.1", "alice", t + 600s), 100ms);
}

TEST(AuthPenalty, Ipv6CountsPerSlash64) {
  EXPECT_EQ(Penalties::address_key("2001:db8:1:2::1"), Penalties::address_key("2001:db8:1:2:ffff::9"));
  EXPECT_NE(Penalties::address_key("2001:db8:1:2::1"), Penalties::address_key("2001:db8:1:3::1"));
  EXPECT_EQ(Penalties::address_key("::ffff:192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(Penalties::address_key("192.0.2.1"), "192.0.2.1");
}

TEST(AuthPenalty, TablesAreBounded) {
  Penalties pen(PenaltyPolicy{.base = 100ms, .max = 1000ms, .decay = 300s, .max_entries = 100});
  auto t = Penalties::Clock::now();
  for (int i = 0; i < 1000; ++i) pen.record_failure("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256), "u" + std::to_string(i), t);
  EXPECT_LE(pen.size(), 200u);
}
