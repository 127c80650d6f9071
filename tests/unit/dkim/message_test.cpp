// Message splitting: CRLF and bare LF, folding, no body, malformed input, limits.
#include "mailauth/dkim/message.hpp"

#include <gtest/gtest.h>

using namespace postern::dkim;

TEST(DkimMessage, SplitsHeadersAndBody) {
  Message m = Message::parse("From: a@b\r\nSubject: x\r\n y\r\n\r\nbody\r\n");
  ASSERT_EQ(m.headers().size(), 2u);
  EXPECT_EQ(m.headers()[0].name, "From");
  EXPECT_EQ(m.headers()[1].raw, "Subject: x\r\n y\r\n");
  EXPECT_EQ(m.headers()[1].value(), " x\r\n y");
  EXPECT_EQ(m.body(), "body\r\n");
  EXPECT_EQ(m.count("subject"), 1u);
  EXPECT_NE(m.find("FROM"), nullptr);
}

TEST(DkimMessage, BareLfIsNormalizedToCrlf) {
  Message m = Message::parse("From: a@b\nSubject: x\n\tfolded\n\nline1\nline2\n");
  ASSERT_EQ(m.headers().size(), 2u);
  EXPECT_EQ(m.headers()[1].raw, "Subject: x\r\n\tfolded\r\n");
  EXPECT_EQ(m.body(), "line1\r\nline2\r\n");
}

TEST(DkimMessage, NormalizedViewsSurviveMoves) {
  std::vector<Message> v;
  v.push_back(Message::parse("From: a@b\n\nbody\n"));
  v.reserve(100);
  EXPECT_EQ(v[0].headers()[0].raw, "From: a@b\r\n");
  EXPECT_EQ(v[0].body(), "body\r\n");
}

TEST(DkimMessage, MessageWithoutBody) {
  Message a = Message::parse("From: a@b\r\nTo: c@d\r\n");
  EXPECT_EQ(a.headers().size(), 2u);
  EXPECT_TRUE(a.body().empty());
  Message b = Message::parse("From: a@b");  // not even a final CRLF
  ASSERT_EQ(b.headers().size(), 1u);
  EXPECT_EQ(b.headers()[0].raw, "From: a@b\r\n");
  Message c = Message::parse("From: a@b\r\n\r\n");
  EXPECT_TRUE(c.body().empty());
}

TEST(DkimMessage, MalformedHeadersAreErrors) {
  EXPECT_THROW(Message::parse(" From: a@b\r\n\r\n"), MessageError);   // starts with continuation
  EXPECT_THROW(Message::parse("no colon here\r\n\r\n"), MessageError);
  EXPECT_THROW(Message::parse(": empty name\r\n\r\n"), MessageError);
  EXPECT_THROW(Message::parse("Bad\x01Name: x\r\n\r\n"), MessageError);
}

TEST(DkimMessage, LimitsAreEnforced) {
  std::string many;
  for (int i = 0; i < 20; ++i) many += "X-A: 1\r\n";
  many += "\r\n";
  MessageLimits small{.max_header_bytes = 1024 * 1024, .max_fields = 10};
  EXPECT_THROW(Message::parse(many, small), MessageError);
  MessageLimits tiny{.max_header_bytes = 50, .max_fields = 1000};
  EXPECT_THROW(Message::parse(many, tiny), MessageError);
  EXPECT_NO_THROW(Message::parse(many));
}

TEST(DkimMessage, ObsoleteSpaceBeforeColon) {
  Message m = Message::parse("Subject : hi\r\n\r\n");
  EXPECT_EQ(m.headers()[0].name, "Subject");
  EXPECT_EQ(m.count("subject"), 1u);
}
