// Cross-check with an independent RFC 8601 implementation: Debian's
// python3-authres parses the headers our builder writes, and our parser
// reads the headers it writes; both sides must agree item by item.
// Skipped (not failed) when /usr/bin/python3 lacks the authres module.
// (python3-authres 1.2 does not undo quoted-pairs, so values here avoid '"'
// and '\\'; our own handling of those is tested in header_test.cpp.)
#include "mailauth/authres/header.hpp"
#include "mailauth/authres/results.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace postern::authres {
namespace {

const std::string kScript = std::string(POSTERN_SOURCE_DIR) + "/tests/unit/authres/authres_crosscheck.py";

bool have_python_authres() {
  return std::system("/usr/bin/python3 -c 'import authres, authres.dmarc' >/dev/null 2>&1") == 0;
}

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  EXPECT_EQ(pclose(p), 0) << cmd;
  return out;
}

std::string dump(const Header& h) {
  std::string s = "H " + h.authserv_id + "\n";
  for (const auto& r : h.results) {
    s += "R " + r.method + " " + r.result;
    if (!r.reason.empty()) s += " reason=" + r.reason;
    s += "\n";
    for (const auto& p : r.props) s += "P " + p.ptype + "." + p.property + " " + p.value + "\n";
  }
  return s;
}

std::string value_of(const std::string& field) { return field.substr(field.find(':') + 1); }

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/postern-authres-XXXXXX";
    path_ = mkdtemp(tmpl) ? tmpl : "";
  }
  ~TempDir() {
    if (!path_.empty()) std::filesystem::remove_all(path_);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(CrossCheck, PythonAuthresParsesOurHeaders) {
  if (!have_python_authres()) GTEST_SKIP() << "python3-authres not installed";
  dmarc::Evaluation e;
  e.result = dmarc::Result::fail;
  e.from_domain = "news.example.com";
  e.record = dmarc::Record{};
  e.record->p = dmarc::Policy::reject;
  e.record->sp = dmarc::Policy::quarantine;
  dmarc::Disposition d;
  d.dis = dmarc::Policy::quarantine;
  std::vector<std::string> built = {
      build("mx.example.org", {spf_entry(dmarc::SpfResult::pass, "bounce@example.com"),
                               dkim_entry(dmarc::DkimResult::pass, "example.com", "sel1", "Ab/dEf=hIJK"),
                               dmarc_entry(e, d)}),
      build("mx.example.org", {}),
      build("mx.example.org", {spf_entry(dmarc::SpfResult::softfail, "", "helo.example.net"),
                               dkim_entry(dmarc::DkimResult::fail, "example.net", "s", "+/+/+/+/",
                                          "signature (body hash) did not verify")}),
      build("mx.example.org", {{"dkim", "", "neutral", "", "odd; reason=(x)", {{"header", "d", "example.com"}}}}),
  };
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  std::string file = dir.path() + "/headers.txt";
  std::string expected;
  {
    std::ofstream out(file, std::ios::binary);
    for (const auto& h : built) {
      std::string unix_h = h;  // python's email-style parse wants LF line ends
      for (size_t p; (p = unix_h.find("\r\n")) != std::string::npos;) unix_h.replace(p, 2, "\n");
      out << unix_h << "%%\n";
      auto ours = parse(value_of(h));
      ASSERT_TRUE(ours) << h;
      expected += dump(*ours);
    }
  }
  std::string theirs = run("/usr/bin/python3 " + kScript + " parse " + file);
  EXPECT_EQ(theirs, expected);
}

TEST(CrossCheck, WeParsePythonAuthresHeaders) {
  if (!have_python_authres()) GTEST_SKIP() << "python3-authres not installed";
  std::string gen = run("/usr/bin/python3 " + kScript + " generate");
  size_t start = 0;
  int count = 0;
  while (start < gen.size()) {
    size_t end = gen.find("\n%%\n", start);
    std::string h = gen.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? gen.size() : end + 4;
    while (!h.empty() && h.back() == '\n') h.pop_back();
    auto ours = parse(value_of(h));
    ASSERT_TRUE(ours) << h;
    ++count;
    if (count == 1) {
      ASSERT_EQ(ours->results.size(), 3u);
      EXPECT_EQ(ours->results[2].method, "dmarc");
      EXPECT_EQ(ours->results[2].comment, "");  // comments are not kept by the parser
      EXPECT_EQ(ours->results[2].props[0].value, "example.com");
    } else if (count == 2) {
      EXPECT_TRUE(ours->none);
      EXPECT_EQ(ours->version, 1u);
    } else if (count == 3) {
      EXPECT_EQ(ours->results[0].reason, "bad signature");
      EXPECT_EQ(ours->results[0].props[0].value, "example.net");
      EXPECT_EQ(ours->results[1].props[0].property, "helo");
    }
  }
  EXPECT_EQ(count, 3);
}

}  // namespace
}  // namespace postern::authres
