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

TEST(DkimInteropMailauth, OurSignaturesVerifyWithMailauth) { expect_tool_verifies_ours(keys(), kTool); }

TEST(DkimInteropMailauth, MailauthSignaturesVerifyWithOurs) {
  TempDir d;
  write_file(d.file("rsa.pem"), private_key_pem(keys().rsa.get()));
  write_file(d.file("ed.pem"), private_key_pem(keys().ed.get()));
  expect_ours_verifies_tool(keys(), kTool, d, d.file("rsa.pem"), d.file("ed.pem"),
                            [](std::string& m) { m.replace(m.find("\r\nSubject:") + 2, 8, "Subject: x"); });
}
