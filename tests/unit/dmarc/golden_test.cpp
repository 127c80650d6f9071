// Golden-file DMARC cases: tests/unit/dmarc/golden/*.txt, one message and
// zone per file, run through evaluate() + decide() + the A-R entry.
//
// File format, one directive per line ('#' starts a comment line):
//   txt <name> <text...>        a TXT record (rest of line verbatim)
//   a <name> <address>          an A record      mx <name> <host>  an MX record
//   dns <name> <TYPE> <status>  force nxdomain|nodata|temperror|permerror for TXT|A|AAAA|MX
//   spf <result> [domain]       SPF result and RFC5321.MailFrom domain
//   dkim <result> <d> [s]       one DKIM signature result (repeatable)
//   header <raw line>           a header line; "header  x" (leading WSP) is a continuation
//   random <n>                  the pct draw in [0,100) (default: fails the test if drawn)
//   enforce true|false          mailauth.dmarc_enforce (default true)
//   expect result|policy|applied|domain|from|action|sampled|ar <value>
//     policy = requested (p/sp/np), applied = after pct, domain = policy domain or "-",
//     from = From domain or "-", action = accept|junk|reject, sampled = yes|no,
//     ar = substring expected in the built Authentication-Results field.
#include "fake_resolver.hpp"
#include "run_eval.hpp"

#include "mailauth/authres/header.hpp"
#include "mailauth/authres/results.hpp"
#include "mailauth/dmarc/enforce.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace postern::dmarc {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> golden_files() {
  std::vector<std::string> out;
  fs::path dir = fs::path(POSTERN_SOURCE_DIR) / "tests/unit/dmarc/golden";
  for (auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".txt") out.push_back(e.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string rest_after(const std::string& line, size_t words) {
  size_t pos = 0;
  for (size_t i = 0; i < words; ++i) {
    pos = line.find(' ', pos);
    if (pos == std::string::npos) return "";
    ++pos;
  }
  return line.substr(pos);
}

dns::RType rtype(const std::string& s) {
  if (s == "A") return dns::RType::A;
  if (s == "AAAA") return dns::RType::AAAA;
  if (s == "MX") return dns::RType::MX;
  return dns::RType::TXT;
}

dns::Status dstatus(const std::string& s) {
  if (s == "nxdomain") return dns::Status::nxdomain;
  if (s == "nodata") return dns::Status::nodata;
  if (s == "permerror") return dns::Status::permerror;
  return dns::Status::temperror;
}

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, Case) {
  fs::path file = fs::path(POSTERN_SOURCE_DIR) / "tests/unit/dmarc/golden" / (GetParam() + ".txt");
  std::ifstream in(file);
  ASSERT_TRUE(in) << file;
  test::FakeResolver dns;
  Input input;
  std::optional<uint32_t> draw;
  bool random_used = false;
  EnforceOptions eopt;
  std::vector<std::pair<std::string, std::string>> expects;
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ws(line);
    std::string kw;
    ws >> kw;
    if (kw == "txt") {
      std::string name;
      ws >> name;
      dns.add_txt(name, rest_after(line, 2));
    } else if (kw == "a") {
      std::string name, addr;
      ws >> name >> addr;
      dns.add_a(name, addr);
    } else if (kw == "mx") {
      std::string name, host;
      ws >> name >> host;
      dns.add_mx(name, host);
    } else if (kw == "dns") {
      std::string name, type, status;
      ws >> name >> type >> status;
      dns.set_status(name, rtype(type), dstatus(status));
    } else if (kw == "spf") {
      std::string r, d;
      ws >> r >> d;
      auto sr = parse_spf_result(r);
      ASSERT_TRUE(sr) << file << ":" << lineno;
      input.spf = {*sr, d};
    } else if (kw == "dkim") {
      std::string r, d, s;
      ws >> r >> d >> s;
      auto dr = parse_dkim_result(r);
      ASSERT_TRUE(dr) << file << ":" << lineno;
      input.dkim.push_back({*dr, d, s});
    } else if (kw == "header") {
      input.header_block += line.substr(std::min<size_t>(7, line.size())) + "\r\n";
    } else if (kw == "random") {
      uint32_t n;
      ws >> n;
      draw = n;
    } else if (kw == "enforce") {
      std::string v;
      ws >> v;
      eopt.enforce = v == "true";
    } else if (kw == "expect") {
      std::string what;
      ws >> what;
      expects.emplace_back(what, rest_after(line, 2));
    } else {
      FAIL() << file << ":" << lineno << ": unknown directive " << kw;
    }
  }
  input.header_block += "\r\nbody\r\n";
  Options opt;
  opt.random = [&](uint32_t bound) -> uint32_t {
    random_used = true;
    EXPECT_EQ(bound, 100u);
    EXPECT_TRUE(draw.has_value()) << "pct sampling drew a random number but the case sets none";
    return draw.value_or(0);
  };
  Evaluation e = test::run_evaluate(dns, input, opt);
  Disposition d = decide(e, eopt);
  std::string ar;  // the built field, unfolded, whitespace runs collapsed
  for (char c : authres::build("mx.test", {authres::dmarc_entry(e, d)})) {
    bool ws = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (!ws) ar.push_back(c);
    else if (!ar.empty() && ar.back() != ' ') ar.push_back(' ');
  }
  SCOPED_TRACE(summary(e));
  SCOPED_TRACE(ar);
  ASSERT_FALSE(expects.empty()) << "a golden case must expect something";
  for (const auto& [what, want] : expects) {
    if (what == "result") EXPECT_EQ(to_string(e.result), want);
    else if (what == "policy") EXPECT_EQ(to_string(e.requested), want);
    else if (what == "applied") EXPECT_EQ(to_string(e.applied), want);
    else if (what == "domain") EXPECT_EQ(e.policy_domain.empty() ? "-" : e.policy_domain, want);
    else if (what == "from") EXPECT_EQ(e.from_domain.empty() ? "-" : e.from_domain, want);
    else if (what == "action") EXPECT_EQ(to_string(d.action), want);
    else if (what == "sampled") EXPECT_EQ(e.sampled_out ? "yes" : "no", want);
    else if (what == "ar") EXPECT_NE(ar.find(want), std::string::npos) << "want: " << want;
    else if (what == "reject_reply") EXPECT_EQ(d.reply, want);
    else ADD_FAILURE() << "unknown expectation " << what;
  }
  if (draw) {
    EXPECT_TRUE(random_used) << "the case sets random but pct sampling did not draw";
  }
}

INSTANTIATE_TEST_SUITE_P(Dmarc, Golden, ::testing::ValuesIn(golden_files()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
}  // namespace postern::dmarc
