// The DKIM tag=value list, shared by DKIM-Signature fields and key records.
// Trust boundary: untrusted text from a header field or a DNS TXT record.
// RFC 6376 section 3.2 (tag-list syntax; duplicate tags invalidate the list).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace postern::dkim {

struct Tag {
  std::string_view name;
  std::string_view value;  // without surrounding FWS; internal FWS kept
  size_t value_begin = 0;  // offsets into the parsed text: the whole stretch
  size_t value_end = 0;    // after '=' up to ';' or the end (with its FWS)
};

struct TagList {
  std::vector<Tag> tags;
  const Tag* find(std::string_view name) const;  // tag names are case-sensitive
};

constexpr size_t kMaxTags = 64;

// Parses strictly; returns "" on success or a reason.
std::string parse_tag_list(std::string_view text, TagList& out);

// The value with every FWS character (SP, HTAB, CR, LF) removed, e.g. for
// base64 tags (b=, bh=, p=).
std::string strip_fws(std::string_view v);

// Splits a colon-separated value (h=, q=, k= lists, t= flags), trimming FWS
// around each element. Empty elements are kept (callers reject them).
std::vector<std::string_view> split_colon_list(std::string_view v);

}  // namespace postern::dkim
