// Organizational domains (RFC 7489 section 3.2) through the public suffix
// list, on libpsl. Loads Debian's /usr/share/publicsuffix/public_suffix_list.dat
// when present (kept current by the `publicsuffix` package) and falls back to
// libpsl's built-in copy.
// Trust boundary: domains come from untrusted mail headers; inputs are
// length-checked and never crash libpsl.
#pragma once

#include <optional>
#include <string>
#include <string_view>

struct psl_ctx_st;

namespace postern::dmarc {

class PublicSuffixList {
 public:
  // Loads the file at `path`; if it cannot be read, uses libpsl's built-in list.
  explicit PublicSuffixList(const std::string& path = default_path());
  ~PublicSuffixList();
  PublicSuffixList(const PublicSuffixList&) = delete;
  PublicSuffixList& operator=(const PublicSuffixList&) = delete;

  static std::string default_path() { return "/usr/share/publicsuffix/public_suffix_list.dat"; }
  // The process-wide list, loaded once (thread-safe).
  static const PublicSuffixList& shared();

  // The registrable domain (public suffix + one label), lowercase, in the
  // form it was given (UTF-8 or A-labels); nullopt when `domain` is itself a
  // public suffix, empty, has a leading dot or an empty label, or is too long.
  // This is checkPublicSuffix() of the PSL project's test vectors.
  std::optional<std::string> registrable_domain(std::string_view domain) const;

  // RFC 7489 section 3.2 Organizational Domain: the registrable domain, or
  // the (lowercased) domain itself when it has none (a public suffix).
  std::string organizational_domain(std::string_view domain) const;

  bool from_file() const { return owned_ != nullptr; }

 private:
  psl_ctx_st* owned_ = nullptr;       // from psl_load_file, freed by us
  const psl_ctx_st* ctx_ = nullptr;   // owned_ or psl_builtin()
};

// Lowercases UTF-8 (full Unicode lowercase through libpsl when it can,
// ASCII otherwise).
std::string utf8_lower(std::string_view s);

}  // namespace postern::dmarc
