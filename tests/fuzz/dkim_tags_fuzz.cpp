// Fuzz target: DKIM tag-list, DKIM-Signature and key record parsing
// (RFC 6376 3.2, 3.5, 3.6.1) on arbitrary bytes.
#include "mailauth/dkim/key_record.hpp"
#include "mailauth/dkim/signature.hpp"
#include "mailauth/dkim/tags.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  postern::dkim::TagList tl;
  if (postern::dkim::parse_tag_list(in, tl).empty()) {
    for (const auto& t : tl.tags)
      if (t.value_begin > t.value_end || t.value_end > in.size()) std::abort();
  }
  postern::dkim::Signature sig;
  if (postern::dkim::parse_signature(in, sig).empty()) {
    if (sig.b_begin > sig.b_end || sig.b_end > in.size()) std::abort();
    if (sig.headers.empty()) std::abort();
  }
  postern::dkim::KeyRecord rec;
  if (postern::dkim::parse_key_record(in, rec).empty() && !rec.revoked) {
    std::string err;
    postern::dkim::decode_public_key(rec.type, rec.public_key, err);
  }
  return 0;
}
