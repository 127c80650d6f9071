// DKIM benchmark: signatures and verifications per second for a 10 KB
// message with rsa-2048 and ed25519-sha256 (RFC 6376, RFC 8463), one result
// per line, e.g. "dkim sign rsa-2048: 1234/s". Verification includes message
// parsing, canonicalization, both hashes and the public-key operation; DNS is
// an in-memory answer so only our code is measured. Rates are per second of
// process CPU time, so that a busy shared machine does not skew them.
// Usage: dkim_bench [--seconds S] [--iterations N]
#include "common/dns/resolver.hpp"
#include "mailauth/dkim/keygen.hpp"
#include "mailauth/dkim/signer.hpp"
#include "mailauth/dkim/verifier.hpp"

#include <asio.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <string>

using namespace postern::dkim;

namespace {

class MemResolver : public postern::dns::Resolver {
 public:
  std::map<std::string, std::string> records;
  asio::awaitable<postern::dns::Answer> query(std::string name, postern::dns::RType) override {
    postern::dns::Answer a;
    auto it = records.find(name);
    if (it == records.end()) {
      a.status = postern::dns::Status::nxdomain;
    } else {
      a.status = postern::dns::Status::ok;
      a.txt.push_back(it->second);
    }
    co_return a;
  }
};

std::string ten_kb_message() {
  std::string m =
      "From: Alice Example <alice@example.org>\r\n"
      "To: Bob <bob@example.net>\r\n"
      "Subject: Quarterly report\r\n"
      "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
      "Message-ID: <bench@example.org>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "\r\n";
  const std::string line = "The quick brown fox jumps over the lazy dog,  again\tand again. 0123456789\r\n";
  while (m.size() < 10 * 1024) m += line;
  return m;
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Runs f repeatedly: `iterations` times if given, else for `seconds`.
template <typename F>
double per_second(F&& f, double seconds, long iterations) {
  long n = 0;
  double start = cpu_seconds();
  auto elapsed = [&] { return cpu_seconds() - start; };
  if (iterations > 0) {
    for (; n < iterations; ++n) f();
  } else {
    while (elapsed() < seconds) {
      for (int i = 0; i < 10; ++i) f();
      n += 10;
    }
  }
  double t = elapsed();
  return t > 0 ? n / t : 0;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2.0;
  long iterations = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::atof(argv[i + 1]);
    else if (std::strcmp(argv[i], "--iterations") == 0) iterations = std::atol(argv[i + 1]);
  }
  const std::string msg = ten_kb_message();
  MemResolver resolver;
  struct Case {
    const char* label;
    Algorithm alg;
    KeyType type;
  } cases[] = {{"rsa-2048", Algorithm::rsa_sha256, KeyType::rsa},
               {"ed25519", Algorithm::ed25519_sha256, KeyType::ed25519}};
  int failures = 0;
  for (const auto& c : cases) {
    Pkey key = generate_key(c.type, 2048);
    resolver.records[std::string(c.label) + "._domainkey.example.org"] = key_record_text(key.get());
    SigningKey sk;
    sk.domain = "example.org";
    sk.selector = c.label;
    sk.algorithm = c.alg;
    sk.key = std::move(key);
    std::vector<SigningKey> keys;
    keys.push_back(std::move(sk));
    Signer signer(std::move(keys));

    double sign_rate = per_second([&] { (void)signer.sign(msg); }, seconds, iterations);
    std::printf("dkim sign %s: %.0f/s\n", c.label, sign_rate);
    std::fflush(stdout);

    const std::string signed_msg = signer.signature_block(msg) + msg;
    asio::io_context io;
    double verify_rate = per_second(
        [&] {
          asio::co_spawn(io, verify(resolver, signed_msg), [&](std::exception_ptr e, std::vector<SignatureResult> r) {
            if (e || r.size() != 1 || r[0].result != Result::pass) ++failures;
          });
          io.restart();
          io.run();
        },
        seconds, iterations);
    std::printf("dkim verify %s: %.0f/s\n", c.label, verify_rate);
    std::fflush(stdout);
  }
  if (failures) std::fprintf(stderr, "%d verifications did not pass\n", failures);
  return failures ? 1 : 0;
}
