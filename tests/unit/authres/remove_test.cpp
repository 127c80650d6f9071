// Forged Authentication-Results removal (RFC 8601 section 5), golden cases
// in tests/unit/authres/golden/*.txt: a line "authserv-id <id>", then
// "--- input" and "--- expected" sections of header lines (LF in the file,
// CRLF when run; "--- removed <n>" optionally checks the count).
#include "mailauth/authres/remove.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace postern::authres {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> golden_files() {
  std::vector<std::string> out;
  for (auto& e : fs::directory_iterator(fs::path(POSTERN_SOURCE_DIR) / "tests/unit/authres/golden"))
    if (e.path().extension() == ".txt") out.push_back(e.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

class RemoveGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(RemoveGolden, Case) {
  std::ifstream in(fs::path(POSTERN_SOURCE_DIR) / "tests/unit/authres/golden" / (GetParam() + ".txt"));
  ASSERT_TRUE(in);
  std::string line, id, input, expected, section;
  int removed = -1;
  while (std::getline(in, line)) {
    if (section.empty() && line.rfind("authserv-id ", 0) == 0) { id = line.substr(12); continue; }
    if (line.rfind("--- removed ", 0) == 0) { removed = std::stoi(line.substr(12)); continue; }
    if (line == "--- input" || line == "--- expected") { section = line; continue; }
    if (section == "--- input") input += line + "\r\n";
    else if (section == "--- expected") expected += line + "\r\n";
  }
  ASSERT_FALSE(id.empty());
  input += "\r\nBody: not a header\r\nAuthentication-Results: " + id + "; spf=pass\r\n";
  expected += "\r\nBody: not a header\r\nAuthentication-Results: " + id + "; spf=pass\r\n";
  Removal r = remove_forged(input, id);
  EXPECT_EQ(r.message, expected);
  if (removed >= 0) {
    EXPECT_EQ(static_cast<int>(r.removed), removed);
  }
}

INSTANTIATE_TEST_SUITE_P(Authres, RemoveGolden, ::testing::ValuesIn(golden_files()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

TEST(Remove, ClaimsAuthservId) {
  EXPECT_TRUE(claims_authserv_id(" mx.example.org; spf=pass", "MX.example.org"));
  EXPECT_TRUE(claims_authserv_id(" mx.example.org.; spf=pass", "mx.example.org"));
  EXPECT_FALSE(claims_authserv_id(" mx.example.org.evil; spf=pass", "mx.example.org"));
  EXPECT_FALSE(claims_authserv_id(" mx.example.org; spf=pass", ""));
}

TEST(Remove, PaddingAndDeepNestingDoNotHideAForgery) {
  std::string deep = std::string(200, '(') + std::string(200, ')');
  std::string pad(200000, 'x');
  std::string in = "Authentication-Results: " + deep + " mx.example.org; dkim=pass\r\n"
                   "Authentication-Results: mx.example.org; dkim=pass (" + pad + ")\r\n"
                   "Subject: s\r\n\r\n";
  Removal r = remove_forged(in, "mx.example.org");
  EXPECT_EQ(r.removed, 2u);
  EXPECT_EQ(r.message, "Subject: s\r\n\r\n");
}

TEST(Remove, ManyFieldsNoLimit) {
  std::string in;
  for (int i = 0; i < 20000; ++i) in += "X-A: 1\r\n";
  in += "Authentication-Results: mx.example.org; spf=pass\r\n\r\n";
  Removal r = remove_forged(in, "mx.example.org");
  EXPECT_EQ(r.removed, 1u);
}

TEST(Remove, SeveralIds) {
  Removal r = remove_forged("Authentication-Results: mx1.example.org; spf=pass\r\n"
                            "Authentication-Results: mx2.example.org; spf=pass\r\n"
                            "Authentication-Results: other.example; spf=pass\r\n",
                            std::vector<std::string>{"mx1.example.org", "MX2.example.org"});
  EXPECT_EQ(r.removed, 2u);
  EXPECT_EQ(r.message, "Authentication-Results: other.example; spf=pass\r\n");
}

TEST(Remove, HeaderOnlyAndBareLf) {
  Removal r = remove_forged("Authentication-Results: mx; dkim=pass\nSubject: x\n", "mx");
  EXPECT_EQ(r.message, "Subject: x\n");
  EXPECT_EQ(r.removed, 1u);
}

}  // namespace
}  // namespace postern::authres
