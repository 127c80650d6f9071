// Fuzz target: DMARC record parser (RFC 7489 6.3/6.4). Invariants: no
// crash or hang; an accepted record has pct in 0..100 and starts v=DMARC1.
#include "mailauth/dmarc/record.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  using namespace postern::dmarc;
  ParseResult r = parse_record(in);
  if (r.status == ParseStatus::ok) {
    if (r.record.pct < 0 || r.record.pct > 100) std::abort();
    if (!is_dmarc_record(in)) std::abort();
  }
  return 0;
}
