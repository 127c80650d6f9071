// Canonicalization golden cases (RFC 6376 3.4.6) and body hashes.
#include "mailauth/dkim/canon.hpp"
#include "mailauth/dkim/crypto.hpp"
#include "mailauth/dkim/header_hash.hpp"
#include "mailauth/dkim/message.hpp"

#include "common/util/strings.hpp"

#include <gtest/gtest.h>

using namespace postern::dkim;
using postern::util::base64_encode;

namespace {

// RFC 6376 3.4.6: the example message.
const char* kRfcExample =
    "A: X\r\n"
    "B : Y\t\r\n"
    "\tZ  \r\n"
    "\r\n"
    " C \r\n"
    "D \t E\r\n"
    "\r\n"
    "\r\n";

std::string canon_headers(Canon c, const Message& m) {
  std::string out;
  for (const auto& h : m.headers()) out += canon_header(c, h.raw);
  return out;
}

}  // namespace

TEST(DkimCanon, Rfc6376Example_RelaxedRelaxed) {
  Message m = Message::parse(kRfcExample);
  EXPECT_EQ(canon_headers(Canon::relaxed, m), "a:X\r\nb:Y Z\r\n");
  EXPECT_EQ(canon_body(Canon::relaxed, m.body()), " C\r\nD E\r\n");
}

TEST(DkimCanon, Rfc6376Example_SimpleSimple) {
  Message m = Message::parse(kRfcExample);
  EXPECT_EQ(canon_headers(Canon::simple, m), "A: X\r\nB : Y\t\r\n\tZ  \r\n");
  EXPECT_EQ(canon_body(Canon::simple, m.body()), " C \r\nD \t E\r\n");
}

TEST(DkimCanon, EmptyBodyHashes) {
  // RFC 6376 3.4.3: simple empty body is one CRLF; 3.4.4: relaxed is empty.
  EXPECT_EQ(canon_body(Canon::simple, ""), "\r\n");
  EXPECT_EQ(canon_body(Canon::relaxed, ""), "");
  EXPECT_EQ(base64_encode(body_hash(Canon::simple, "", std::nullopt).digest),
            "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=");
  EXPECT_EQ(base64_encode(body_hash(Canon::relaxed, "", std::nullopt).digest),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  // Only empty lines: same as empty.
  EXPECT_EQ(canon_body(Canon::relaxed, "\r\n\r\n  \r\n"), "");
  EXPECT_EQ(canon_body(Canon::simple, "\r\n\r\n"), "\r\n");
}

TEST(DkimCanon, BodyWithoutFinalCrlfGetsOne) {
  EXPECT_EQ(canon_body(Canon::simple, "abc"), "abc\r\n");
  EXPECT_EQ(canon_body(Canon::relaxed, "a  b  "), "a b\r\n");
  // Simple keeps trailing whitespace lines that are not empty.
  EXPECT_EQ(canon_body(Canon::simple, "x\r\n \r\n"), "x\r\n \r\n");
  EXPECT_EQ(canon_body(Canon::relaxed, "x\r\n \r\n"), "x\r\n");
}

TEST(DkimCanon, Rfc8463BodyHash) {
  // The bh= of RFC 8463 Appendix A.3 for its body.
  std::string body = "Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\nJoe.\r\n";
  EXPECT_EQ(base64_encode(body_hash(Canon::relaxed, body, std::nullopt).digest),
            "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=");
}

TEST(DkimCanon, LengthLimitHashesPrefixOfCanonicalBody) {
  std::string body = "line one\r\nline  two\r\n";
  BodyHash h = body_hash(Canon::relaxed, body, 9);
  EXPECT_EQ(h.digest, sha256("line one\r"));
  EXPECT_EQ(h.canonical_length, std::string("line one\r\nline two\r\n").size());
  // A limit beyond the body hashes all of it.
  EXPECT_EQ(body_hash(Canon::relaxed, body, 1000).digest, sha256("line one\r\nline two\r\n"));
  EXPECT_EQ(body_hash(Canon::relaxed, body, 0).digest, sha256(""));
}

TEST(DkimCanon, RelaxedHeaderUnfoldsAndLowercases) {
  EXPECT_EQ(canon_header(Canon::relaxed, "SUBJect \t:  Hello \r\n   World\t \r\n"),
            "subject:Hello World\r\n");
  EXPECT_EQ(canon_header(Canon::relaxed, "X-Empty:\r\n"), "x-empty:\r\n");
  EXPECT_EQ(canon_header(Canon::simple, "X-Empty: \r\n"), "X-Empty: \r\n");
}

TEST(DkimCanon, SignedHeaderDataTakesInstancesBottomUp) {
  Message m = Message::parse("X: 1\r\nFrom: a@b\r\nX: 2\r\n\r\n");
  std::string data = signed_header_data(m, {"x", "x", "x", "from"}, Canon::relaxed,
                                        "DKIM-Signature: a=b; b=\r\n");
  // Last instance first, then the one above it; the third "x" finds none.
  EXPECT_EQ(data, "x:2\r\nx:1\r\nfrom:a@b\r\ndkim-signature:a=b; b=");
}
