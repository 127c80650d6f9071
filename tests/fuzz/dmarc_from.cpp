// Fuzz target: RFC5322.From extraction (RFC 5322 3.4, RFC 7489 6.6.1) over
// a whole header block. Invariants: no crash or hang; an ok result has one
// lowercase A-label domain.
#include "mailauth/dmarc/from.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  using namespace postern::dmarc;
  FromIdentity id = extract_from(in);
  if (id.status == FromStatus::ok) {
    if (id.domain.empty() || id.domains.size() != 1) std::abort();
    for (char c : id.domain)
      if ((c >= 'A' && c <= 'Z') || static_cast<unsigned char>(c) >= 0x80) std::abort();
  }
  return 0;
}
