// SMTP replies as values: a three-digit code, an enhanced status code
// (RFC 3463, announced with ENHANCEDSTATUSCODES, RFC 2034) and one or more
// text lines, rendered as a (multi-line) reply per RFC 5321 section 4.2.
// Trust boundary: none; reply text is built by us (never echoes raw client
// bytes that could contain CR or LF: to_wire() strips them defensively).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postern::smtp {

struct Reply {
  int code = 250;
  std::string status;               // "2.0.0"; empty where RFC 2034 forbids it (220 greeting, EHLO, 3xx)
  std::vector<std::string> lines;   // at least one

  Reply() = default;
  Reply(int c, std::string st, std::string text) : code(c), status(std::move(st)), lines{std::move(text)} {}

  // "250-first\r\n250 last\r\n" (RFC 5321 4.2.1); the status code prefaces every line (RFC 2034 section 4).
  std::string to_wire() const;
  // The last line without CRLF (for logs and tests).
  std::string text() const;
  bool positive() const { return code >= 200 && code < 400; }
  bool is_permanent_error() const { return code >= 500; }
  bool is_temp_error() const { return code >= 400 && code < 500; }
};

}  // namespace postern::smtp
