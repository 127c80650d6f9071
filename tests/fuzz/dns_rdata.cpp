// Fuzz target: DNS rdata decoding (common/dns/wire.hpp) on arbitrary bytes,
// for every record type we parse. Must never crash or read out of bounds.
#include "common/dns/wire.hpp"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace postern::dns;
  wire::Bytes b(data, size);
  Answer a;
  for (RType t : {RType::A, RType::AAAA, RType::TXT, RType::MX, RType::PTR, RType::NS, RType::CNAME, RType::TLSA})
    (void)wire::add_rdata(a, t, b);
  return 0;
}
