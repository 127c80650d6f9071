// SASL PLAIN (RFC 4616) and LOGIN state machines of authd.
#include <gtest/gtest.h>

#include "auth/sasl.hpp"

using postern::auth::SaslMachine;
using Kind = SaslMachine::Step::Kind;

TEST(AuthSasl, Mechanisms) {
  EXPECT_EQ(SaslMachine::mechanism_from_name("PLAIN"), SaslMachine::Mechanism::plain);
  EXPECT_EQ(SaslMachine::mechanism_from_name("LOGIN"), SaslMachine::Mechanism::login);
  EXPECT_FALSE(SaslMachine::mechanism_from_name("CRAM-MD5"));
  EXPECT_FALSE(SaslMachine::mechanism_from_name("plain"));
}

TEST(AuthSasl, PlainInitialResponse) {
  SaslMachine m(SaslMachine::Mechanism::plain);
  auto s = m.start(std::string("\0alice\0secret", 13));
  ASSERT_EQ(s.kind, Kind::done);
  EXPECT_EQ(m.credentials().user, "alice");
  EXPECT_EQ(m.credentials().password, "secret");
  EXPECT_EQ(m.credentials().authzid, "");
}

TEST(AuthSasl, PlainWithAuthzid) {
  SaslMachine m(SaslMachine::Mechanism::plain);
  auto s = m.start(std::string("bob\0alice\0secret", 16));
  ASSERT_EQ(s.kind, Kind::done);
  EXPECT_EQ(m.credentials().authzid, "bob");  // the server decides whether to allow it
}

TEST(AuthSasl, PlainWithoutInitialResponseGetsEmptyChallenge) {
  SaslMachine m(SaslMachine::Mechanism::plain);
  auto s = m.start(std::nullopt);
  ASSERT_EQ(s.kind, Kind::challenge);
  EXPECT_EQ(s.challenge, "");
  auto d = m.respond(std::string("\0alice\0pw", 9));
  ASSERT_EQ(d.kind, Kind::done);
  EXPECT_EQ(m.credentials().password, "pw");
  EXPECT_EQ(m.respond("more").kind, Kind::error);  // nothing more is expected
}

TEST(AuthSasl, PlainMalformed) {
  for (std::string bad : {std::string(""), std::string("alice"), std::string("\0alice", 6),
                          std::string("\0\0secret", 8), std::string("\0alice\0", 7),
                          std::string("\0alice\0pw\0x", 11), std::string("\0al\nice\0pw", 10)}) {
    SaslMachine m(SaslMachine::Mechanism::plain);
    auto s = m.start(bad);
    EXPECT_EQ(s.kind, Kind::error) << "input size " << bad.size();
    EXPECT_EQ(s.error.find("alice"), std::string::npos);  // errors never quote payloads
  }
  SaslMachine m(SaslMachine::Mechanism::plain);
  EXPECT_EQ(m.start(std::string("\0" + std::string(256, 'u') + std::string("\0pw", 3))).kind, Kind::error);
}

TEST(AuthSasl, LoginTwoRounds) {
  SaslMachine m(SaslMachine::Mechanism::login);
  auto s1 = m.start(std::nullopt);
  ASSERT_EQ(s1.kind, Kind::challenge);
  EXPECT_EQ(s1.challenge, "Username:");
  auto s2 = m.respond("alice");
  ASSERT_EQ(s2.kind, Kind::challenge);
  EXPECT_EQ(s2.challenge, "Password:");
  auto s3 = m.respond("secret");
  ASSERT_EQ(s3.kind, Kind::done);
  EXPECT_EQ(m.credentials().user, "alice");
  EXPECT_EQ(m.credentials().password, "secret");
}

TEST(AuthSasl, LoginInitialResponseIsTheUser) {
  SaslMachine m(SaslMachine::Mechanism::login);
  auto s1 = m.start(std::string("alice"));
  ASSERT_EQ(s1.kind, Kind::challenge);
  EXPECT_EQ(s1.challenge, "Password:");
  ASSERT_EQ(m.respond("pw").kind, Kind::done);
  EXPECT_EQ(m.credentials().user, "alice");
}

TEST(AuthSasl, LoginRejectsEmptyAndNul) {
  SaslMachine a(SaslMachine::Mechanism::login);
  a.start(std::nullopt);
  EXPECT_EQ(a.respond("").kind, Kind::error);
  SaslMachine b(SaslMachine::Mechanism::login);
  b.start(std::nullopt);
  b.respond("alice");
  EXPECT_EQ(b.respond(std::string("p\0w", 3)).kind, Kind::error);
}
