// Cross-check with the npm `mailauth` package (Postal Systems), both ways:
// messages we sign verify with mailauth, messages mailauth signs (rsa-sha256
// and ed25519-sha256) verify with ours. The package is installed by the
// dkim_npm_install ctest fixture into <build>/npm (needs the npm registry).
#include "interop_support.hpp"

using namespace postern::dkim;
using namespace postern::dkim::interop;

namespace {

const std::string kNpmDir = DKIM_NPM_DIR;
const std::string kTool = "NODE_PATH=" + kNpmDir + "/node_modules node " POSTERN_SOURCE_DIR
                          "/tests/unit/dkim/interop/mailauth_tool.js";

InteropKeys& keys() {
  static InteropKeys k;
  return k;
}

}  // namespace

TEST(DkimInteropMailauth, MailauthIsInstalled) {
  ASSERT_EQ(run_cmd("node --version").status, 0) << "node is not installed";
  ASSERT_TRUE(std::filesystem::exists(kNpmDir + "/node_modules/mailauth/package.json"))
      << "npm mailauth is not installed in " << kNpmDir << " (the dkim_npm_install test installs it)";
}

TEST(DkimInteropMailauth, OurSignaturesVerifyWithMailauth) {
  TempDir d;
  write_file(d.file("dns.json"), dns_json(keys().records()));
  int i = 0;
  for (const auto& msg : interop_messages()) {
    std::string path = d.file("ours" + std::to_string(i++) + ".eml");
    std::string signed_msg = keys().signer().signature_block(msg) + msg;
    write_file(path, signed_msg);
    CmdResult r = run_cmd(kTool + " verify " + path + " " + d.file("dns.json"));
    EXPECT_EQ(r.status, 0) << r.out << "\n--- message:\n" << signed_msg;
    EXPECT_NE(r.out.find("pass d=example.org a=rsa-sha256"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("pass d=example.org a=ed25519-sha256"), std::string::npos) << r.out;

    std::string altered = signed_msg;
    altered.replace(altered.find("Date: Mon"), 9, "Date: Tue");
    write_file(path, altered);
    r = run_cmd(kTool + " verify " + path + " " + d.file("dns.json"));
    EXPECT_NE(r.status, 0) << r.out;
  }
}

TEST(DkimInteropMailauth, MailauthSignaturesVerifyWithOurs) {
  TempDir d;
  write_file(d.file("rsa.pem"), private_key_pem(keys().rsa.get()));
  write_file(d.file("ed.pem"), private_key_pem(keys().ed.get()));
  test::FakeResolver resolver;
  keys().publish(resolver);
  int i = 0;
  for (const auto& msg : interop_messages()) {
    std::string in = d.file("in" + std::to_string(i) + ".eml");
    write_file(in, msg);
    for (std::string alg : {"rsa", "ed25519"}) {
      std::string out = d.file("signed" + std::to_string(i) + alg + ".eml");
      std::string sel = alg == "rsa" ? "rsa2026" : "ed2026";
      std::string key = alg == "rsa" ? d.file("rsa.pem") : d.file("ed.pem");
      CmdResult r = run_cmd(kTool + " sign " + in + " " + out + " example.org " + sel + " " + alg + " " + key);
      ASSERT_EQ(r.status, 0) << r.out;
      std::string signed_msg = test::read_file(out);
      auto res = test::verify_sync(resolver, signed_msg);
      ASSERT_EQ(res.size(), 1u) << signed_msg;
      EXPECT_EQ(res[0].result, Result::pass) << alg << ": " << res[0].reason << "\n" << signed_msg;
      EXPECT_EQ(res[0].algorithm, alg + "-sha256");

      std::string altered = signed_msg;
      altered.replace(altered.find("\r\nSubject:") + 2, 8, "Subject: x");
      res = test::verify_sync(resolver, altered);
      EXPECT_EQ(res[0].result, Result::fail);
    }
    ++i;
  }
}
