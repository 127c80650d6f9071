// DMARC record parsing (RFC 7489 6.3, 6.4, 6.6.3; RFC 9091 np).
#include "mailauth/dmarc/record.hpp"

#include <gtest/gtest.h>

namespace postern::dmarc {
namespace {

TEST(Record, FullRecord) {
  auto r = parse_record(
      "v=DMARC1; p=reject; sp=quarantine; np=none; pct=25; adkim=s; aspf=r; "
      "rua=mailto:a@example.com,mailto:b@example.com!10m; ruf=mailto:f@example.com; fo=1:d; rf=afrf; ri=3600");
  ASSERT_EQ(r.status, ParseStatus::ok) << r.error;
  EXPECT_EQ(r.record.p, Policy::reject);
  EXPECT_EQ(r.record.sp, Policy::quarantine);
  EXPECT_EQ(r.record.np, Policy::none);
  EXPECT_EQ(r.record.pct, 25);
  EXPECT_EQ(r.record.adkim, Alignment::strict);
  EXPECT_EQ(r.record.aspf, Alignment::relaxed);
  EXPECT_EQ(r.record.rua.size(), 2u);
  EXPECT_EQ(r.record.ruf.size(), 1u);
  EXPECT_EQ(r.record.fo, "1:d");
  EXPECT_EQ(r.record.ri, 3600u);
  EXPECT_TRUE(r.record.warnings.empty());
}

TEST(Record, Defaults) {
  auto r = parse_record("v=DMARC1; p=none");
  ASSERT_EQ(r.status, ParseStatus::ok);
  EXPECT_EQ(r.record.pct, 100);
  EXPECT_EQ(r.record.adkim, Alignment::relaxed);
  EXPECT_EQ(r.record.aspf, Alignment::relaxed);
  EXPECT_FALSE(r.record.sp);
  EXPECT_EQ(r.record.subdomain_policy(), Policy::none);
  EXPECT_EQ(r.record.nonexistent_policy(), Policy::none);
}

TEST(Record, VersionMustComeFirstAndBeExact) {
  EXPECT_EQ(parse_record("p=reject; v=DMARC1").status, ParseStatus::not_dmarc);
  EXPECT_EQ(parse_record("v=DMARC2; p=reject").status, ParseStatus::not_dmarc);
  EXPECT_EQ(parse_record("v=dmarc1; p=reject").status, ParseStatus::not_dmarc);
  EXPECT_EQ(parse_record("v=DMARC1x; p=reject").status, ParseStatus::not_dmarc);
  EXPECT_EQ(parse_record("v = DMARC1 ;p=reject").status, ParseStatus::ok);
  EXPECT_EQ(parse_record("").status, ParseStatus::not_dmarc);
}

TEST(Record, MissingPWithoutRuaIsInvalid) {
  auto r = parse_record("v=DMARC1; sp=reject");
  EXPECT_EQ(r.status, ParseStatus::invalid);
  EXPECT_EQ(parse_record("v=DMARC1; p=bogus").status, ParseStatus::invalid);
  EXPECT_EQ(parse_record("v=DMARC1; p=reject; sp=bogus").status, ParseStatus::invalid);
}

TEST(Record, MissingPWithValidRuaActsAsNone) {
  auto r = parse_record("v=DMARC1; sp=reject; rua=mailto:d@example.com");
  ASSERT_EQ(r.status, ParseStatus::ok);
  EXPECT_EQ(r.record.p, Policy::none);
  EXPECT_TRUE(r.record.p_defaulted);
  EXPECT_FALSE(r.record.sp);
  // An invalid rua URI does not rescue the record.
  EXPECT_EQ(parse_record("v=DMARC1; rua=not a uri").status, ParseStatus::invalid);
}

TEST(Record, BadOptionalValuesFallBackToDefaults) {
  auto r = parse_record("v=DMARC1; p=quarantine; pct=101; adkim=x; aspf=; np=maybe; ri=-1; fo=7");
  ASSERT_EQ(r.status, ParseStatus::ok);
  EXPECT_EQ(r.record.pct, 100);
  EXPECT_EQ(r.record.adkim, Alignment::relaxed);
  EXPECT_EQ(r.record.aspf, Alignment::relaxed);
  EXPECT_FALSE(r.record.np);
  EXPECT_EQ(r.record.ri, 86400u);
  EXPECT_EQ(r.record.fo, "0");
  EXPECT_GE(r.record.warnings.size(), 6u);
}

TEST(Record, UnknownTagsIgnoredRepeatedTagsFirstWins) {
  auto r = parse_record("v=DMARC1; p=reject; foo=bar; p=none; ;;");
  ASSERT_EQ(r.status, ParseStatus::ok);
  EXPECT_EQ(r.record.p, Policy::reject);
  EXPECT_EQ(r.record.warnings.size(), 1u);
}

TEST(Record, PctBounds) {
  EXPECT_EQ(parse_record("v=DMARC1; p=reject; pct=0").record.pct, 0);
  EXPECT_EQ(parse_record("v=DMARC1; p=reject; pct=100").record.pct, 100);
  EXPECT_EQ(parse_record("v=DMARC1; p=reject; pct=99999999999999").record.pct, 100);
}

TEST(Record, Bounded) {
  std::string big = "v=DMARC1; p=reject";
  for (int i = 0; i < 100; ++i) big += "; x" + std::to_string(i) + "=y";
  EXPECT_EQ(parse_record(big).status, ParseStatus::invalid);
  EXPECT_EQ(parse_record("v=DMARC1; p=reject; x=" + std::string(5000, 'a')).status, ParseStatus::invalid);
}

}  // namespace
}  // namespace postern::dmarc
