// The Authentication-Results header field (RFC 8601): the data model, a
// strict-enough parser (section 2.2 grammar, CFWS and comments anywhere the
// grammar allows them) and the builder with folding (RFC 5322 2.2.3).
// Trust boundary: parse() reads untrusted header values, bounded (64 KiB,
// 64 result entries, 32 properties each; comments are scanned iteratively) and never
// throws; build() escapes every value it is given.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::authres {

struct Property {
  std::string ptype;     // "smtp", "header", "body", "policy"
  std::string property;  // "mailfrom", "d", "from", ...
  std::string value;
};

struct MethodResult {
  std::string method;   // "spf", "dkim", "dmarc", ... (RFC 8601 2.7 registry)
  std::string version;  // method version, rarely used ("" = none)
  std::string result;   // "pass", "fail", ...
  std::string comment;  // free text written as an RFC 5322 comment after the result
  std::string reason;   // reason= value ("" = none)
  std::vector<Property> props;
};

struct Header {
  std::string authserv_id;
  std::optional<unsigned> version;  // authres-version, if given
  bool none = false;                // "; none": no results
  std::vector<MethodResult> results;
};

// Parses the value of one field (after "Authentication-Results:", folding
// allowed). nullopt with `error` set when it does not follow the grammar.
std::optional<Header> parse(std::string_view value, std::string* error = nullptr);

// Only the authserv-id: [CFWS] value (token or quoted-string, RFC 2045
// 5.1), unquoted. Tolerates anything after it, so a header whose results
// are malformed is still recognised by its authserv-id.
std::optional<std::string> parse_authserv_id(std::string_view value);

// The whole field "Authentication-Results: <id>; m=r ...\r\n", one result
// per line, folded so lines stay within 78 octets where the values allow.
std::string build(std::string_view authserv_id, const std::vector<MethodResult>& results);

}  // namespace postern::authres
