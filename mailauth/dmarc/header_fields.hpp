// Splits an RFC 5322 header block into fields (section 2.2, 3.6; obsolete
// "name WSP :" of section 4.5 accepted), keeping each field's raw bytes so a
// caller can drop some fields and reproduce the rest byte for byte.
// Trust boundary: the header block is untrusted message data. Bare LF is
// accepted as a line end. Field count is bounded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postern::dmarc {

struct HeaderField {
  std::string_view name;   // "" for a line that is not a field (kept in raw)
  std::string_view value;  // after ':' up to (not including) the final line end, folding kept
  std::string_view raw;    // the whole field including its final line end
};

struct HeaderBlock {
  std::vector<HeaderField> fields;
  std::string_view rest;   // from the empty line ending the header (inclusive) to the end
  bool truncated = false;  // more than max_fields fields: the rest is in `rest`
};

// `max_fields` bounds the work on hostile input; fields beyond it are left in rest.
HeaderBlock split_header_fields(std::string_view block, size_t max_fields = 10000);

// Streaming form: reads the field starting at `pos` into `f` and returns the
// position after it; returns `pos` itself when `pos` is at the empty line
// ending the header or at the end of `block` (no field).
size_t next_header_field(std::string_view block, size_t pos, HeaderField& f);

// Removes folding (CRLF or LF followed by WSP) from a field value.
std::string unfold(std::string_view value);

bool iequals_ascii(std::string_view a, std::string_view b);

}  // namespace postern::dmarc
