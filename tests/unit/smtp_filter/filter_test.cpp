// Tests of the postern-smtpd mail authentication filter over an in-memory
// zone: what a recipient sees (INBOX, Junk, 550 5.7.1, 451 4.7.0) and the
// Authentication-Results field for genuine and forged mail, removal of
// forged A-R fields of our authserv-id, and DKIM signing on submission.
#include "smtp/mailauth/mailauth_filter.hpp"

#include "common/dns/static_resolver.hpp"
#include "mailauth/dkim/crypto.hpp"
#include "mailauth/dkim/keygen.hpp"
#include "mailauth/dkim/verifier.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include "tests/support/run_awaitable.hpp"

namespace postern::smtp::mailauth {
namespace {

constexpr std::time_t kNow = 1795000000;

using postern::test::run;

struct Keys {
  dkim::Pkey rsa = dkim::generate_key(dkim::KeyType::rsa, 2048);
  dkim::Pkey ed = dkim::generate_key(dkim::KeyType::ed25519);
};
const Keys& keys() {
  static Keys k;
  return k;
}

config::Config base_config() {
  config::Config c = config::load_string("[server]\nhostname = \"mail.example.test\"\ndomains = [\"example.test\"]\n");
  return c;
}

// A zone with a genuine sender (example.net: SPF for 192.0.2.10, a DKIM key,
// p=reject) and three domains whose mail we forge.
std::shared_ptr<dns::StaticResolver> zone() {
  auto z = std::make_shared<dns::StaticResolver>();
  z->add_txt("example.net", "v=spf1 ip4:192.0.2.10 -all");
  z->add_txt("sel._domainkey.example.net", dkim::split_txt(dkim::key_record_text(keys().rsa.get())));
  z->add_txt("_dmarc.example.net", "v=DMARC1; p=reject");
  z->add_txt("strict.example", "v=spf1 ip4:192.0.2.10 -all");
  z->add_txt("_dmarc.strict.example", "v=DMARC1; p=reject");
  z->add_txt("junky.example", "v=spf1 ip4:192.0.2.10 -all");
  z->add_txt("_dmarc.junky.example", "v=DMARC1; p=quarantine");
  z->add_txt("relaxed.example", "v=spf1 ip4:192.0.2.66 -all");
  z->add_txt("_dmarc.relaxed.example", "v=DMARC1; p=none");
  z->add_txt("helo.example.net", "v=spf1 ip4:192.0.2.10 -all");
  // Our own keys for signing (example.test).
  z->add_txt("r1._domainkey.example.test", dkim::split_txt(dkim::key_record_text(keys().rsa.get())));
  z->add_txt("e1._domainkey.example.test", dkim::key_record_text(keys().ed.get()));
  return z;
}

std::string message(const std::string& from, const std::string& extra_headers = "") {
  return extra_headers + "From: Sender <" + from + ">\r\n"
         "To: Alice <alice@example.test>\r\n"
         "Subject: quarterly report\r\n"
         "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
         "Message-ID: <m1@" + from.substr(from.find('@') + 1) + ">\r\n"
         "\r\n"
         "Please find the figures attached.\r\n";
}

// Signs as example.net would, with the key published at sel._domainkey.
std::string signed_by_example_net(const std::string& msg) {
  std::vector<dkim::SigningKey> k(1);
  k[0].domain = "example.net";
  k[0].selector = "sel";
  k[0].algorithm = dkim::Algorithm::rsa_sha256;
  k[0].key = dkim::load_private_key_pem(dkim::private_key_pem(keys().rsa.get()), "test");
  return dkim::Signer(std::move(k)).signature_block(msg, {}, kNow) + msg;
}

Envelope envelope(const std::string& mail_from, int rcpts = 1, const std::string& helo = "helo.example.net") {
  Envelope e;
  e.helo = helo;
  e.esmtp = true;
  if (mail_from.empty()) {
    e.from.null = true;
  } else {
    e.from.addr.local = mail_from.substr(0, mail_from.find('@'));
    e.from.addr.domain = mail_from.substr(mail_from.find('@') + 1);
  }
  for (int i = 0; i < rcpts; ++i)
    e.rcpts.push_back({i == 0 ? "alice@example.test" : "bob@example.test", i == 0 ? "alice" : "bob"});
  return e;
}

FilterOptions at_now() {
  FilterOptions o;
  o.verify.now = kNow + 60;
  o.now = kNow;
  return o;
}

Outcome receive(const config::Config& cfg, std::shared_ptr<dns::Resolver> r, const Envelope& env,
                const std::string& msg, const std::string& ip = "192.0.2.10") {
  MailAuth ma(cfg, std::move(r), nullptr, at_now());
  FilterInput in{env, msg, Mode::mx, ip, "", false, "ctest"};
  return run(ma.run(in));
}

bool has(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

TEST(MailAuthFilter, GenuineAlignedDkimPassGoesToInbox) {
  // Forwarded path: SPF fails (wrong IP) but the aligned DKIM signature passes.
  Envelope env = envelope("bob@example.net");
  std::string msg = signed_by_example_net(message("bob@example.net"));
  Outcome o = receive(base_config(), zone(), env, msg, "198.51.100.7");
  EXPECT_FALSE(o.verdict.reject.has_value());
  for (const auto& m : o.verdict.mailboxes) EXPECT_TRUE(m.empty() || m == "INBOX") << m;
  const std::string& ar = o.verdict.prepend;
  EXPECT_EQ(ar.rfind("Authentication-Results: mail.example.test;", 0), 0u) << ar;
  EXPECT_TRUE(has(ar, "spf=fail")) << ar;
  EXPECT_TRUE(has(ar, "smtp.mailfrom=bob@example.net")) << ar;
  EXPECT_TRUE(has(ar, "dkim=pass")) << ar;
  EXPECT_TRUE(has(ar, "header.d=example.net")) << ar;
  EXPECT_TRUE(has(ar, "dmarc=pass")) << ar;
  EXPECT_TRUE(has(ar, "header.from=example.net")) << ar;
  EXPECT_TRUE(ar.ends_with("\r\n"));
  EXPECT_FALSE(o.rewritten_message.has_value());
  EXPECT_TRUE(has(o.log_line, "spf=fail")) << o.log_line;
  EXPECT_TRUE(has(o.log_line, "dkim=pass(d=example.net s=sel)")) << o.log_line;
  EXPECT_TRUE(has(o.log_line, "dmarc=pass")) << o.log_line;
  EXPECT_TRUE(has(o.log_line, "action=accept")) << o.log_line;
}

TEST(MailAuthFilter, AlignedSpfPassWithoutSignature) {
  Outcome o = receive(base_config(), zone(), envelope("bob@example.net"), message("bob@example.net"));
  EXPECT_FALSE(o.verdict.reject.has_value());
  EXPECT_TRUE(has(o.verdict.prepend, "spf=pass")) << o.verdict.prepend;
  EXPECT_TRUE(has(o.verdict.prepend, "dkim=none")) << o.verdict.prepend;
  EXPECT_TRUE(has(o.verdict.prepend, "dmarc=pass")) << o.verdict.prepend;
  EXPECT_TRUE(has(o.log_line, "helo_spf=pass")) << o.log_line;
}

TEST(MailAuthFilter, ForgedFromRejectPolicyGets550) {
  // Sent from an address strict.example's SPF does not list, no signature.
  Outcome o = receive(base_config(), zone(), envelope("ceo@strict.example"), message("ceo@strict.example"),
                      "203.0.113.9");
  ASSERT_TRUE(o.verdict.reject.has_value());
  EXPECT_EQ(o.verdict.reject->code, 550);
  EXPECT_EQ(o.verdict.reject->status, "5.7.1");
  EXPECT_TRUE(has(o.verdict.reject->text(), "DMARC")) << o.verdict.reject->text();
  EXPECT_TRUE(has(o.verdict.reject->text(), "strict.example")) << o.verdict.reject->text();
  EXPECT_TRUE(has(o.log_line, "dmarc=fail")) << o.log_line;
  EXPECT_TRUE(has(o.log_line, "action=reject")) << o.log_line;
}

TEST(MailAuthFilter, ForgedFromWithSomeoneElsesEnvelopeIsStillRejected) {
  // SPF passes for the envelope domain (example.net) but is not aligned with From.
  Outcome o = receive(base_config(), zone(), envelope("bob@example.net"), message("ceo@strict.example"));
  ASSERT_TRUE(o.verdict.reject.has_value());
  EXPECT_EQ(o.verdict.reject->code, 550);
  EXPECT_TRUE(has(o.verdict.prepend, "spf=pass")) << o.verdict.prepend;
  EXPECT_TRUE(has(o.verdict.prepend, "dmarc=fail")) << o.verdict.prepend;
}

TEST(MailAuthFilter, QuarantinePolicyFilesEveryRecipientIntoJunk) {
  Outcome o = receive(base_config(), zone(), envelope("x@junky.example", 2), message("x@junky.example"),
                      "203.0.113.9");
  EXPECT_FALSE(o.verdict.reject.has_value());
  ASSERT_EQ(o.verdict.mailboxes.size(), 2u);
  EXPECT_EQ(o.verdict.mailboxes[0], "Junk");
  EXPECT_EQ(o.verdict.mailboxes[1], "Junk");
  EXPECT_TRUE(has(o.verdict.prepend, "dmarc=fail")) << o.verdict.prepend;
  EXPECT_TRUE(has(o.verdict.prepend, "dis=quarantine")) << o.verdict.prepend;
  EXPECT_TRUE(has(o.log_line, "action=junk")) << o.log_line;
}

TEST(MailAuthFilter, NonePolicyAcceptsIntoInbox) {
  Outcome o = receive(base_config(), zone(), envelope("x@relaxed.example"), message("x@relaxed.example"));
  EXPECT_FALSE(o.verdict.reject.has_value());
  for (const auto& m : o.verdict.mailboxes) EXPECT_TRUE(m.empty() || m == "INBOX") << m;
  EXPECT_TRUE(has(o.verdict.prepend, "dmarc=fail")) << o.verdict.prepend;
}

TEST(MailAuthFilter, EnforcementOffRecordsFailButAccepts) {
  config::Config cfg = base_config();
  cfg.mailauth.dmarc_enforce = false;
  Outcome o = receive(cfg, zone(), envelope("ceo@strict.example"), message("ceo@strict.example"), "203.0.113.9");
  EXPECT_FALSE(o.verdict.reject.has_value());
  for (const auto& m : o.verdict.mailboxes) EXPECT_TRUE(m.empty() || m == "INBOX") << m;
  EXPECT_TRUE(has(o.verdict.prepend, "dmarc=fail")) << o.verdict.prepend;
  EXPECT_TRUE(has(o.verdict.prepend, "spf=fail")) << o.verdict.prepend;
  EXPECT_TRUE(has(o.log_line, "enforce=off")) << o.log_line;
}

TEST(MailAuthFilter, VerifyOffAddsNothing) {
  config::Config cfg = base_config();
  cfg.mailauth.verify = false;
  auto z = zone();
  Outcome o = receive(cfg, z, envelope("ceo@strict.example"), message("ceo@strict.example"), "203.0.113.9");
  EXPECT_FALSE(o.verdict.reject.has_value());
  EXPECT_EQ(o.verdict.prepend, "");
  EXPECT_TRUE(z->queries().empty());
}

TEST(MailAuthFilter, ForgedAuthenticationResultsOfOurIdAreRemoved) {
  std::string forged =
      "Authentication-Results: mail.example.test; dkim=pass header.d=strict.example\r\n"
      "Authentication-Results: other.example; spf=pass smtp.mailfrom=x@relaxed.example\r\n"
      "Authentication-Results: (comment) \"MAIL.EXAMPLE.TEST\";\r\n dmarc=pass\r\n";
  std::string msg = message("x@relaxed.example", forged);
  Outcome o = receive(base_config(), zone(), envelope("x@relaxed.example"), msg);
  ASSERT_TRUE(o.rewritten_message.has_value());
  EXPECT_FALSE(has(*o.rewritten_message, "mail.example.test; dkim=pass")) << *o.rewritten_message;
  EXPECT_FALSE(has(*o.rewritten_message, "MAIL.EXAMPLE.TEST")) << *o.rewritten_message;
  // Other ADMDs' fields and the rest of the message are kept byte for byte.
  EXPECT_EQ(*o.rewritten_message,
            "Authentication-Results: other.example; spf=pass smtp.mailfrom=x@relaxed.example\r\n" +
                message("x@relaxed.example"));
  EXPECT_TRUE(has(o.log_line, "forged_ar_removed=2")) << o.log_line;
  // Ours is the only one claiming our id in what is stored.
  EXPECT_TRUE(has(o.verdict.prepend, "Authentication-Results: mail.example.test;"));
}

TEST(MailAuthFilter, NullReversePathUsesHeloIdentity) {
  Envelope env = envelope("", 1, "helo.example.net");
  Outcome o = receive(base_config(), zone(), env, message("bob@example.net"));
  EXPECT_TRUE(has(o.verdict.prepend, "spf=pass")) << o.verdict.prepend;
  EXPECT_TRUE(has(o.verdict.prepend, "smtp.helo=helo.example.net")) << o.verdict.prepend;
  // helo.example.net is aligned with example.net under relaxed alignment.
  EXPECT_TRUE(has(o.verdict.prepend, "dmarc=pass")) << o.verdict.prepend;

  // An address-literal HELO is no domain (RFC 7208 4.3): SPF none; DMARC
  // then fails for example.net (p=reject) since nothing else passes.
  o = receive(base_config(), zone(), envelope("", 1, "[192.0.2.10]"), message("bob@example.net"));
  EXPECT_TRUE(has(o.verdict.prepend, "spf=none")) << o.verdict.prepend;
  ASSERT_TRUE(o.verdict.reject.has_value());
  EXPECT_EQ(o.verdict.reject->code, 550);
}

TEST(MailAuthFilter, UnknownClientAddressGivesSpfNone) {
  // e.g. a local socket: no IP to check, SPF none, DKIM still decides.
  std::string msg = signed_by_example_net(message("bob@example.net"));
  Outcome o = receive(base_config(), zone(), envelope("bob@example.net"), msg, "");
  EXPECT_TRUE(has(o.verdict.prepend, "spf=none")) << o.verdict.prepend;
  EXPECT_TRUE(has(o.verdict.prepend, "dmarc=pass")) << o.verdict.prepend;
  EXPECT_FALSE(o.verdict.reject.has_value());
  // An IPv4-mapped IPv6 client is checked as IPv4 (RFC 7208 5).
  o = receive(base_config(), zone(), envelope("bob@example.net"), message("bob@example.net"), "::ffff:192.0.2.10");
  EXPECT_TRUE(has(o.verdict.prepend, "spf=pass")) << o.verdict.prepend;
}

TEST(MailAuthFilter, DnsTemporaryErrors) {
  // SPF lookup times out: recorded as temperror.
  auto z = zone();
  z->set_timeout("timeout.example");
  z->set_timeout("_dmarc.timeout.example");
  Outcome o = receive(base_config(), z, envelope("x@timeout.example"), message("x@timeout.example"));
  EXPECT_TRUE(has(o.verdict.prepend, "spf=temperror")) << o.verdict.prepend;
  EXPECT_TRUE(has(o.verdict.prepend, "dmarc=temperror")) << o.verdict.prepend;
  // The policy lookup failed and nothing passed: 451 4.7.0, the sender retries.
  ASSERT_TRUE(o.verdict.reject.has_value());
  EXPECT_EQ(o.verdict.reject->code, 451);
  EXPECT_EQ(o.verdict.reject->status, "4.7.0");
  EXPECT_TRUE(has(o.log_line, "action=tempfail")) << o.log_line;

  // Not when enforcement is off.
  config::Config off = base_config();
  off.mailauth.dmarc_enforce = false;
  o = receive(off, z, envelope("x@timeout.example"), message("x@timeout.example"));
  EXPECT_FALSE(o.verdict.reject.has_value());

  // The policy lookup fails but the aligned DKIM signature passes: accepted.
  auto z2 = zone();
  z2->set_timeout("_dmarc.example.net", dns::RType::TXT);
  std::string msg = signed_by_example_net(message("bob@example.net"));
  o = receive(base_config(), z2, envelope("bob@example.net"), msg, "198.51.100.7");
  EXPECT_FALSE(o.verdict.reject.has_value()) << o.verdict.reject->text();
  EXPECT_TRUE(has(o.verdict.prepend, "dkim=pass")) << o.verdict.prepend;
  EXPECT_TRUE(has(o.verdict.prepend, "dmarc=temperror")) << o.verdict.prepend;

  // A DKIM key lookup that times out is a dkim temperror.
  auto z3 = zone();
  z3->set_timeout("sel._domainkey.example.net", dns::RType::TXT);
  o = receive(base_config(), z3, envelope("bob@example.net"), msg);
  EXPECT_TRUE(has(o.verdict.prepend, "dkim=temperror")) << o.verdict.prepend;
  EXPECT_TRUE(has(o.verdict.prepend, "dmarc=pass")) << o.verdict.prepend;  // SPF still aligned
}

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/smtp-filter-test-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

config::Config signing_config(const TempDir& d) {
  dkim::write_private_key_file(d.path + "/r1.pem", dkim::private_key_pem(keys().rsa.get()));
  dkim::write_private_key_file(d.path + "/e1.pem", dkim::private_key_pem(keys().ed.get()));
  config::Config cfg = base_config();
  cfg.mailauth.dkim_keys = {config::DkimKey{"example.test", "r1", "rsa-sha256", d.path + "/r1.pem"},
                            config::DkimKey{"example.test", "e1", "ed25519-sha256", d.path + "/e1.pem"}};
  return cfg;
}

TEST(MailAuthFilter, SubmissionSignsAndTheSignaturesVerify) {
  TempDir d;
  config::Config cfg = signing_config(d);
  auto z = zone();
  MessageFilter f = make_mailauth_filter(cfg, z, load_signer(cfg), at_now());
  Envelope env = envelope("alice@example.test");
  std::string msg = message("alice@example.test");
  FilterInput in{env, msg, Mode::submission, "127.0.0.1", "alice", true, "ctest"};
  FilterVerdict v = run(f(in));
  EXPECT_FALSE(v.reject.has_value());
  EXPECT_TRUE(z->queries().empty());  // no SPF/DKIM/DMARC on submission
  EXPECT_TRUE(has(v.prepend, "a=rsa-sha256;")) << v.prepend;
  EXPECT_TRUE(has(v.prepend, "a=ed25519-sha256;")) << v.prepend;
  EXPECT_FALSE(has(v.prepend, "Authentication-Results"));

  dkim::VerifyOptions vo;
  vo.now = kNow + 60;
  auto res = run(dkim::verify(*z, v.prepend + msg, vo));
  ASSERT_EQ(res.size(), 2u);
  for (const auto& r : res) {
    EXPECT_EQ(r.result, dkim::Result::pass) << r.algorithm << ": " << r.reason;
    EXPECT_EQ(r.domain, "example.test");
  }

  // And the receiving side of our own filter agrees (DMARC for example.test).
  z->add_txt("_dmarc.example.test", "v=DMARC1; p=reject");
  Outcome o = receive(cfg, z, envelope("alice@example.test"), v.prepend + msg, "198.51.100.7");
  EXPECT_FALSE(o.verdict.reject.has_value());
  EXPECT_TRUE(has(o.verdict.prepend, "dmarc=pass")) << o.verdict.prepend;
}

TEST(MailAuthFilter, SubmissionWithoutKeyOrWithSigningOffDoesNotSign) {
  TempDir d;
  config::Config cfg = signing_config(d);
  auto z = zone();
  Envelope env = envelope("alice@example.test");
  std::string other = message("alice@elsewhere.example");  // no key for the From domain
  FilterInput in{env, other, Mode::submission, "127.0.0.1", "alice", true, "ctest"};
  EXPECT_EQ(run(make_mailauth_filter(cfg, z, load_signer(cfg))(in)).prepend, "");

  cfg.mailauth.dkim_sign = false;
  EXPECT_EQ(load_signer(cfg), nullptr);
  std::string msg = message("alice@example.test");
  FilterInput in2{env, msg, Mode::submission, "127.0.0.1", "alice", true, "ctest"};
  EXPECT_EQ(run(make_mailauth_filter(cfg, z, load_signer(cfg))(in2)).prepend, "");
}

TEST(MailAuthFilter, SubmissionSignsOnlyTheUsersOwnFromAddress) {
  TempDir d;
  config::Config cfg = signing_config(d);
  auto z = zone();
  MessageFilter f = make_mailauth_filter(cfg, z, load_signer(cfg), at_now());
  Envelope env = envelope("alice@example.test");
  // alice may not have our domain vouch for bob's address...
  std::string as_bob = message("bob@example.test");
  FilterInput in{env, as_bob, Mode::submission, "127.0.0.1", "alice", true, "ctest"};
  EXPECT_EQ(run(f(in)).prepend, "");
  // ...but her own address, with a +tag, is signed.
  std::string tagged = message("Alice+lists@example.test");
  FilterInput in2{env, tagged, Mode::submission, "127.0.0.1", "alice", true, "ctest"};
  EXPECT_TRUE(has(run(f(in2)).prepend, "DKIM-Signature:"));
  // root on the pickup socket (cron) is trusted.
  FilterInput in3{env, as_bob, Mode::pickup, "local", "root", false, "ctest"};
  EXPECT_TRUE(has(run(f(in3)).prepend, "DKIM-Signature:"));
}

TEST(MailAuthFilter, BadKeyFileIsNamedAtStart) {
  TempDir d;
  config::Config cfg = base_config();
  std::string missing = d.path + "/missing.pem";
  cfg.mailauth.dkim_keys = {config::DkimKey{"example.test", "r1", "rsa-sha256", missing}};
  try {
    load_signer(cfg);
    FAIL() << "a missing key file must stop the start";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(has(e.what(), missing)) << e.what();
    EXPECT_TRUE(has(e.what(), "mailauth.dkim_keys")) << e.what();
  }
}

TEST(MailAuthFilter, DaemonFactoryBuildsAResolverFromConfig) {
  config::Config cfg = base_config();
  cfg.dns.upstreams = {config::Endpoint{"127.0.0.1", 5353}};
  cfg.dns.trust_anchor_file = "";
  asio::io_context io;
  MessageFilter f = make_daemon_filter(io.get_executor(), cfg);
  EXPECT_TRUE(static_cast<bool>(f));
}

}  // namespace
}  // namespace postern::smtp::mailauth
