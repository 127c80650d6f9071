// Strict tag-list, DKIM-Signature and key record parsing (RFC 6376 3.2, 3.5, 3.6.1).
#include "mailauth/dkim/key_record.hpp"
#include "mailauth/dkim/signature.hpp"
#include "mailauth/dkim/tags.hpp"

#include <gtest/gtest.h>

using namespace postern::dkim;

namespace {

const std::string kGoodSig =
    "v=1; a=rsa-sha256; c=relaxed/relaxed; d=Example.ORG; s=sel;\r\n"
    "\tt=1700000000; h=from:to:subject; bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
    "\tb=dGVzdA==";

std::string sig_error(const std::string& v) {
  Signature s;
  return parse_signature(v, s);
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  size_t p = s.find(from);
  if (p != std::string::npos) s.replace(p, from.size(), to);
  return s;
}

}  // namespace

TEST(DkimTags, ParsesWithFws) {
  TagList tl;
  ASSERT_EQ(parse_tag_list(" a = 1 ; b=two words;c=\r\n\tx ;", tl), "");
  ASSERT_EQ(tl.tags.size(), 3u);
  EXPECT_EQ(tl.find("a")->value, "1");
  EXPECT_EQ(tl.find("b")->value, "two words");
  EXPECT_EQ(tl.find("c")->value, "x");
  EXPECT_EQ(tl.find("A"), nullptr);  // names are case-sensitive
}

TEST(DkimTags, RejectsMalformedLists) {
  TagList tl;
  EXPECT_NE(parse_tag_list("a=1; a=2", tl), "");      // duplicate (3.2)
  EXPECT_NE(parse_tag_list("a=1;;b=2", tl), "");      // empty tag-spec
  EXPECT_NE(parse_tag_list("novalue", tl), "");
  EXPECT_NE(parse_tag_list("1a=x", tl), "");          // name must start with ALPHA
  EXPECT_NE(parse_tag_list("a-b=x", tl), "");
  EXPECT_NE(parse_tag_list("a=x\x01y", tl), "");      // control character
  std::string many;
  for (int i = 0; i < 100; ++i) many += "t" + std::to_string(i) + "=1;";
  EXPECT_NE(parse_tag_list(many, tl), "");
}

TEST(DkimSignature, ParsesGoodSignature) {
  Signature s;
  ASSERT_EQ(parse_signature(kGoodSig, s), "");
  EXPECT_EQ(s.domain, "example.org");
  EXPECT_EQ(s.selector, "sel");
  EXPECT_EQ(s.algorithm, Algorithm::rsa_sha256);
  EXPECT_EQ(s.header_canon, Canon::relaxed);
  EXPECT_EQ(s.body_canon, Canon::relaxed);
  EXPECT_EQ(s.headers, (std::vector<std::string>{"from", "to", "subject"}));
  EXPECT_EQ(s.identity, "@example.org");
  EXPECT_EQ(s.b, "test");
  EXPECT_EQ(*s.timestamp, 1700000000);
  EXPECT_EQ(kGoodSig.substr(s.b_begin, s.b_end - s.b_begin), "dGVzdA==");
}

TEST(DkimSignature, CanonicalizationDefaults) {
  Signature s;
  ASSERT_EQ(parse_signature(replace(kGoodSig, "c=relaxed/relaxed; ", ""), s), "");
  EXPECT_EQ(s.header_canon, Canon::simple);
  EXPECT_EQ(s.body_canon, Canon::simple);
  Signature s2;
  ASSERT_EQ(parse_signature(replace(kGoodSig, "c=relaxed/relaxed", "c=relaxed"), s2), "");
  EXPECT_EQ(s2.header_canon, Canon::relaxed);
  EXPECT_EQ(s2.body_canon, Canon::simple);
  EXPECT_NE(sig_error(replace(kGoodSig, "c=relaxed/relaxed", "c=bogus/relaxed")), "");
}

TEST(DkimSignature, RequiredTags) {
  for (const char* tag : {"v=1; ", "a=rsa-sha256; ", "d=Example.ORG; ", "s=sel;", "h=from:to:subject; "}) {
    EXPECT_NE(sig_error(replace(kGoodSig, tag, "")), "") << tag;
  }
  EXPECT_NE(sig_error(replace(kGoodSig, "bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;", "")), "");
  EXPECT_NE(sig_error(replace(kGoodSig, "\tb=dGVzdA==", "\tz=1")), "");
}

TEST(DkimSignature, RejectsBadValues) {
  EXPECT_NE(sig_error(replace(kGoodSig, "v=1", "v=2")), "");
  EXPECT_NE(sig_error(replace(kGoodSig, "rsa-sha256", "rsa-sha1")), "");
  EXPECT_NE(sig_error(replace(kGoodSig, "rsa-sha256", "rsa-sha512")), "");
  EXPECT_NE(sig_error(replace(kGoodSig, "h=from:to:subject", "h=to:subject")), "");  // From not signed
  EXPECT_NE(sig_error(replace(kGoodSig, "h=from:to:subject", "h=from::subject")), "");
  EXPECT_NE(sig_error(replace(kGoodSig, "b=dGVzdA==", "b=not*base64")), "");
  EXPECT_NE(sig_error(replace(kGoodSig, "d=Example.ORG", "d=exa mple.org")), "");
  EXPECT_NE(sig_error(replace(kGoodSig, "d=Example.ORG", "d=.org")), "");
  EXPECT_NE(sig_error(kGoodSig + "; l=12x"), "");
  EXPECT_NE(sig_error(kGoodSig + "; l=99999999999999999999999"), "");  // overflow
  EXPECT_NE(sig_error(kGoodSig + "; q=http/well-known"), "");
  EXPECT_EQ(sig_error(kGoodSig + "; q=dns/txt"), "");
  EXPECT_NE(sig_error(kGoodSig + "; x=1600000000"), "");  // x= before t=
  EXPECT_NE(sig_error(kGoodSig + "; t=5"), "");          // duplicate t=
}

TEST(DkimSignature, IdentityMustBeWithinDomain) {
  Signature s;
  ASSERT_EQ(parse_signature(kGoodSig + "; i=alice@mail.example.org", s), "");
  EXPECT_EQ(s.identity_domain, "mail.example.org");
  EXPECT_EQ(sig_error(kGoodSig + "; i=@EXAMPLE.org"), "");
  EXPECT_NE(sig_error(kGoodSig + "; i=alice@example.com"), "");
  EXPECT_NE(sig_error(kGoodSig + "; i=alice@badexample.org"), "");
  EXPECT_NE(sig_error(kGoodSig + "; i=alice"), "");
}

TEST(DkimKeyRecord, ParsesRecords) {
  KeyRecord r;
  ASSERT_EQ(parse_key_record("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", r), "");
  EXPECT_EQ(r.type, KeyType::ed25519);
  EXPECT_EQ(r.public_key.size(), 32u);
  EXPECT_FALSE(r.revoked);
  ASSERT_EQ(parse_key_record("p=dGVzdA==; t=y:s; n=notes here; zz=unknown", r), "");
  EXPECT_EQ(r.type, KeyType::rsa);  // default
  EXPECT_TRUE(r.testing);
  EXPECT_TRUE(r.strict);
  ASSERT_EQ(parse_key_record("v=DKIM1; p=", r), "");
  EXPECT_TRUE(r.revoked);
  ASSERT_EQ(parse_key_record("v=DKIM1; h=sha1; s=other; p=dGVzdA==", r), "");
  EXPECT_FALSE(r.sha256_allowed);
  EXPECT_FALSE(r.email_service);
  ASSERT_EQ(parse_key_record("v=DKIM1; h=sha1:sha256; s=email:*; p=dGVz dA==", r), "");
  EXPECT_TRUE(r.sha256_allowed);
  EXPECT_TRUE(r.email_service);
  EXPECT_EQ(r.public_key, "test");
}

TEST(DkimKeyRecord, RejectsBadRecords) {
  KeyRecord r;
  EXPECT_NE(parse_key_record("", r), "");
  EXPECT_NE(parse_key_record("v=DKIM1; k=rsa", r), "");            // no p=
  EXPECT_NE(parse_key_record("k=rsa; v=DKIM1; p=dGVzdA==", r), "");  // v= not first
  EXPECT_NE(parse_key_record("v=DKIM2; p=dGVzdA==", r), "");
  EXPECT_NE(parse_key_record("v=DKIM1; k=dsa; p=dGVzdA==", r), "");
  EXPECT_NE(parse_key_record("v=DKIM1; p=***", r), "");
  EXPECT_NE(parse_key_record("v=DKIM1; p=a; p=b", r), "");
  EXPECT_NE(parse_key_record("some random TXT record", r), "");
}
