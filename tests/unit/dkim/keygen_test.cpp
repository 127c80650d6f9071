// Key generation, the published record, and `postern dkim keygen` end to end.
#include "dkim_test_support.hpp"

#include "mailauth/dkim/key_record.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <regex>

using namespace postern::dkim;
using namespace postern::dkim::test;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/dkim-keygen-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

struct CmdResult {
  int status = -1;
  std::string out;
};

// Runs a command line (stdout captured; stderr to a file next to it).
CmdResult run_cmd(const std::string& cmd) {
  CmdResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// Joins the quoted strings of a zone-file TXT line; checks each is <= 255.
std::string join_txt(const std::string& line) {
  std::string out;
  std::regex q("\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(line.begin(), line.end(), q); it != std::sregex_iterator(); ++it) {
    EXPECT_LE((*it)[1].length(), 255);
    out += (*it)[1].str();
  }
  return out;
}

}  // namespace

TEST(DkimKeygen, SplitTxtAt255) {
  std::string s(600, 'a');
  auto parts = split_txt(s);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].size(), 255u);
  EXPECT_EQ(parts[2].size(), 90u);
  EXPECT_EQ(split_txt("short").size(), 1u);
  EXPECT_EQ(zone_record("example.org", "s1", "v=DKIM1; k=ed25519; p=abc"),
            "s1._domainkey.example.org. IN TXT ( \"v=DKIM1; k=ed25519; p=abc\" )");
}

TEST(DkimKeygen, RecordsRoundTrip) {
  for (KeyType t : {KeyType::rsa, KeyType::ed25519}) {
    Pkey k = generate_key(t, 2048);
    std::string rec = key_record_text(k.get());
    KeyRecord kr;
    ASSERT_EQ(parse_key_record(rec, kr), "");
    EXPECT_EQ(kr.type, t);
    std::string err;
    Pkey pub = decode_public_key(kr.type, kr.public_key, err);
    ASSERT_TRUE(pub) << err;
    std::string sig = sign_data(k.get(), t == KeyType::rsa ? Algorithm::rsa_sha256 : Algorithm::ed25519_sha256, "x");
    EXPECT_TRUE(verify_data(pub.get(), t == KeyType::rsa ? Algorithm::rsa_sha256 : Algorithm::ed25519_sha256, "x", sig));
    // The PEM reloads to the same key.
    Pkey again = load_private_key_pem(private_key_pem(k.get()), "mem");
    EXPECT_EQ(key_record_text(again.get()), rec);
  }
  EXPECT_THROW(generate_key(KeyType::rsa, 512), std::invalid_argument);
}

TEST(DkimKeygen, WritesMode0600AndNeverOverwrites) {
  TempDir d;
  std::string p = d.path + "/k.pem";
  ::umask(022);
  write_private_key_file(p, "secret");
  struct stat st {};
  ASSERT_EQ(::stat(p.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  try {
    write_private_key_file(p, "other");
    FAIL() << "overwrote";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(p), std::string::npos);
  }
  EXPECT_EQ(read_file(p), "secret");
}

TEST(DkimKeygen, CommandWritesKeyAndPrintsRecord) {
  TempDir d;
  for (std::string type : {"rsa", "ed25519"}) {
    std::string key = d.path + "/" + type + ".pem";
    CmdResult r = run_cmd(std::string(DKIM_CLI) + " dkim keygen --domain Example.ORG --selector s2026 --type " + type +
                    " --out " + key + " 2>" + d.path + "/err.txt");
    ASSERT_EQ(r.status, 0) << read_file(d.path + "/err.txt");
    struct stat st {};
    ASSERT_EQ(::stat(key.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    // stdout is exactly the zone-file line.
    EXPECT_EQ(r.out.rfind("s2026._domainkey.example.org. IN TXT ( \"v=DKIM1; k=" + type + "; p=", 0), 0u) << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1);
    std::string txt = join_txt(r.out);
    Pkey k = load_private_key_file(key);
    EXPECT_EQ(txt, key_record_text(k.get()));
    if (type == "rsa") {
      EXPECT_NE(r.out.find("\" \""), std::string::npos);  // 2048-bit key needs two strings
    }
    // The stderr names the config entry to add.
    EXPECT_NE(read_file(d.path + "/err.txt").find("key_file = \"" + key + "\""), std::string::npos);
    // `dkim record` prints the same record for the existing key.
    CmdResult rec = run_cmd(std::string(DKIM_CLI) + " dkim record --domain example.org --selector s2026 --key " + key);
    EXPECT_EQ(rec.status, 0);
    EXPECT_EQ(rec.out, r.out);
    // A second run refuses to overwrite.
    CmdResult again = run_cmd(std::string(DKIM_CLI) + " dkim keygen --domain example.org --selector s2026 --type " + type +
                        " --out " + key + " 2>/dev/null");
    EXPECT_NE(again.status, 0);
    EXPECT_EQ(load_private_key_file(key) != nullptr, true);
    EXPECT_EQ(key_record_text(load_private_key_file(key).get()), txt);
  }
  // Bad arguments.
  EXPECT_NE(run_cmd(std::string(DKIM_CLI) + " dkim keygen --domain 'bad domain' --selector s --out " + d.path +
                    "/x.pem 2>/dev/null").status, 0);
  EXPECT_NE(run_cmd(std::string(DKIM_CLI) + " dkim keygen --domain a.org --selector s --bits 512 --out " + d.path +
                    "/y.pem 2>/dev/null").status, 0);
  EXPECT_FALSE(std::filesystem::exists(d.path + "/x.pem"));
}
