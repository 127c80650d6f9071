// Helpers for the DKIM tests: a tiny in-memory Resolver, running a coroutine
// to completion, generating keys and building records.
#pragma once

#include "common/dns/resolver.hpp"
#include "mailauth/dkim/crypto.hpp"
#include "mailauth/dkim/keygen.hpp"
#include "mailauth/dkim/signer.hpp"
#include "mailauth/dkim/verifier.hpp"

#include <asio.hpp>
#include <openssl/evp.h>

#include <exception>
#include <fstream>
#include <map>
#include <ostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>
#include "tests/support/run_awaitable.hpp"

namespace postern::dkim {
// GoogleTest prints results by name.
inline void PrintTo(Result r, std::ostream* os) { *os << to_string(r); }
}  // namespace postern::dkim

namespace postern::dkim::test {

// Name -> answer; unknown names are NXDOMAIN. Records every query.
class FakeResolver : public dns::Resolver {
 public:
  void add_txt(const std::string& name, std::string text) {
    auto& a = answers_[name];
    a.status = dns::Status::ok;
    a.txt.push_back(std::move(text));
  }
  void set(const std::string& name, dns::Answer a) { answers_[name] = std::move(a); }
  void set_status(const std::string& name, dns::Status s) {
    dns::Answer a;
    a.status = s;
    a.error = "test";
    answers_[name] = a;
  }
  asio::awaitable<dns::Answer> query(std::string name, dns::RType type) override {
    queries.push_back(name);
    if (type != dns::RType::TXT) co_return dns::Answer{.status = dns::Status::nodata};
    auto it = answers_.find(name);
    if (it == answers_.end()) co_return dns::Answer{.status = dns::Status::nxdomain};
    co_return it->second;
  }
  std::vector<std::string> queries;

 private:
  std::map<std::string, dns::Answer> answers_;
};

using postern::test::run;

inline std::vector<SignatureResult> verify_sync(dns::Resolver& r, std::string_view msg, VerifyOptions o = {}) {
  return run(verify(r, msg, o));
}

// RSA of any size (also below 1024, which generate_key refuses).
inline Pkey rsa_key(int bits) {
  return Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)));
}

inline SigningKey signing_key(std::string domain, std::string selector, Algorithm a, Pkey key) {
  SigningKey k;
  k.domain = std::move(domain);
  k.selector = std::move(selector);
  k.algorithm = a;
  k.key = std::move(key);
  return k;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline const char* kSampleMessage =
    "From: Alice Example <alice@example.org>\r\n"
    "To: Bob <bob@example.net>\r\n"
    "Subject: Lunch on\r\n"
    "  Friday?\r\n"
    "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
    "Message-ID: <1234@example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Hello Bob,\r\n"
    "\r\n"
    "shall we  have lunch\t on Friday?  \r\n"
    "\r\n"
    "Alice\r\n"
    "\r\n\r\n";

}  // namespace postern::dkim::test
