// SPF macro expansion (RFC 7208 section 7): %{letter transformers delimiters},
// %%, %_ and %-, for domain-specs and for explanation strings.
// Trust boundary: the macro-strings come from DNS (untrusted), the values from
// the SMTP session (the local-part and HELO are chosen by the client). Every
// expansion is bounded; a syntax error is reported, never guessed around.
// Pure code, no I/O: the caller resolves %{p} beforehand.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::spf {

struct MacroValues {
  std::string sender;         // s: <sender>, local-part@domain
  std::string local_part;     // l
  std::string sender_domain;  // o
  std::string domain;         // d: the current <domain>
  std::string ip_dotted;      // i: dotted quad, or 32 dot-separated nibbles for IPv6
  std::string ip_readable;    // c: (exp only) the client address as text
  std::string ip_version;     // v: "in-addr" or "ip6"
  std::string helo;           // h
  std::string validated;      // p: the validated domain name, or "unknown"
  std::string receiver;       // r: (exp only) our host name, or "unknown"
  std::string timestamp;      // t: (exp only) seconds since the epoch
};

enum class MacroContext {
  domain,       // a domain-spec or modifier in a record: c, r, t forbidden
  explanation,  // the TXT string fetched for exp= (section 6.2): all letters
};

// Section 7.1 syntax of a macro-string; in explanation context spaces are
// literal text too (the string is a whole TXT record).
bool valid_macro_string(std::string_view s, MacroContext ctx);
// True when s refers to %{p} (so the caller must compute it first, 7.3).
bool uses_p_macro(std::string_view s);
// Expands s; nullopt on any syntax error. The result is bounded (64 KiB).
std::optional<std::string> expand_macros(std::string_view s, const MacroValues& v, MacroContext ctx);
// Section 7.3 / 4.8: a trailing dot is removed and, if the name exceeds 253
// characters, labels are removed from the left until it fits.
std::string finish_domain(std::string name);

}  // namespace postern::spf
