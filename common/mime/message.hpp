// A message's MIME structure (RFC 5322 header fields, RFC 2045/2046 multipart
// and message/rfc822) located as byte ranges over the stored message, for
// IMAP's BODY[section] (RFC 9051 section 6.4.5) and, later, BODYSTRUCTURE.
// Trust boundary: the message is untrusted bytes; parsing never fails (a
// malformed message is treated as text/plain), nesting depth and part count
// are bounded, and nothing is copied except small header values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postern::mime {

struct HeaderField {
  std::string_view name;  // as written
  std::string_view raw;   // the whole field including continuation lines and its CRLF
  std::string_view value; // after "name:", unfolded lines still inside (raw)
};

// Splits a header block into fields (bounded to max_fields).
std::vector<HeaderField> parse_header(std::string_view header, size_t max_fields = 2000);
// The first field's value with that name (case-insensitive), unfolded and trimmed.
std::optional<std::string> header_value(std::string_view header, std::string_view name);

// Splits an entity into its header (including the blank line that ends it)
// and body. No blank line: all header, empty body.
std::pair<std::string_view, std::string_view> split_entity(std::string_view entity);

struct ContentType {
  std::string type = "text";     // lowercase
  std::string subtype = "plain"; // lowercase
  std::vector<std::pair<std::string, std::string>> params;  // names lowercase
  std::string param(std::string_view name) const;
};
// Parses a Content-Type value (RFC 2045 section 5.1); defaults on error.
ContentType parse_content_type(std::string_view value, bool in_digest = false);

struct Part {
  std::string_view header;  // MIME header of this entity
  std::string_view body;
  ContentType content_type;
  // multipart/*: the body parts; message/rfc822: exactly one, the encapsulated message.
  std::vector<Part> children;
  bool is_multipart() const { return content_type.type == "multipart"; }
  bool is_message() const { return content_type.type == "message" && content_type.subtype == "rfc822"; }
};

struct Limits {
  int max_depth = 32;
  size_t max_parts = 2000;
};

Part parse_message(std::string_view message, const Limits& limits = {});

// Resolves an IMAP part path ("1.2" -> {1,2}); nullptr if there is no such part.
const Part* find_part(const Part& root, const std::vector<uint32_t>& path);

}  // namespace postern::mime
