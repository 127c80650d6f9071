// Cross-check with Debian's python3-dkim (dkimpy), both ways: messages we sign
// (rsa-sha256 and ed25519-sha256) verify with dkimpy, and messages dkimpy
// signs verify with ours. Also checks dkimpy rejects our signature once the
// message is altered, so the pass is not vacuous.
#include "interop_support.hpp"

using namespace postern::dkim;
using namespace postern::dkim::interop;

namespace {

const std::string kTool = std::string("/usr/bin/python3 ") + POSTERN_SOURCE_DIR "/tests/unit/dkim/interop/dkimpy_tool.py";

InteropKeys& keys() {
  static InteropKeys k;
  return k;
}

}  // namespace

TEST(DkimInteropDkimpy, DkimpyIsAvailable) {
  CmdResult r = run_cmd("/usr/bin/python3 -c 'import dkim, nacl'");
  ASSERT_EQ(r.status, 0) << "python3-dkim (and python3-nacl) must be installed: " << r.out;
}

TEST(DkimInteropDkimpy, OurSignaturesVerifyWithDkimpy) { expect_tool_verifies_ours(keys(), kTool); }

TEST(DkimInteropDkimpy, DkimpySignaturesVerifyWithOurs) {
  TempDir d;
  write_file(d.file("rsa.pem"), pkcs1_pem(keys().rsa.get()));
  write_file(d.file("ed.key"), ed25519_seed_b64(keys().ed.get()));
  expect_ours_verifies_tool(keys(), kTool, d, d.file("rsa.pem"), d.file("ed.key"),
                            [](std::string& m) { m.replace(m.find("From:"), 5, "From: x"); });
}

TEST(DkimInteropDkimpy, SimpleCanonicalizationAndLengthTag) {
  // dkimpy signs with simple/simple, relaxed/simple and with l=; ours verifies.
  TempDir d;
  write_file(d.file("rsa.pem"), pkcs1_pem(keys().rsa.get()));
  write_file(d.file("ed.key"), ed25519_seed_b64(keys().ed.get()));
  test::FakeResolver resolver;
  keys().publish(resolver);
  const std::string msg = test::kSampleMessage;
  write_file(d.file("in.eml"), msg);
  struct Variant {
    std::string alg, canon, extra;
  } variants[] = {{"rsa", "simple/simple", ""},
                  {"ed25519", "simple/simple", ""},
                  {"rsa", "relaxed/simple", ""},
                  {"ed25519", "relaxed/relaxed", "length"},
                  {"rsa", "simple/simple", "length"}};
  for (const auto& v : variants) {
    std::string out = d.file("out.eml");
    std::filesystem::remove(out);
    std::string sel = v.alg == "rsa" ? "rsa2026" : "ed2026";
    std::string key = v.alg == "rsa" ? d.file("rsa.pem") : d.file("ed.key");
    CmdResult r = run_cmd(kTool + " sign " + d.file("in.eml") + " " + out + " example.org " + sel + " " + v.alg +
                          " " + key + " " + v.canon + " " + v.extra);
    ASSERT_EQ(r.status, 0) << r.out;
    std::string signed_msg = test::read_file(out);
    std::string what = v.alg + " " + v.canon + " " + v.extra;
    ASSERT_NE(signed_msg.find("c=" + v.canon), std::string::npos) << what;
    auto res = test::verify_sync(resolver, signed_msg);
    ASSERT_EQ(res.size(), 1u);
    EXPECT_EQ(res[0].result, Result::pass) << what << ": " << res[0].reason << "\n" << signed_msg;
    // simple body: one extra space inside a line breaks it; relaxed: it does not.
    std::string spaced = signed_msg;
    spaced.replace(spaced.find("Hello Bob,"), 10, "Hello  Bob,");
    res = test::verify_sync(resolver, spaced);
    bool relaxed_body = v.canon.substr(v.canon.find('/') + 1) == "relaxed";
    EXPECT_EQ(res[0].result, relaxed_body ? Result::pass : Result::fail) << what;
    if (v.extra == "length") {
      EXPECT_TRUE(res[0].length.has_value());
      // Text appended after the signed length is not covered (l=, RFC 6376 3.5).
      res = test::verify_sync(resolver, signed_msg + "appended footer\r\n");
      EXPECT_EQ(res[0].result, Result::pass) << what << ": " << res[0].reason;
    }
  }
}
