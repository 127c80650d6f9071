// Tests of the MIME locator and IMAP ENVELOPE/BODYSTRUCTURE (common/mime),
// which FETCH BODY[section] relies on (RFC 9051 sections 6.4.5, 7.5.2).
#include <gtest/gtest.h>

#include "common/mime/envelope.hpp"
#include "common/mime/message.hpp"

using namespace postern::mime;

namespace {
const std::string kNested =
    "Subject: outer\r\n"
    "Content-Type: multipart/mixed; boundary=b1\r\n"
    "\r\n"
    "preamble\r\n"
    "--b1\r\n"
    "\r\n"
    "first\r\n"
    "--b1\r\n"
    "Content-Type: message/rfc822\r\n"
    "\r\n"
    "Subject: inner\r\n"
    "Content-Type: multipart/alternative; boundary=\"b2\"\r\n"
    "\r\n"
    "--b2\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "plain\r\n"
    "--b2\r\n"
    "Content-Type: text/html\r\n"
    "\r\n"
    "<p>html</p>\r\n"
    "--b2--\r\n"
    "\r\n"
    "--b1--\r\n"
    "epilogue\r\n";
}  // namespace

TEST(Mime, HeaderFieldsWithFolding) {
  auto fields = parse_header("A: 1\r\nB: two\r\n  lines\r\nbad line\r\nC:3\r\n\r\n");
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[1].raw, "B: two\r\n  lines\r\n");
  EXPECT_EQ(*header_value("x: 1\r\nSubject: a\r\n b\r\n", "subject"), "a b");
  EXPECT_FALSE(header_value("x: 1\r\n", "y"));
}

TEST(Mime, SplitEntity) {
  auto [h, b] = split_entity("A: 1\r\n\r\nbody");
  EXPECT_EQ(h, "A: 1\r\n\r\n");
  EXPECT_EQ(b, "body");
  auto [h2, b2] = split_entity("A: 1\r\n");
  EXPECT_EQ(h2, "A: 1\r\n");
  EXPECT_EQ(b2, "");
}

TEST(Mime, ContentType) {
  auto ct = parse_content_type("Multipart/Mixed (comment); boundary=\"a b\"; CHARSET=x");
  EXPECT_EQ(ct.type, "multipart");
  EXPECT_EQ(ct.subtype, "mixed");
  EXPECT_EQ(ct.param("boundary"), "a b");
  EXPECT_EQ(ct.param("charset"), "x");
  EXPECT_EQ(parse_content_type("garbage").type, "text");
}

TEST(Mime, PartNumbering) {
  auto root = parse_message(kNested);
  ASSERT_EQ(root.children.size(), 2u);
  EXPECT_EQ(find_part(root, {1})->body, "first");
  const Part* p2 = find_part(root, {2});
  ASSERT_TRUE(p2 && p2->is_message());
  EXPECT_EQ(find_part(root, {2, 1})->body, "plain");
  EXPECT_EQ(find_part(root, {2, 2})->body, "<p>html</p>");
  EXPECT_EQ(find_part(root, {2, 2})->content_type.subtype, "html");
  EXPECT_EQ(find_part(root, {3}), nullptr);
  EXPECT_EQ(find_part(root, {2, 3}), nullptr);
  auto single = parse_message("Subject: x\r\n\r\nbody\r\n");
  EXPECT_EQ(find_part(single, {1})->body, "body\r\n");
  EXPECT_EQ(find_part(single, {2}), nullptr);
}

TEST(Mime, DepthIsBounded) {
  std::string m;
  for (int i = 0; i < 200; ++i) m += "Content-Type: message/rfc822\r\n\r\n";
  m += "x";
  auto root = parse_message(m);  // must not recurse 200 deep
  int depth = 0;
  for (const Part* p = &root; !p->children.empty(); p = &p->children[0]) ++depth;
  EXPECT_LE(depth, 33);
}

TEST(Mime, Addresses) {
  auto a = parse_address_list("\"Doe, John\" <john@example.org>, jane@example.net (Jane), team: a@b.c, d@e.f;");
  ASSERT_EQ(a.size(), 6u);
  EXPECT_EQ(a[0].name, "Doe, John");
  EXPECT_EQ(a[0].mailbox, "john");
  EXPECT_EQ(a[0].host, "example.org");
  EXPECT_EQ(a[1].mailbox, "jane");
  EXPECT_TRUE(a[2].group_start);
  EXPECT_EQ(a[2].mailbox, "team");
  EXPECT_EQ(a[4].host, "e.f");
  EXPECT_TRUE(a[5].group_end);
}

TEST(Mime, Envelope) {
  EXPECT_EQ(imap_envelope("Subject: hi \"there\"\r\nFrom: a@b.c\r\nReply-To: r@b.c\r\n\r\n"),
            "(NIL \"hi \\\"there\\\"\" ((NIL NIL \"a\" \"b.c\")) ((NIL NIL \"a\" \"b.c\")) ((NIL NIL \"r\" \"b.c\")) "
            "NIL NIL NIL NIL NIL)");
}

TEST(Mime, BodyStructureOfNestedMessage) {
  auto root = parse_message(kNested);
  EXPECT_EQ(imap_bodystructure(root, false),
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 5 1)"
            "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 165 "
            "(NIL \"inner\" NIL NIL NIL NIL NIL NIL NIL NIL) "
            "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 5 1)"
            "(\"TEXT\" \"HTML\" (\"CHARSET\" \"us-ascii\") NIL NIL \"7BIT\" 11 1) \"ALTERNATIVE\") 12) \"MIXED\")");
}
