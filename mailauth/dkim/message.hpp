// A message as DKIM sees it: the header fields (raw, in order) and the body.
// Trust boundary: the bytes come from the network (port 25) or from a local
// user (submission, sendmail); everything is bounded and malformed input is a
// MessageError, never a crash.
// RFC 6376 section 5.3 (line endings are CRLF before signing/verifying),
// RFC 5322 section 2.2 (header fields, folding).
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace postern::dkim {

class MessageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MessageLimits {
  size_t max_header_bytes = 1024 * 1024;  // whole header section
  size_t max_fields = 1000;
};

struct HeaderField {
  std::string_view name;  // as written, without trailing WSP before the colon
  std::string_view raw;   // the whole field: name, colon, value, folding, final CRLF
  // The value: everything after the colon, without the final CRLF.
  std::string_view value() const;
};

// A parsed message. Bare LF line endings are converted to CRLF (RFC 6376 5.3),
// in which case the message keeps its own normalized copy; views stay valid
// across moves.
class Message {
 public:
  // Throws MessageError("...") on a malformed header section.
  static Message parse(std::string_view text, const MessageLimits& limits = {});

  const std::vector<HeaderField>& headers() const { return headers_; }
  std::string_view body() const { return body_; }
  // Number of fields named `name` (case-insensitive).
  size_t count(std::string_view name) const;
  // The first field named `name`, or nullptr.
  const HeaderField* find(std::string_view name) const;

 private:
  std::unique_ptr<std::string> normalized_;
  std::vector<HeaderField> headers_;
  std::string_view body_;
};

// True when `name` is a valid RFC 5322 field name (printable ASCII, no colon).
bool valid_field_name(std::string_view name);

}  // namespace postern::dkim
