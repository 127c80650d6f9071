// RFC 8463 Appendix A: the example message, signed with ed25519-sha256 and
// rsa-sha256, verifies with the keys published in Appendix A.2.
#include "dkim_test_support.hpp"

#include <gtest/gtest.h>

using namespace postern::dkim;
using namespace postern::dkim::test;

namespace {

void add_rfc_keys(FakeResolver& r) {
  r.add_txt("brisbane._domainkey.football.example.com",
            "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
  // Appendix A.2 publishes it as four strings; the resolver joins them.
  r.add_txt("test._domainkey.football.example.com",
            std::string("v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWR") +
                "iGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutAC" +
                "DfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3" +
                "Ip3G+2kryOTIKT+l/K4w3QIDAQAB");
}

std::string example() { return read_file(POSTERN_SOURCE_DIR "/tests/unit/dkim/data/rfc8463-example.eml"); }

}  // namespace

TEST(DkimRfc8463, BothSignaturesPass) {
  FakeResolver r;
  add_rfc_keys(r);
  std::string msg = example();
  ASSERT_FALSE(msg.empty());
  auto res = verify_sync(r, msg);
  ASSERT_EQ(res.size(), 2u);
  EXPECT_EQ(res[0].result, Result::pass) << res[0].reason;
  EXPECT_EQ(res[0].algorithm, "ed25519-sha256");
  EXPECT_EQ(res[0].selector, "brisbane");
  EXPECT_EQ(res[0].domain, "football.example.com");
  EXPECT_EQ(res[0].header_b, "/gCrinpc");
  EXPECT_EQ(res[1].result, Result::pass) << res[1].reason;
  EXPECT_EQ(res[1].algorithm, "rsa-sha256");
  EXPECT_EQ(res[1].selector, "test");
  EXPECT_EQ(res[1].identity, "@football.example.com");
  EXPECT_EQ(r.queries, (std::vector<std::string>{"brisbane._domainkey.football.example.com",
                                                 "test._domainkey.football.example.com"}));
}

TEST(DkimRfc8463, VerifiesWithBareLfLineEndings) {
  FakeResolver r;
  add_rfc_keys(r);
  std::string msg = example();
  std::string lf;
  for (size_t i = 0; i < msg.size(); ++i)
    if (!(msg[i] == '\r' && i + 1 < msg.size() && msg[i + 1] == '\n')) lf += msg[i];
  auto res = verify_sync(r, lf);
  ASSERT_EQ(res.size(), 2u);
  EXPECT_EQ(res[0].result, Result::pass);
  EXPECT_EQ(res[1].result, Result::pass);
}

TEST(DkimRfc8463, TamperedBodyAndHeaderFail) {
  FakeResolver r;
  add_rfc_keys(r);
  std::string body = example();
  body.replace(body.find("hungry"), 6, "thirsty");
  auto res = verify_sync(r, body);
  ASSERT_EQ(res.size(), 2u);
  EXPECT_EQ(res[0].result, Result::fail);
  EXPECT_EQ(res[0].reason, "body hash did not verify");
  EXPECT_EQ(res[1].result, Result::fail);

  std::string subj = example();
  subj.replace(subj.find("dinner"), 6, "supper");
  res = verify_sync(r, subj);
  EXPECT_EQ(res[0].result, Result::fail);
  EXPECT_EQ(res[0].reason, "signature did not verify");
  EXPECT_EQ(res[1].result, Result::fail);

  // Relaxed canonicalization tolerates whitespace changes.
  std::string ws = example();
  ws.replace(ws.find("Subject: Is"), 11, "Subject:    Is");
  res = verify_sync(r, ws);
  EXPECT_EQ(res[0].result, Result::pass);
}

TEST(DkimRfc8463, OversignedHeaderAddedFails) {
  // h= lists subject twice while the message has one: adding a Subject breaks it.
  FakeResolver r;
  add_rfc_keys(r);
  std::string msg = example();
  msg.insert(msg.find("From: Joe"), "Subject: Act now!\r\n");
  auto res = verify_sync(r, msg);
  EXPECT_EQ(res[0].result, Result::fail);
  EXPECT_EQ(res[1].result, Result::fail);
  // A field that is not signed may be added freely.
  std::string ok = example();
  ok.insert(ok.find("From: Joe"), "Received: from x by y\r\n");
  res = verify_sync(r, ok);
  EXPECT_EQ(res[0].result, Result::pass);
}

TEST(DkimRfc8463, RsaKeyOf1024BitsIsAccepted_MinimumConfigurable) {
  FakeResolver r;
  add_rfc_keys(r);
  VerifyOptions o;
  o.min_rsa_bits = 2048;
  auto res = verify_sync(r, example(), o);
  EXPECT_EQ(res[0].result, Result::pass);  // ed25519 unaffected
  EXPECT_EQ(res[1].result, Result::permerror);
}
