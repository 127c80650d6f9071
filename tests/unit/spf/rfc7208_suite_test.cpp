// Runs the whole RFC 7208 test suite (openspf.org, as shipped in Debian's
// python3-spf) against our check_host(), each scenario's zonedata loaded into
// a StaticResolver. A case passes when our result is one of the listed
// results and, where the suite gives one, the explanation is identical.
#include "common/dns/static_resolver.hpp"
#include "mailauth/spf/spf.hpp"
#include "tests/unit/spf/test_util.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace postern::spf {
namespace {

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> out(1);
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\t') {
      out.emplace_back();
    } else if (c == '\\' && i + 1 < line.size()) {
      char n = line[++i];
      out.back() += n == 't' ? '\t' : n == 'n' ? '\n' : n;
    } else {
      out.back() += c;
    }
  }
  return out;
}

struct Case {
  std::string id, helo, host, mailfrom, explanation;
  std::vector<std::string> results;
};

TEST(Rfc7208Suite, EveryCasePasses) {
  std::ifstream in(SPF_SUITE_FILE);
  ASSERT_TRUE(in) << "missing " << SPF_SUITE_FILE;
  std::string line, scenario;
  dns::StaticResolver zone;
  std::vector<Case> cases;
  int total = 0, passed = 0;
  auto run_scenario = [&]() {
    for (const auto& c : cases) {
      ++total;
      Options opt;
      opt.default_explanation = "DEFAULT";
      Result r = test::run(check_mail_from(zone, asio::ip::make_address(c.host), c.mailfrom, c.helo, opt));
      std::string got(to_string(r.code));
      bool ok = false;
      for (const auto& want : c.results) ok = ok || want == got;
      if (ok && !c.explanation.empty() && r.explanation != c.explanation) ok = false;
      if (ok) {
        ++passed;
      } else {
        std::string want;
        for (const auto& w : c.results) want += (want.empty() ? "" : "|") + w;
        ADD_FAILURE() << "[" << scenario << "] " << c.id << ": got " << got << " (" << r.problem
                      << ") explanation '" << r.explanation << "', want " << want
                      << (c.explanation.empty() ? "" : " '" + c.explanation + "'");
      }
    }
  };
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto f = split_fields(line);
    const std::string& kind = f[0];
    if (kind == "SCENARIO") {
      scenario = f.size() > 1 ? f[1] : "";
      zone = dns::StaticResolver{};
      cases.clear();
    } else if (kind == "RR") {
      ASSERT_GE(f.size(), 3u) << line;  // a TXT record may have no strings
      const std::string &name = f[1], &type = f[2];
      if (type == "TXT") zone.add_txt(name, std::vector<std::string>(f.begin() + 3, f.end()));
      else if (f.size() < 4) FAIL() << line;
      else if (type == "A") zone.add_a(name, f[3]);
      else if (type == "AAAA") zone.add_aaaa(name, f[3]);
      else if (type == "PTR") zone.add_ptr(name, f[3]);
      else if (type == "CNAME") zone.add_cname(name, f[3]);
      else if (type == "MX") zone.add_mx(name, uint16_t(std::stoi(f[3])), f.size() > 4 ? f[4] : "");
      else FAIL() << "unknown type " << type;
    } else if (kind == "TIMEOUT") {
      zone.set_timeout(f[1]);
    } else if (kind == "TEST") {
      ASSERT_GE(f.size(), 7u) << line;
      Case c{f[1], f[2], f[3], f[4], f[6], {}};
      std::stringstream rs(f[5]);
      for (std::string r; std::getline(rs, r, ',');) c.results.push_back(r);
      cases.push_back(std::move(c));
    } else if (kind == "END") {
      run_scenario();
    }
  }
  std::printf("RFC 7208 suite: %d/%d passed\n", passed, total);
  EXPECT_EQ(passed, total);
  EXPECT_GE(total, 200);  // the whole suite was read
}

}  // namespace
}  // namespace postern::spf
