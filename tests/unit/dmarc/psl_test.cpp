// The public suffix list test vectors (checkPublicSuffix, from Debian's
// publicsuffix package: /usr/share/doc/publicsuffix/examples/test_psl.txt;
// a copy in data/ is used where /usr/share/doc is not installed) against
// our registrable/organizational-domain functions.
#include "mailauth/dmarc/psl.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

namespace postern::dmarc {
namespace {

std::string vectors_path() {
  const char* sys = "/usr/share/doc/publicsuffix/examples/test_psl.txt";
  if (std::filesystem::exists(sys)) return sys;
  return std::string(POSTERN_SOURCE_DIR) + "/tests/unit/dmarc/data/test_psl.txt";
}

struct Vector {
  std::optional<std::string> input, expected;
  int line;
};

// Every line that starts with "checkPublicSuffix(" is a vector ("//" lines are
// the list's own disabled ones); `lines` counts them so none is skipped silently.
std::vector<Vector> load_vectors(size_t* lines) {
  std::ifstream in(vectors_path());
  std::vector<Vector> out;
  *lines = 0;
  std::regex re(R"(^checkPublicSuffix\((null|'[^']*'),\s*(null|'[^']*')\);)");
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind("checkPublicSuffix(", 0) == 0) ++*lines;
    std::smatch m;
    if (!std::regex_search(line, m, re)) continue;  // comments, including "//checkPublicSuffix"
    auto arg = [](const std::string& s) -> std::optional<std::string> {
      if (s == "null") return std::nullopt;
      return s.substr(1, s.size() - 2);
    };
    out.push_back({arg(m[1]), arg(m[2]), n});
  }
  return out;
}

void run_vectors(const PublicSuffixList& psl, const char* which) {
  size_t lines = 0;
  auto vectors = load_vectors(&lines);
  ASSERT_GT(vectors.size(), 0u) << vectors_path();
  ASSERT_EQ(vectors.size(), lines) << "a checkPublicSuffix line did not parse";
  size_t passed = 0;
  for (const auto& v : vectors) {
    std::string input = v.input.value_or("");
    auto got = psl.registrable_domain(input);
    EXPECT_EQ(got, v.expected) << which << " line " << v.line << ": " << input;
    if (got == v.expected) ++passed;
    // The DMARC organizational domain is the same, or the name itself when
    // it is a public suffix (valid names only: no leading dot, not empty).
    if (!input.empty() && input[0] != '.') {
      std::string lower = input;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      EXPECT_EQ(psl.organizational_domain(input), v.expected.value_or(lower)) << which << " line " << v.line;
    }
  }
  std::printf("[ PSL      ] %s: %zu/%zu checkPublicSuffix vectors passed (%s)\n", which, passed,
              vectors.size(), vectors_path().c_str());
}

TEST(Psl, DebianVectorsWithSystemFile) {
  PublicSuffixList psl;  // /usr/share/publicsuffix/public_suffix_list.dat
  EXPECT_TRUE(psl.from_file());
  run_vectors(psl, "system list");
}

TEST(Psl, DebianVectorsWithBuiltinFallback) {
  PublicSuffixList psl("/nonexistent/public_suffix_list.dat");
  EXPECT_FALSE(psl.from_file());
  run_vectors(psl, "builtin list");
}

TEST(Psl, OrganizationalDomainOfPublicSuffixIsItself) {
  const auto& psl = PublicSuffixList::shared();
  EXPECT_EQ(psl.organizational_domain("co.uk"), "co.uk");
  EXPECT_EQ(psl.organizational_domain("Mail.Example.CO.UK."), "example.co.uk");
  EXPECT_EQ(psl.organizational_domain("a.b.example.com"), "example.com");
}

TEST(Psl, HostileInputIsRefusedNotCrashing) {
  const auto& psl = PublicSuffixList::shared();
  EXPECT_FALSE(psl.registrable_domain(std::string(5000, 'a')));
  EXPECT_FALSE(psl.registrable_domain(std::string("a\0b.com", 7)));
  EXPECT_FALSE(psl.registrable_domain("a..example.com"));
  (void)psl.registrable_domain("\xff\xfe.com");  // invalid UTF-8: any answer, no crash
}

}  // namespace
}  // namespace postern::dmarc
