// postern-sendmail message preparation: stdin to a CRLF message, -t
// recipients, Bcc removal, the header fields added when absent, dot-stuffing.
#include <gtest/gtest.h>

#include "sendmail/prepare.hpp"

using namespace postern::sendmail;

namespace {

std::string read_all(std::string_view in, bool dot_ends, uint64_t max = 1 << 20,
                     MessageReader::Status* st = nullptr, bool bytewise = false) {
  MessageReader r(max, dot_ends);
  if (bytewise) {
    for (char c : in) r.feed(std::string_view(&c, 1));
  } else {
    r.feed(in);
  }
  auto s = r.finish();
  if (st) *st = s;
  return r.take();
}

TEST(MessageReader, LfBecomesCrlfAndCrlfStays) {
  EXPECT_EQ(read_all("Subject: x\n\nbody\n", false), "Subject: x\r\n\r\nbody\r\n");
  EXPECT_EQ(read_all("Subject: x\r\n\r\nbody\r\n", false), "Subject: x\r\n\r\nbody\r\n");
  EXPECT_EQ(read_all("no final newline", false), "no final newline\r\n");
  EXPECT_EQ(read_all("", false), "");
}

TEST(MessageReader, SameResultByteByByte) {
  std::string in = "Subject: x\n\nline 1\r\n.\nafter\n";
  EXPECT_EQ(read_all(in, true, 1 << 20, nullptr, true), read_all(in, true));
  EXPECT_EQ(read_all(in, false, 1 << 20, nullptr, true), read_all(in, false));
}

TEST(MessageReader, LoneDotEndsInputUnlessI) {
  EXPECT_EQ(read_all("a\n.\nnot read\n", true), "a\r\n");
  EXPECT_EQ(read_all("a\r\n.\r\nnot read\n", true), "a\r\n");
  EXPECT_EQ(read_all("a\n.\nread\n", false), "a\r\n.\r\nread\r\n");
  EXPECT_EQ(read_all("a\n..\n.x\n", true), "a\r\n..\r\n.x\r\n");  // only a lone dot ends it
  EXPECT_EQ(read_all("a\n.", true), "a\r\n");                      // even without its LF
}

TEST(MessageReader, SizeIsBounded) {
  MessageReader::Status st;
  read_all(std::string(100, 'x') + "\n", false, 50, &st);
  EXPECT_EQ(st, MessageReader::Status::too_big);
  read_all(std::string(100, 'x'), false, 50, &st);  // one endless line
  EXPECT_EQ(st, MessageReader::Status::too_big);
  read_all(std::string(48, 'x') + "\n", false, 50, &st);
  EXPECT_EQ(st, MessageReader::Status::done);
}

TEST(HeaderSection, FieldsFoldingAndBody) {
  std::string m = "To: a@x,\r\n b@y\r\nSubject: hi\r\n\r\nbody\r\n";
  auto h = parse_header_section(m);
  ASSERT_EQ(h.fields.size(), 2u);
  EXPECT_EQ(h.fields[0].name, "To");
  EXPECT_EQ(field_value(m, h.fields[0]), "a@x, b@y");
  EXPECT_TRUE(h.has_separator);
  EXPECT_EQ(m.substr(h.body_start), "body\r\n");
}

TEST(HeaderSection, BodyWithoutSeparator) {
  std::string m = "just text, no header\r\nmore\r\n";
  auto h = parse_header_section(m);
  EXPECT_TRUE(h.fields.empty());
  EXPECT_FALSE(h.has_separator);
  EXPECT_EQ(h.body_start, 0u);
}

TEST(AddressList, Forms) {
  EXPECT_EQ(parse_address_list("a@x"), std::vector<std::string>{"a@x"});
  EXPECT_EQ(parse_address_list("Alice <alice@example.org>, bob@example.org (Bob B.)"),
            (std::vector<std::string>{"alice@example.org", "bob@example.org"}));
  EXPECT_EQ(parse_address_list("\"Smith, John\" <j@x>, c"), (std::vector<std::string>{"j@x", "c"}));
  EXPECT_EQ(parse_address_list("team: a@x, b@y;, c@z"), (std::vector<std::string>{"a@x", "b@y", "c@z"}));
  EXPECT_TRUE(parse_address_list("undisclosed-recipients:;").empty());
  EXPECT_EQ(parse_address_list("<@relay.example:d@x>"), std::vector<std::string>{"d@x"});
  EXPECT_EQ(parse_address_list("x (comment (nested, with comma)) @ y"), std::vector<std::string>{"x@y"});
  EXPECT_TRUE(parse_address_list("").empty());
  EXPECT_TRUE(parse_address_list(" , ,").empty());
}

TEST(HeaderRecipients, ToCcBccOrResent) {
  std::string m = "From: me@x\r\nTo: a@x\r\nCc: B <b@x>\r\nBcc: c@x\r\nSubject: s\r\n\r\nTo: not@header\r\n";
  EXPECT_EQ(header_recipients(m), (std::vector<std::string>{"a@x", "b@x", "c@x"}));
  std::string r = "To: a@x\r\nResent-To: d@x\r\nResent-Bcc: e@x\r\n\r\n";
  EXPECT_EQ(header_recipients(r), (std::vector<std::string>{"d@x", "e@x"}));
}

TEST(RemoveBcc, OnlyBccFieldsWithTheirFolds) {
  std::string m = "To: a@x\r\nBcc: c@x,\r\n\td@x\r\nbcc: e@x\r\nSubject: s\r\n\r\nBcc: in body\r\n";
  EXPECT_EQ(remove_bcc(m), "To: a@x\r\nSubject: s\r\n\r\nBcc: in body\r\n");
}

TEST(FormatDate, Rfc5322) {
  EXPECT_EQ(format_date(0, 0), "Thu, 1 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(format_date(1795452795, 3600), "Mon, 23 Nov 2026 17:53:15 +0100");
  EXPECT_EQ(format_date(1795452795, -(5 * 3600 + 30 * 60)), "Mon, 23 Nov 2026 11:23:15 -0530");
}

TEST(FormatFrom, NamesAreSafe) {
  EXPECT_EQ(format_from("a@x", ""), "a@x");
  EXPECT_EQ(format_from("a@x", "Cron Daemon"), "Cron Daemon <a@x>");
  EXPECT_EQ(format_from("a@x", "Smith, J. \"Jo\""), "\"Smith, J. \\\"Jo\\\"\" <a@x>");
  EXPECT_EQ(format_from("a@x", "Evil\r\nBcc: victim@y"), "\"EvilBcc: victim@y\" <a@x>");
  EXPECT_EQ(format_from("a@x", "Jos\xc3\xa9"), "=?UTF-8?B?Sm9zw6k=?= <a@x>");
}

TEST(AddMissingHeaders, AddsOnlyWhatIsAbsent) {
  MissingHeaders mh{"me@x", "Thu, 1 Jan 1970 00:00:00 +0000", "<1@h>"};
  EXPECT_EQ(add_missing_headers("Subject: s\r\n\r\nb\r\n", mh),
            "From: me@x\r\nDate: Thu, 1 Jan 1970 00:00:00 +0000\r\nMessage-ID: <1@h>\r\nSubject: s\r\n\r\nb\r\n");
  std::string full = "from: a@x\r\nDATE: d\r\nMessage-Id: <m@x>\r\n\r\nb\r\n";
  EXPECT_EQ(add_missing_headers(full, mh), full);
  // A message that is only a body gets the header and the empty line.
  EXPECT_EQ(add_missing_headers("hello\r\n", mh),
            "From: me@x\r\nDate: Thu, 1 Jan 1970 00:00:00 +0000\r\nMessage-ID: <1@h>\r\n\r\nhello\r\n");
}

TEST(DotStuff, LeadingDotsDoubled) {
  EXPECT_EQ(dot_stuff(".\r\n..x\r\na.b\r\n.\r\n"), "..\r\n...x\r\na.b\r\n..\r\n");
  EXPECT_EQ(dot_stuff("no end"), "no end\r\n");
  EXPECT_EQ(dot_stuff(""), "");
}

TEST(ValidEnvelopeAddress, Rules) {
  EXPECT_TRUE(valid_envelope_address("alice"));
  EXPECT_TRUE(valid_envelope_address("a+b@example.org"));
  EXPECT_FALSE(valid_envelope_address(""));
  EXPECT_FALSE(valid_envelope_address("a b@x"));
  EXPECT_FALSE(valid_envelope_address("a@x>"));
  EXPECT_FALSE(valid_envelope_address("a@x\r\n"));
  EXPECT_FALSE(valid_envelope_address(std::string(255, 'a')));
}

}  // namespace
