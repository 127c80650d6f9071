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

}  // namespace postern::dkim::interop
