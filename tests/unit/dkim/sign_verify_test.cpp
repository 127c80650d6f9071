// Our signer against our verifier: both algorithms, tampering, l=, x=, t=,
// over-signing, key record rules (revoked, short RSA, t=s, k=, h=, s=), DNS
// errors, and the signer's key handling.
#include "dkim_test_support.hpp"

#include "mailauth/dkim/canon.hpp"
#include "mailauth/dkim/header_hash.hpp"
#include "mailauth/dkim/message.hpp"
#include "mailauth/dkim/signature.hpp"

#include "common/util/strings.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

using namespace postern::dkim;
using namespace postern::dkim::test;

namespace {

constexpr std::time_t kNow = 1795000000;

struct Keys {
  Pkey rsa = generate_key(KeyType::rsa, 2048);
  Pkey ed = generate_key(KeyType::ed25519);
};

Keys& keys() {
  static Keys k;
  return k;
}

Pkey copy_key(const Pkey& k) {
  EVP_PKEY_up_ref(k.get());
  return Pkey(k.get());
}

Signer make_signer(SignOptions o = {}) {
  std::vector<SigningKey> v;
  v.push_back(signing_key("example.org", "rsa1", Algorithm::rsa_sha256, copy_key(keys().rsa)));
  v.push_back(signing_key("example.org", "ed1", Algorithm::ed25519_sha256, copy_key(keys().ed)));
  return Signer(std::move(v), std::move(o));
}

void publish(FakeResolver& r) {
  r.add_txt("rsa1._domainkey.example.org", key_record_text(keys().rsa.get()));
  r.add_txt("ed1._domainkey.example.org", key_record_text(keys().ed.get()));
}

std::string signed_message(const std::string& msg = kSampleMessage, SignOptions o = {}) {
  return make_signer(std::move(o)).signature_block(msg, {}, kNow) + msg;
}

VerifyOptions at_now() {
  VerifyOptions o;
  o.now = kNow + 60;
  return o;
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  size_t p = s.find(from);
  if (p != std::string::npos) s.replace(p, from.size(), to);
  return s;
}

}  // namespace

TEST(DkimSignVerify, BothAlgorithmsSignAndPass) {
  auto fields = make_signer().sign(kSampleMessage, {}, kNow);
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_NE(fields[0].find("a=rsa-sha256;"), std::string::npos);
  EXPECT_NE(fields[1].find("a=ed25519-sha256;"), std::string::npos);
  for (const auto& f : fields) {
    EXPECT_EQ(f.rfind("DKIM-Signature: v=1;", 0), 0u);
    EXPECT_NE(f.find("c=relaxed/relaxed;"), std::string::npos);
    EXPECT_NE(f.find("t=1795000000;"), std::string::npos);
    // Folded: no line longer than 78 columns, every continuation starts with WSP.
    size_t start = 0;
    while (start < f.size()) {
      size_t eol = f.find("\r\n", start);
      ASSERT_NE(eol, std::string::npos);
      EXPECT_LE(eol - start, 78u);
      if (start > 0) {
        EXPECT_TRUE(f[start] == '\t' || f[start] == ' ');
      }
      start = eol + 2;
    }
  }
  FakeResolver r;
  publish(r);
  auto res = verify_sync(r, signed_message(), at_now());
  ASSERT_EQ(res.size(), 2u);
  for (const auto& s : res) {
    EXPECT_EQ(s.result, Result::pass) << s.algorithm << ": " << s.reason;
    EXPECT_EQ(s.domain, "example.org");
  }
}

TEST(DkimSignVerify, OversignsFromSubjectDate) {
  std::string f = make_signer().sign(kSampleMessage, {}, kNow)[0] + "\r\n";
  Message m = Message::parse(f);
  Signature s;
  ASSERT_EQ(parse_signature(m.headers()[0].value(), s), "");
  auto count = [&](const std::string& n) { return std::count(s.headers.begin(), s.headers.end(), n); };
  EXPECT_EQ(count("from"), 2);     // present once, signed twice
  EXPECT_EQ(count("subject"), 2);
  EXPECT_EQ(count("date"), 2);
  EXPECT_EQ(count("to"), 2);
  EXPECT_EQ(count("cc"), 1);       // absent, over-signed: adding one breaks it
  EXPECT_EQ(count("reply-to"), 1);
  EXPECT_EQ(count("list-id"), 0);  // absent and not over-signed
  EXPECT_EQ(count("content-type"), 2);
  EXPECT_EQ(s.headers.front(), "from");
}

TEST(DkimSignVerify, AddedOversignedHeaderBreaksSignature) {
  FakeResolver r;
  publish(r);
  std::string msg = signed_message();
  for (const char* added : {"Cc: eve@evil.example\r\n", "Subject: other\r\n", "From: eve@evil.example\r\n",
                            "Reply-To: eve@evil.example\r\n"}) {
    std::string m = msg + "";
    m.insert(m.find("From: Alice"), added);
    auto res = verify_sync(r, m, at_now());
    ASSERT_EQ(res.size(), 2u);
    EXPECT_EQ(res[0].result, Result::fail) << added;
    EXPECT_EQ(res[1].result, Result::fail) << added;
  }
  // Adding a Received trace field (not signed) keeps it valid.
  std::string m = msg;
  m.insert(0, "Received: from relay by mx; Mon, 23 Nov 2026 10:00:01 +0000\r\n");
  auto res = verify_sync(r, m, at_now());
  EXPECT_EQ(res[0].result, Result::pass);
  EXPECT_EQ(res[1].result, Result::pass);
}

TEST(DkimSignVerify, TamperingFails) {
  FakeResolver r;
  publish(r);
  std::string msg = signed_message();
  auto res = verify_sync(r, replace(msg, "shall we", "shall I"), at_now());
  EXPECT_EQ(res[0].result, Result::fail);
  EXPECT_EQ(res[0].reason, "body hash did not verify");
  EXPECT_EQ(res[1].result, Result::fail);
  res = verify_sync(r, replace(msg, "To: Bob <bob@", "To: Bob <mallory@"), at_now());
  EXPECT_EQ(res[0].result, Result::fail);
  EXPECT_EQ(res[0].reason, "signature did not verify");
  EXPECT_EQ(res[1].result, Result::fail);
  // Changing the signature's own tags breaks it too (d= is hashed).
  res = verify_sync(r, replace(msg, "t=1795000000", "t=1795000001"), at_now());
  EXPECT_EQ(res[0].result, Result::fail);
  // Re-folding and whitespace changes are fine under relaxed/relaxed.
  res = verify_sync(r, replace(replace(msg, "Lunch on\r\n  Friday?", "Lunch on Friday?"), "Hello Bob,", "Hello  Bob,"),
                    at_now());
  EXPECT_EQ(res[0].result, Result::pass) << res[0].reason;
  EXPECT_EQ(res[1].result, Result::pass) << res[1].reason;
}

TEST(DkimSignVerify, TrailingEmptyLinesAndLineEndingsDoNotMatter) {
  FakeResolver r;
  publish(r);
  std::string msg = signed_message();
  auto res = verify_sync(r, msg + "\r\n\r\n", at_now());
  EXPECT_EQ(res[0].result, Result::pass);
  std::string lf;
  for (char c : msg)
    if (c != '\r') lf += c;
  res = verify_sync(r, lf, at_now());
  EXPECT_EQ(res[0].result, Result::pass);
  EXPECT_EQ(res[1].result, Result::pass);
}

TEST(DkimSignVerify, MessageWithoutBody) {
  FakeResolver r;
  publish(r);
  std::string msg = "From: alice@example.org\r\nSubject: empty\r\n";
  std::string s = make_signer().signature_block(msg, {}, kNow) + msg;
  auto res = verify_sync(r, s, at_now());
  ASSERT_EQ(res.size(), 2u);
  EXPECT_EQ(res[0].result, Result::pass) << res[0].reason;
  EXPECT_EQ(res[1].result, Result::pass) << res[1].reason;
}

TEST(DkimSignVerify, LengthTagRespected) {
  // A signature with l= covering only the first line: appended text keeps it
  // passing (that is what l= means), changes inside the covered part fail.
  FakeResolver r;
  publish(r);
  std::string msg = "From: alice@example.org\r\nSubject: l\r\n\r\nfirst line\r\nsecond line\r\n";
  // Build an l= signature by hand with our primitives.
  Message m = Message::parse(msg);
  std::string bh = postern::util::base64_encode(body_hash(Canon::relaxed, m.body(), 12).digest);
  std::string field = "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.org; s=ed1;\r\n"
                      "\tl=12; h=from:subject; bh=" + bh + "; b=";
  std::string data = signed_header_data(m, {"from", "subject"}, Canon::relaxed, field);
  std::string b = postern::util::base64_encode(sign_data(keys().ed.get(), Algorithm::ed25519_sha256, data));
  std::string signed_msg = field + b + "\r\n" + msg;

  auto res = verify_sync(r, signed_msg, at_now());
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(res[0].result, Result::pass) << res[0].reason;
  EXPECT_EQ(res[0].length, 12u);
  res = verify_sync(r, signed_msg + "appended by a list\r\n", at_now());
  EXPECT_EQ(res[0].result, Result::pass);
  res = verify_sync(r, replace(signed_msg, "first line", "First line"), at_now());
  EXPECT_EQ(res[0].result, Result::fail);
  // Truncating the body below l= is an error.
  res = verify_sync(r, replace(signed_msg, "first line\r\nsecond line\r\n", "first\r\n"), at_now());
  EXPECT_EQ(res[0].result, Result::permerror);
}

TEST(DkimSignVerify, ExpiredAndFutureSignatures) {
  FakeResolver r;
  publish(r);
  SignOptions o;
  o.expire_after = std::chrono::hours(24);
  std::string msg = signed_message(kSampleMessage, o);
  VerifyOptions v = at_now();
  auto res = verify_sync(r, msg, v);
  EXPECT_EQ(res[0].result, Result::pass);
  v.now = kNow + 24 * 3600 + 100;  // within the clock skew allowance
  res = verify_sync(r, msg, v);
  EXPECT_EQ(res[0].result, Result::pass);
  v.now = kNow + 2 * 24 * 3600;
  res = verify_sync(r, msg, v);
  EXPECT_EQ(res[0].result, Result::policy);
  EXPECT_EQ(res[0].reason, "signature expired (x=)");
  EXPECT_EQ(res[1].result, Result::policy);

  std::string plain = signed_message();
  v.now = kNow - 3600;  // signed an hour "in the future"
  res = verify_sync(r, plain, v);
  EXPECT_EQ(res[0].result, Result::policy);
  v.now = kNow - 60;  // a minute: clock skew, accepted
  res = verify_sync(r, plain, v);
  EXPECT_EQ(res[0].result, Result::pass);
}

TEST(DkimSignVerify, RevokedKeyIsPermerror) {
  FakeResolver r;
  r.add_txt("rsa1._domainkey.example.org", "v=DKIM1; k=rsa; p=");
  r.add_txt("ed1._domainkey.example.org", "v=DKIM1; k=ed25519; p=");
  auto res = verify_sync(r, signed_message(), at_now());
  EXPECT_EQ(res[0].result, Result::permerror);
  EXPECT_EQ(res[0].reason, "key revoked (empty p=)");
  EXPECT_EQ(res[1].result, Result::permerror);
}

TEST(DkimSignVerify, ShortRsaKeysFail) {
  for (int bits : {512, 768}) {
    std::vector<SigningKey> v;
    Pkey k = rsa_key(bits);
    ASSERT_TRUE(k);
    FakeResolver r;
    r.add_txt("weak._domainkey.example.org", key_record_text(k.get()));
    v.push_back(signing_key("example.org", "weak", Algorithm::rsa_sha256, std::move(k)));
    Signer s(std::move(v));
    std::string msg = s.signature_block(kSampleMessage, {}, kNow) + kSampleMessage;
    auto res = verify_sync(r, msg, at_now());
    ASSERT_EQ(res.size(), 1u);
    EXPECT_EQ(res[0].result, Result::permerror) << bits;
    EXPECT_NE(res[0].reason.find("too short"), std::string::npos) << res[0].reason;
  }
}

TEST(DkimSignVerify, KeyRecordRules) {
  std::string msg = signed_message();
  std::string ed_p = postern::util::base64_encode(public_key_bytes(keys().ed.get()));
  std::string rsa_p = postern::util::base64_encode(public_key_bytes(keys().rsa.get()));
  struct Case {
    std::string ed_record;
    Result expect;
  } cases[] = {
      {"v=DKIM1; k=ed25519; p=" + ed_p, Result::pass},
      {"v=DKIM1; k=ed25519; t=y; p=" + ed_p, Result::pass},
      {"v=DKIM1; k=ed25519; t=s; p=" + ed_p, Result::pass},  // i= defaults to @d
      {"v=DKIM1; k=rsa; p=" + rsa_p, Result::permerror},        // k= does not match a=
      {"v=DKIM1; k=ed25519; h=sha1; p=" + ed_p, Result::permerror},
      {"v=DKIM1; k=ed25519; s=other; p=" + ed_p, Result::permerror},
      {"v=DKIM1; k=ed25519; p=" + rsa_p, Result::permerror},    // not 32 bytes
      {"v=DKIM1; k=ed25519; p=" + ed_p + "; p=x", Result::permerror},
      {"v=spf1 -all", Result::permerror},
  };
  for (const auto& c : cases) {
    FakeResolver r;
    publish(r);
    r.set("ed1._domainkey.example.org", postern::dns::Answer{.status = postern::dns::Status::ok, .txt = {c.ed_record}});
    auto res = verify_sync(r, msg, at_now());
    ASSERT_EQ(res.size(), 2u);
    EXPECT_EQ(res[1].result, c.expect) << c.ed_record << ": " << res[1].reason;
    EXPECT_EQ(res[0].result, Result::pass);
    EXPECT_EQ(res[1].testing, c.ed_record.find("t=y") != std::string::npos);
  }
}

TEST(DkimSignVerify, StrictKeyNeedsExactIdentityDomain) {
  std::string msg = "From: alice@example.org\r\nSubject: i\r\n\r\nbody\r\n";
  Message m = Message::parse(msg);
  std::string bh = postern::util::base64_encode(body_hash(Canon::relaxed, m.body(), std::nullopt).digest);
  std::string field = "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.org; s=ed1;\r\n"
                      "\ti=alice@mail.example.org; h=from:subject; bh=" + bh + "; b=";
  std::string data = signed_header_data(m, {"from", "subject"}, Canon::relaxed, field);
  std::string signed_msg =
      field + postern::util::base64_encode(sign_data(keys().ed.get(), Algorithm::ed25519_sha256, data)) + "\r\n" + msg;
  std::string ed_p = postern::util::base64_encode(public_key_bytes(keys().ed.get()));
  FakeResolver r;
  r.add_txt("ed1._domainkey.example.org", "v=DKIM1; k=ed25519; p=" + ed_p);
  EXPECT_EQ(verify_sync(r, signed_msg, at_now())[0].result, Result::pass);
  FakeResolver strict;
  strict.add_txt("ed1._domainkey.example.org", "v=DKIM1; k=ed25519; t=s; p=" + ed_p);
  EXPECT_EQ(verify_sync(strict, signed_msg, at_now())[0].result, Result::permerror);
}

TEST(DkimSignVerify, DnsErrors) {
  std::string msg = signed_message();
  FakeResolver r;  // nothing published: NXDOMAIN
  auto res = verify_sync(r, msg, at_now());
  EXPECT_EQ(res[0].result, Result::permerror);
  EXPECT_EQ(res[0].reason, "no key record at rsa1._domainkey.example.org");
  r.set_status("rsa1._domainkey.example.org", postern::dns::Status::temperror);
  r.set_status("ed1._domainkey.example.org", postern::dns::Status::nodata);
  res = verify_sync(r, msg, at_now());
  EXPECT_EQ(res[0].result, Result::temperror);
  EXPECT_EQ(res[1].result, Result::permerror);
}

TEST(DkimSignVerify, SignatureLimitAndNoSignatures) {
  FakeResolver r;
  publish(r);
  EXPECT_TRUE(verify_sync(r, kSampleMessage, at_now()).empty());
  std::string msg = kSampleMessage;
  for (int i = 0; i < 8; ++i) msg = make_signer().signature_block(msg, {}, kNow) + msg;  // 16 signatures
  auto res = verify_sync(r, msg, at_now());
  EXPECT_EQ(res.size(), 10u);
  for (const auto& x : res) EXPECT_EQ(x.result, Result::pass);
  EXPECT_EQ(r.queries.size(), 2u);  // each key record is fetched once
}

TEST(DkimSignVerify, MalformedSignatureFieldsArePermerrors) {
  FakeResolver r;
  publish(r);
  std::string msg = signed_message();
  msg.insert(0, "DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=x\r\n");
  msg.insert(0, "DKIM-Signature: garbage\r\n");
  auto res = verify_sync(r, msg, at_now());
  ASSERT_EQ(res.size(), 4u);
  EXPECT_EQ(res[0].result, Result::permerror);
  EXPECT_EQ(res[1].result, Result::permerror);
  EXPECT_EQ(res[1].domain, "example.org");
  EXPECT_EQ(res[2].result, Result::pass);
  EXPECT_EQ(res[3].result, Result::pass);
  // A message whose header cannot be parsed.
  res = verify_sync(r, " bad start\r\n\r\n", at_now());
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(res[0].result, Result::permerror);
}

TEST(DkimSigner, ChoosesKeysByFromDomain) {
  Signer s = make_signer();
  EXPECT_EQ(s.keys_for("example.org").size(), 2u);
  EXPECT_EQ(s.keys_for("Mail.Example.ORG").size(), 2u);  // parent domain's keys
  EXPECT_TRUE(s.keys_for("example.com").empty());
  EXPECT_TRUE(s.sign("From: x@example.com\r\n\r\nhi\r\n", {}, kNow).empty());
  EXPECT_EQ(s.sign("From: x@example.com\r\n\r\nhi\r\n", "example.org", kNow).size(), 2u);
  EXPECT_THROW(s.sign("Subject: no from\r\n\r\nhi\r\n"), SignError);
  EXPECT_THROW(s.sign(" bad\r\n\r\n"), SignError);
  EXPECT_EQ(from_domain(" \"Alice, A.\" <alice@Example.ORG>"), "example.org");
  EXPECT_EQ(from_domain(" alice@example.org (Alice)"), "example.org");
  EXPECT_EQ(from_domain(" undisclosed"), "");
}

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/dkim-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

void write(const std::string& p, const std::string& s) {
  std::ofstream(p, std::ios::binary) << s;
}

}  // namespace

TEST(DkimSigner, LoadsKeysFromConfigAndNamesBadFiles) {
  TempDir d;
  write(d.path + "/rsa.pem", private_key_pem(keys().rsa.get()));
  write(d.path + "/ed.pem", private_key_pem(keys().ed.get()));
  write(d.path + "/garbage.pem", "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n");
  using postern::config::DkimKey;
  Signer s = Signer::from_config({DkimKey{"example.org", "r", "rsa-sha256", d.path + "/rsa.pem"},
                                  DkimKey{"example.org", "e", "ed25519-sha256", d.path + "/ed.pem"}});
  EXPECT_EQ(s.sign(kSampleMessage, {}, kNow).size(), 2u);

  auto message_of = [](const std::vector<DkimKey>& k) -> std::string {
    try {
      Signer::from_config(k);
    } catch (const KeyError& e) {
      return e.what();
    }
    return "";
  };
  std::string missing = d.path + "/missing.pem";
  EXPECT_NE(message_of({DkimKey{"example.org", "r", "rsa-sha256", missing}}).find(missing), std::string::npos);
  std::string garbage = d.path + "/garbage.pem";
  EXPECT_NE(message_of({DkimKey{"example.org", "r", "rsa-sha256", garbage}}).find(garbage), std::string::npos);
  // Algorithm and key type must agree.
  std::string msg = message_of({DkimKey{"example.org", "r", "ed25519-sha256", d.path + "/rsa.pem"}});
  EXPECT_NE(msg.find("rsa.pem"), std::string::npos);
  EXPECT_NE(msg.find("rsa key"), std::string::npos) << msg;
  // Short RSA keys are refused for signing.
  Pkey weak = rsa_key(768);
  write(d.path + "/weak.pem", private_key_pem(weak.get()));
  EXPECT_NE(message_of({DkimKey{"example.org", "w", "rsa-sha256", d.path + "/weak.pem"}}).find("768"),
            std::string::npos);
  EXPECT_NE(message_of({DkimKey{"example.org", "w", "rsa-sha1", d.path + "/rsa.pem"}}), "");
  // Other key types are refused, naming the file.
  Pkey ec(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  write(d.path + "/ec.pem", private_key_pem(ec.get()));
  EXPECT_NE(message_of({DkimKey{"example.org", "e", "rsa-sha256", d.path + "/ec.pem"}}).find("ec.pem: not an RSA"),
            std::string::npos);
}

namespace {

// A resolver whose answers are held until `expected` queries are in flight,
// which only happens if the verifier issues them concurrently. A 10 s safety
// timer keeps a sequential verifier from hanging the test.
class GateResolver : public postern::dns::Resolver {
 public:
  GateResolver(FakeResolver& inner, size_t expected) : inner_(inner), expected_(expected) {}
  asio::awaitable<postern::dns::Answer> query(std::string name, postern::dns::RType type) override {
    auto ex = co_await asio::this_coro::executor;
    if (!gate_) gate_ = std::make_unique<asio::steady_timer>(ex, std::chrono::seconds(10));
    if (++in_flight_ >= expected_) {
      opened_by_count = true;
      gate_->cancel();
    } else {
      asio::error_code ec;
      co_await gate_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (++passed_ == in_flight_) gate_.reset();  // the timer must not outlive the io_context
    co_return co_await inner_.query(std::move(name), type);
  }
  bool opened_by_count = false;

 private:
  FakeResolver& inner_;
  size_t expected_;
  size_t in_flight_ = 0;
  size_t passed_ = 0;
  std::unique_ptr<asio::steady_timer> gate_;
};

}  // namespace

TEST(DkimSignVerify, KeyQueriesRunConcurrently) {
  FakeResolver r;
  publish(r);
  GateResolver gate(r, 2);
  auto res = verify_sync(gate, signed_message(), at_now());
  EXPECT_TRUE(gate.opened_by_count);
  ASSERT_EQ(res.size(), 2u);
  EXPECT_EQ(res[0].result, Result::pass) << res[0].reason;
  EXPECT_EQ(res[1].result, Result::pass) << res[1].reason;
}
