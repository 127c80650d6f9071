// Fuzz target: a stored message as FETCH sees it -- MIME structure
// (common/mime/message.hpp), ENVELOPE and BODYSTRUCTURE (envelope.hpp), and
// part lookup for BODY[section] -- on arbitrary message bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/mime/envelope.hpp"
#include "common/mime/message.hpp"

using namespace postern::mime;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view msg(reinterpret_cast<const char*>(data), size);
  Part root = parse_message(msg);
  (void)imap_envelope(root.header);
  (void)imap_bodystructure(root, true);
  (void)imap_bodystructure(root, false);
  for (uint32_t a = 1; a <= 3; ++a)
    for (uint32_t b = 1; b <= 3; ++b)
      if (const Part* p = find_part(root, {a, b})) (void)p->body.size();
  return 0;
}
