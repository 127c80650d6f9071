// Fuzz target: DKIM verification (and signing) of an arbitrary message, with
// an in-memory resolver answering every key query with a fixed key record.
// Exercises message splitting, canonicalization, tag parsing, header
// selection and the verifier's decisions (RFC 6376 3.4, 3.7, 5, 6).
#include "common/dns/resolver.hpp"
#include "mailauth/dkim/canon.hpp"
#include "mailauth/dkim/signer.hpp"
#include "mailauth/dkim/verifier.hpp"

#include <asio.hpp>

#include <cstdint>
#include <string_view>

namespace {

class KeyResolver : public postern::dns::Resolver {
 public:
  asio::awaitable<postern::dns::Answer> query(std::string name, postern::dns::RType) override {
    postern::dns::Answer a;
    a.status = postern::dns::Status::ok;
    if (name.rfind("bad", 0) == 0) a.status = postern::dns::Status::temperror;
    a.txt.push_back("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    co_return a;
  }
};

postern::dkim::Signer& signer() {
  static postern::dkim::Signer s = [] {
    std::vector<postern::dkim::SigningKey> v;
    postern::dkim::SigningKey k;
    k.domain = "example.org";
    k.selector = "fz";
    k.algorithm = postern::dkim::Algorithm::ed25519_sha256;
    k.key = postern::dkim::load_private_key_pem("nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=", "fuzz");
    v.push_back(std::move(k));
    return postern::dkim::Signer(std::move(v));
  }();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view msg(reinterpret_cast<const char*>(data), size);
  KeyResolver resolver;
  asio::io_context io;
  postern::dkim::VerifyOptions opts;
  opts.now = 1700000000;
  asio::co_spawn(io, postern::dkim::verify(resolver, msg, opts), [](std::exception_ptr e, auto) {
    if (e) std::rethrow_exception(e);  // the verifier must not throw
  });
  io.run();
  try {
    signer().sign(msg, "example.org", 1700000000);
  } catch (const postern::dkim::SignError&) {
  }
  postern::dkim::canon_body(postern::dkim::Canon::relaxed, msg);
  postern::dkim::canon_header(postern::dkim::Canon::relaxed, msg);
  return 0;
}
