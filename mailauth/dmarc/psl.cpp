// Organizational-domain lookup on libpsl (RFC 7489 section 3.2).
// Trust boundary: input domains are untrusted; they are bounded to 253
// octets (255 with slack for UTF-8 expansion is not needed: A-labels are
// what DNS sees) and rejected when empty-labelled before reaching libpsl.
#include "mailauth/dmarc/psl.hpp"

#include <libpsl.h>

#include <cstdlib>
#include <cstring>

namespace postern::dmarc {

namespace {
constexpr size_t kMaxDomain = 1024;  // generous for UTF-8 input; DNS limits apply later

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}
}  // namespace

std::string utf8_lower(std::string_view s) {
  std::string in(s);
  bool ascii = true;
  for (unsigned char c : in)
    if (c >= 0x80) ascii = false;
  if (ascii || in.find('\0') != std::string::npos) return ascii_lower(in);
  char* lower = nullptr;
  if (psl_str_to_utf8lower(in.c_str(), "utf-8", nullptr, &lower) == PSL_SUCCESS && lower) {
    std::string out(lower);
    psl_free_string(lower);
    return out;
  }
  return ascii_lower(in);
}

PublicSuffixList::PublicSuffixList(const std::string& path) {
  if (!path.empty()) owned_ = psl_load_file(path.c_str());
  ctx_ = owned_ ? owned_ : psl_builtin();
}

PublicSuffixList::~PublicSuffixList() {
  if (owned_) psl_free(owned_);
}

const PublicSuffixList& PublicSuffixList::shared() {
  static const PublicSuffixList list;
  return list;
}

std::optional<std::string> PublicSuffixList::registrable_domain(std::string_view domain) const {
  if (domain.empty() || domain.size() > kMaxDomain || !ctx_) return std::nullopt;
  if (domain.find('\0') != std::string_view::npos) return std::nullopt;
  std::string d = utf8_lower(domain);
  if (!d.empty() && d.back() == '.') d.pop_back();  // absolute form
  // A leading dot or an empty label is not a domain name.
  if (d.empty() || d.front() == '.' || d.find("..") != std::string::npos) return std::nullopt;
  const char* r = psl_registrable_domain(ctx_, d.c_str());
  if (!r) return std::nullopt;
  return std::string(r);
}

std::string PublicSuffixList::organizational_domain(std::string_view domain) const {
  if (auto r = registrable_domain(domain)) return *r;
  std::string d = utf8_lower(domain);
  if (!d.empty() && d.back() == '.') d.pop_back();
  return d;
}

}  // namespace postern::dmarc
