// DMARC evaluation behaviour beyond the golden files: which DNS queries are
// made (and not made), alignment helper, enforcement and reply text.
#include "fake_resolver.hpp"
#include "run_eval.hpp"

#include "mailauth/dmarc/enforce.hpp"

#include <gtest/gtest.h>

namespace postern::dmarc {
namespace {

using test::FakeResolver;
using test::run_evaluate;

Input msg(const std::string& from) {
  Input in;
  in.header_block = "From: " + from + "\r\nSubject: t\r\n\r\n";
  return in;
}

TEST(Evaluate, NoDnsWhenFromUnusable) {
  FakeResolver dns;
  Input in;
  in.header_block = "Subject: t\r\n\r\n";
  auto e = run_evaluate(dns, in);
  EXPECT_EQ(e.result, Result::permerror);
  EXPECT_TRUE(dns.queries().empty());
}

TEST(Evaluate, OrgFallbackQueriesOnceEach) {
  FakeResolver dns;
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=reject");
  dns.add_a("a.b.example.com", "192.0.2.1");
  auto e = run_evaluate(dns, msg("x@a.b.example.com"));
  EXPECT_EQ(e.result, Result::fail);
  EXPECT_EQ(e.policy_domain, "example.com");
  ASSERT_EQ(dns.queries().size(), 2u);  // no existence queries without np=
  EXPECT_EQ(dns.queries()[0].first, "_dmarc.a.b.example.com");
  EXPECT_EQ(dns.queries()[1].first, "_dmarc.example.com");
}

TEST(Evaluate, NoFallbackWhenFromIsOrgDomain) {
  FakeResolver dns;
  auto e = run_evaluate(dns, msg("x@example.com"));
  EXPECT_EQ(e.result, Result::none);
  EXPECT_EQ(dns.queries().size(), 1u);
}

TEST(Evaluate, NpChecksExistenceWithAAaaaMx) {
  FakeResolver dns;
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=none; np=quarantine");
  auto e = run_evaluate(dns, msg("x@gone.example.com"));
  EXPECT_TRUE(e.nonexistent);
  EXPECT_EQ(e.requested, Policy::quarantine);
  EXPECT_EQ(dns.queries().size(), 5u);
}

TEST(Evaluate, PctUsesInjectedRandomOnlyWhenNeeded) {
  FakeResolver dns;
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=reject; pct=30");
  int calls = 0;
  Options opt;
  opt.random = [&](uint32_t) -> uint32_t { ++calls; return 29; };
  auto e = run_evaluate(dns, msg("x@example.com"), opt);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(e.applied, Policy::reject);
  opt.random = [&](uint32_t) -> uint32_t { ++calls; return 30; };
  e = run_evaluate(dns, msg("x@example.com"), opt);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(e.applied, Policy::quarantine);
}

TEST(Evaluate, DefaultRandomSamplesRoughly) {
  // pct=50 with the default source: both outcomes occur over many messages.
  FakeResolver dns;
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=reject; pct=50");
  int in = 0, out = 0;
  for (int i = 0; i < 200; ++i) {
    auto e = run_evaluate(dns, msg("x@example.com"));
    (e.sampled_out ? out : in)++;
  }
  EXPECT_GT(in, 0);
  EXPECT_GT(out, 0);
}

TEST(Evaluate, AlignmentComputedWithoutPolicy) {
  FakeResolver dns;
  Input in = msg("x@example.com");
  in.spf = {SpfResult::pass, "mail.example.com"};
  auto e = run_evaluate(dns, in);
  EXPECT_EQ(e.result, Result::none);
  EXPECT_TRUE(e.spf_aligned);
  EXPECT_NE(summary(e).find("dmarc=none from=example.com"), std::string::npos);
}

TEST(Evaluate, SpfSoftfailDoesNotCount) {
  FakeResolver dns;
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=reject");
  Input in = msg("x@example.com");
  in.spf = {SpfResult::softfail, "example.com"};
  in.dkim = {{DkimResult::fail, "example.com", "s"}, {DkimResult::policy, "example.com", "s"}};
  EXPECT_EQ(run_evaluate(dns, in).result, Result::fail);
}

TEST(Alignment, StrictAndRelaxed) {
  const auto& psl = PublicSuffixList::shared();
  EXPECT_TRUE(aligned("EXAMPLE.com", "example.com.", Alignment::strict, psl));
  EXPECT_FALSE(aligned("a.example.com", "example.com", Alignment::strict, psl));
  EXPECT_TRUE(aligned("a.example.com", "b.example.com", Alignment::relaxed, psl));
  EXPECT_FALSE(aligned("example.co.uk", "other.co.uk", Alignment::relaxed, psl));
  EXPECT_FALSE(aligned("co.uk", "example.co.uk", Alignment::relaxed, psl));
  EXPECT_FALSE(aligned("", "example.com", Alignment::relaxed, psl));
}

TEST(Enforce, Mapping) {
  Evaluation e;
  e.from.status = FromStatus::ok;
  e.from_domain = "example.com";
  e.result = Result::fail;
  e.requested = e.applied = Policy::reject;
  auto d = decide(e);
  EXPECT_EQ(d.action, Action::reject);
  EXPECT_EQ(d.reply, "550 5.7.1 Message rejected: DMARC policy of example.com (p=reject) not satisfied");
  e.applied = Policy::quarantine;
  EXPECT_EQ(decide(e).action, Action::junk);
  e.applied = Policy::none;
  EXPECT_EQ(decide(e).action, Action::accept);
  e.applied = Policy::reject;
  EXPECT_EQ(decide(e, {.enforce = false}).action, Action::accept);
  e.result = Result::temperror;
  EXPECT_EQ(decide(e).action, Action::accept);
  e.result = Result::pass;
  EXPECT_EQ(decide(e).action, Action::accept);
}

TEST(Enforce, UnusableFromOption) {
  Evaluation e;
  e.result = Result::permerror;
  e.from.status = FromStatus::multiple_domains;
  EXPECT_EQ(decide(e).action, Action::reject);
  EXPECT_EQ(decide(e, {.enforce = true, .reject_unusable_from = false}).action, Action::accept);
}

}  // namespace
}  // namespace postern::dmarc
