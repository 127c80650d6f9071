// postern-sendmail's reply parsing and sysexits mapping.
#include <gtest/gtest.h>

#include "sendmail/client.hpp"

using namespace postern::sendmail;

namespace {

TEST(ReplyParser, SingleAndMultiLine) {
  ReplyParser p;
  EXPECT_EQ(p.feed_line("250-mx.example.org"), ReplyParser::Status::need_more);
  EXPECT_EQ(p.feed_line("250-PIPELINING"), ReplyParser::Status::need_more);
  EXPECT_EQ(p.feed_line("250 CHUNKING"), ReplyParser::Status::done);
  EXPECT_EQ(p.reply().code, 250);
  EXPECT_EQ(p.reply().lines.size(), 3u);
  EXPECT_EQ(p.reply().text(), "250 mx.example.org; PIPELINING; CHUNKING");
  ReplyParser q;
  EXPECT_EQ(q.feed_line("354"), ReplyParser::Status::done);
  EXPECT_EQ(q.reply().code, 354);
}

TEST(ReplyParser, Garbage) {
  EXPECT_EQ(ReplyParser().feed_line("hello"), ReplyParser::Status::error);
  EXPECT_EQ(ReplyParser().feed_line("25"), ReplyParser::Status::error);
  EXPECT_EQ(ReplyParser().feed_line("999 x"), ReplyParser::Status::error);
  EXPECT_EQ(ReplyParser().feed_line("250x"), ReplyParser::Status::error);
  ReplyParser p;
  p.feed_line("250-a");
  EXPECT_EQ(p.feed_line("251 b"), ReplyParser::Status::error);  // codes must agree
  ReplyParser many;
  ReplyParser::Status st = ReplyParser::Status::need_more;
  for (size_t i = 0; i < 200 && st == ReplyParser::Status::need_more; ++i) st = many.feed_line("250-x");
  EXPECT_EQ(st, ReplyParser::Status::error);
}

TEST(ExitCodes, Sysexits) {
  EXPECT_EQ(exit_code_for(Stage::rcpt, 550), 67);
  EXPECT_EQ(exit_code_for(Stage::rcpt, 554), 69);
  EXPECT_EQ(exit_code_for(Stage::mail, 553), 69);
  EXPECT_EQ(exit_code_for(Stage::data_end, 550), 69);
  EXPECT_EQ(exit_code_for(Stage::rcpt, 451), 75);
  EXPECT_EQ(exit_code_for(Stage::greeting, 421), 75);
  EXPECT_EQ(exit_code_for(Stage::data, 250), 70);
}

TEST(ReplyText, SenderAndHost) {
  SmtpReply r{250, {"2.1.0 Sender <alice@example.org> OK"}};
  EXPECT_EQ(bracketed_address(r).value(), "alice@example.org");
  EXPECT_FALSE(bracketed_address(SmtpReply{250, {"2.1.0 Sender OK"}}));
  EXPECT_EQ(greeting_host(SmtpReply{220, {"mx.example.org ESMTP Postern"}}), "mx.example.org");
}

}  // namespace
