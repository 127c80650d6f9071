// Shared scaffolding for the cross-checks with independent DKIM
// implementations (dkimpy, npm mailauth): temp dirs, key files in the formats
// each tool reads, running a helper script, and the messages exercised.
#pragma once

#include "../dkim_test_support.hpp"

#include "common/util/strings.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace postern::dkim::interop {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/dkim-interop-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return path + "/" + name; }
};

inline void write_file(const std::string& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

struct CmdResult {
  int status = -1;
  std::string out;
};

inline CmdResult run_cmd(const std::string& cmd) {
  CmdResult r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// PKCS#1 "RSA PRIVATE KEY" PEM (what dkimpy reads).
inline std::string pkcs1_pem(const EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey_traditional(bio.get(), const_cast<EVP_PKEY*>(key), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

// Base64 of the raw Ed25519 seed (what dkimpy reads).
inline std::string ed25519_seed_b64(const EVP_PKEY* key) {
  unsigned char raw[32];
  size_t len = sizeof raw;
  EVP_PKEY_get_raw_private_key(key, raw, &len);
  return util::base64_encode(std::string_view(reinterpret_cast<char*>(raw), len)) + "\n";
}

inline std::string dns_json(const std::map<std::string, std::string>& records) {
  std::string s = "{";
  for (const auto& [name, txt] : records) {
    if (s.size() > 1) s += ",";
    s += "\"" + name + "\": \"" + txt + "\"";
  }
  return s + "}";
}

struct InteropKeys {
  Pkey rsa = generate_key(KeyType::rsa, 2048);
  Pkey ed = generate_key(KeyType::ed25519);
  std::map<std::string, std::string> records() const {
    return {{"rsa2026._domainkey.example.org", key_record_text(rsa.get())},
            {"ed2026._domainkey.example.org", key_record_text(ed.get())}};
  }
  Signer signer() const {
    std::vector<SigningKey> v;
    EVP_PKEY_up_ref(rsa.get());
    EVP_PKEY_up_ref(ed.get());
    v.push_back(test::signing_key("example.org", "rsa2026", Algorithm::rsa_sha256, Pkey(rsa.get())));
    v.push_back(test::signing_key("example.org", "ed2026", Algorithm::ed25519_sha256, Pkey(ed.get())));
    return Signer(std::move(v));
  }
  void publish(test::FakeResolver& r) const {
    for (const auto& [name, txt] : records()) r.add_txt(name, txt);
  }
};

// Messages that exercise canonicalization: folding, odd whitespace, trailing
// empty lines, repeated fields, 8-bit text, no body.
inline std::vector<std::string> interop_messages() {
  return {
      test::kSampleMessage,
      "From: alice@example.org\r\n"
      "To: a@example.net,\r\n"
      "\tb@example.net\r\n"
      "To: c@example.net\r\n"
      "Subject:   Spaces\t\tand tabs   \r\n"
      "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
      "Message-ID: <x@example.org>\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: 8bit\r\n"
      "\r\n"
      "Gr\xc3\xbc\xc3\x9f\x65  aus\t\tK\xc3\xb6ln \r\n"
      "   \r\n"
      "..leading dots\r\n"
      "\r\n"
      "\r\n",
      "From: Alice <alice@example.org>\r\n"
      "Subject: no body\r\n"
      "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
      "\r\n",
  };
}


// Both directions of a cross-check, shared by every independent tool. `tool`
// is the command of a helper script with "verify MSG DNS_JSON" and
// "sign IN OUT DOMAIN SELECTOR rsa|ed25519 KEYFILE" sub-commands.

// Messages we sign (rsa + ed25519) verify with the tool, and fail with it once
// a signed header is altered.
inline void expect_tool_verifies_ours(InteropKeys& keys, const std::string& tool) {
  TempDir d;
  write_file(d.file("dns.json"), dns_json(keys.records()));
  int i = 0;
  for (const auto& msg : interop_messages()) {
    std::string path = d.file("ours" + std::to_string(i++) + ".eml");
    std::string signed_msg = keys.signer().signature_block(msg) + msg;
    write_file(path, signed_msg);
    CmdResult r = run_cmd(tool + " verify " + path + " " + d.file("dns.json"));
    EXPECT_EQ(r.status, 0) << r.out << "\n--- message:\n" << signed_msg;
    EXPECT_NE(r.out.find("pass d=example.org a=rsa-sha256"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("pass d=example.org a=ed25519-sha256"), std::string::npos) << r.out;

    // Altered after signing: the tool must fail it.
    std::string altered = signed_msg;
    altered.replace(altered.find("Date: Mon"), 9, "Date: Tue");
    write_file(path, altered);
    r = run_cmd(tool + " verify " + path + " " + d.file("dns.json"));
    EXPECT_NE(r.status, 0) << r.out;
  }
}

// Messages the tool signs with each algorithm (keys in the files the caller
// wrote) verify with ours, and fail with ours once `alter` changed them.
template <class Alter>
void expect_ours_verifies_tool(InteropKeys& keys, const std::string& tool, const TempDir& d,
                               const std::string& rsa_key, const std::string& ed_key, Alter alter) {
  test::FakeResolver resolver;
  keys.publish(resolver);
  int i = 0;
  for (const auto& msg : interop_messages()) {
    std::string in = d.file("in" + std::to_string(i) + ".eml");
    write_file(in, msg);
    for (std::string alg : {"rsa", "ed25519"}) {
      std::string out = d.file("signed" + std::to_string(i) + alg + ".eml");
      std::string sel = alg == "rsa" ? "rsa2026" : "ed2026";
      std::string key = alg == "rsa" ? rsa_key : ed_key;
      CmdResult r = run_cmd(tool + " sign " + in + " " + out + " example.org " + sel + " " + alg + " " + key);
      ASSERT_EQ(r.status, 0) << r.out;
      std::string signed_msg = test::read_file(out);
      auto res = test::verify_sync(resolver, signed_msg);
      ASSERT_EQ(res.size(), 1u) << signed_msg;
      EXPECT_EQ(res[0].result, Result::pass) << alg << ": " << res[0].reason << "\n" << signed_msg;
      EXPECT_EQ(res[0].algorithm, alg + "-sha256");

      std::string altered = signed_msg;
      alter(altered);
      res = test::verify_sync(resolver, altered);
      EXPECT_EQ(res[0].result, Result::fail);
    }
    ++i;
  }
}

}  // namespace postern::dkim::interop
