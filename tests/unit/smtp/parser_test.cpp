// SMTP command-line parsing (RFC 5321 4.1.1, 4.1.2).
#include <gtest/gtest.h>

#include "smtp/parser.hpp"

using namespace postern::smtp;

TEST(SmtpParser, VerbsAreCaseInsensitive) {
  auto r = parse_command("ehlo client.example");
  ASSERT_TRUE(r.command);
  EXPECT_EQ(r.command->verb, Verb::ehlo);
  EXPECT_EQ(r.command->arg, "client.example");
  EXPECT_EQ(parse_command("QuIt").command->verb, Verb::quit);
}

TEST(SmtpParser, UnknownVerb) {
  auto r = parse_command("XYZZY foo");
  ASSERT_FALSE(r.command);
  EXPECT_EQ(r.error.to_wire(), "500 5.5.2 Command not recognized\r\n");
}

TEST(SmtpParser, MailWithParams) {
  auto r = parse_command("MAIL FROM:<a@example.org> SIZE=1000 body=8BITMIME SMTPUTF8");
  ASSERT_TRUE(r.command);
  auto& c = *r.command;
  EXPECT_EQ(c.path.addr.str(), "a@example.org");
  ASSERT_EQ(c.params.size(), 3u);
  EXPECT_EQ(c.param("SIZE")->value, "1000");
  EXPECT_EQ(c.param("BODY")->value, "8BITMIME");
  ASSERT_NE(c.param("SMTPUTF8"), nullptr);
  EXPECT_FALSE(c.param("SMTPUTF8")->value);
}

TEST(SmtpParser, MailToleratesSpaceAfterColon) {
  auto r = parse_command("mail from: <>");
  ASSERT_TRUE(r.command);
  EXPECT_TRUE(r.command->path.null);
}

TEST(SmtpParser, RcptNullPathRefused) {
  auto r = parse_command("RCPT TO:<>");
  ASSERT_FALSE(r.command);
  EXPECT_EQ(r.error.code, 501);
  EXPECT_EQ(r.error.status, "5.1.3");
}

TEST(SmtpParser, PathSyntaxErrors) {
  EXPECT_EQ(parse_command("MAIL FROM:a@example.org").error.status, "5.5.4");
  EXPECT_EQ(parse_command("MAIL FROM:<a@@example.org>").error.status, "5.1.7");
  EXPECT_EQ(parse_command("MAIL TO:<a@example.org>").error.code, 501);
  EXPECT_EQ(parse_command("MAIL FROM:<a@example.org>SIZE=1").error.code, 501);
  EXPECT_EQ(parse_command("RCPT TO:<a@example.org> =x").error.code, 501);
  EXPECT_EQ(parse_command("RCPT TO:<a@example.org> A=").error.code, 501);
  EXPECT_EQ(parse_command("RCPT TO:<a@example.org> A=1 a=2").error.code, 501);  // duplicate
}

TEST(SmtpParser, NoArgumentCommands) {
  EXPECT_TRUE(parse_command("DATA").command);
  EXPECT_EQ(parse_command("DATA now").error.code, 501);
  EXPECT_EQ(parse_command("RSET x").error.code, 501);
  EXPECT_TRUE(parse_command("NOOP anything").command);
  EXPECT_EQ(parse_command("EHLO").error.code, 501);
  EXPECT_EQ(parse_command("VRFY").error.code, 501);
}

TEST(SmtpParser, ControlCharactersRefused) {
  EXPECT_EQ(parse_command(std::string("NOOP a\0b", 8)).error.code, 500);
  EXPECT_EQ(parse_command("NOOP a\rb").error.code, 500);
}

TEST(SmtpParser, ReplyWireFormat) {
  Reply r(250, "", "host");
  r.lines.push_back("PIPELINING");
  EXPECT_EQ(r.to_wire(), "250-host\r\n250 PIPELINING\r\n");
  Reply e(550, "5.1.1", "line one");
  e.lines.push_back("line two");
  EXPECT_EQ(e.to_wire(), "550-5.1.1 line one\r\n550 5.1.1 line two\r\n");
  EXPECT_EQ(Reply(250, "2.0.0", "a\r\nb").to_wire(), "250 2.0.0 a  b\r\n");
}
