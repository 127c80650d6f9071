// SMTP path and address syntax: RFC 5321 section 4.1.2 (Path, Mailbox,
// Local-part, Domain), 4.1.3 (address literals), 4.5.3.1 (size limits),
// RFC 6531 section 3.3 (UTF-8 in local parts and domains).
// Trust boundary: every byte is untrusted network input.
#include "smtp/address.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "common/util/strings.hpp"

namespace postern::smtp {

namespace {
constexpr size_t kMaxLocal = 64;    // RFC 5321 4.5.3.1.1
constexpr size_t kMaxDomain = 255;  // RFC 5321 4.5.3.1.2
constexpr size_t kMaxPath = 256;    // RFC 5321 4.5.3.1.3

bool is_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_atext(unsigned char c) {
  return is_alpha(c) || is_digit(c) || std::strchr("!#$%&'*+-/=?^_`{|}~", c) != nullptr;
}
}  // namespace

size_t utf8_sequence(std::string_view s, size_t i) {
  auto b = [&](size_t k) -> unsigned { return static_cast<unsigned char>(s[k]); };
  if (i >= s.size()) return 0;
  unsigned c = b(i);
  size_t n;
  unsigned min;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  unsigned cp = c & (0xFF >> (n + 1));
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

bool valid_domain(std::string_view d, bool allow_utf8) {
  if (d.empty() || d.size() > kMaxDomain) return false;
  for (auto label : util::split(d, '.')) {
    if (label.empty() || label.size() > 63) return false;
    // Let-dig [Ldh-str]: letters/digits, inner hyphens (RFC 5321 4.1.2).
    if (label.front() == '-' || label.back() == '-') return false;
    for (size_t i = 0; i < label.size();) {
      unsigned char c = static_cast<unsigned char>(label[i]);
      if (c >= 0x80) {
        size_t n = allow_utf8 ? utf8_sequence(label, i) : 0;
        if (n == 0) return false;
        i += n;
        continue;
      }
      if (!is_alpha(c) && !is_digit(c) && c != '-') return false;
      ++i;
    }
  }
  return true;
}

bool valid_address_literal(std::string_view lit) {
  if (lit.size() < 3 || lit.front() != '[' || lit.back() != ']') return false;
  std::string inner(lit.substr(1, lit.size() - 2));
  unsigned char buf[16];
  if (util::istarts_with(inner, "IPv6:")) return inet_pton(AF_INET6, inner.c_str() + 5, buf) == 1;
  if (!inner.empty() && is_digit(static_cast<unsigned char>(inner[0])))
    return inet_pton(AF_INET, inner.c_str(), buf) == 1;
  // General-address-literal = Standardized-tag ":" 1*dcontent
  auto colon = inner.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == inner.size()) return false;
  for (size_t i = 0; i < colon; ++i) {
    unsigned char c = static_cast<unsigned char>(inner[i]);
    if (!is_alpha(c) && !is_digit(c) && c != '-') return false;
  }
  for (size_t i = colon + 1; i < inner.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(inner[i]);
    if (c < 33 || c > 126 || c == '[' || c == '\\' || c == ']') return false;  // dcontent
  }
  return true;
}

std::string unquote_local(std::string_view local) {
  if (local.size() < 2 || local.front() != '"') return std::string(local);
  std::string r;
  for (size_t i = 1; i + 1 < local.size(); ++i) {
    if (local[i] == '\\' && i + 2 < local.size()) ++i;
    r.push_back(local[i]);
  }
  return r;
}

PathError parse_path(std::string_view s, bool allow_null, Path& out, size_t& consumed) {
  out = Path{};
  consumed = 0;
  size_t i = 0;
  if (s.empty() || s[0] != '<') return PathError::syntax;
  ++i;
  if (i < s.size() && s[i] == '>') {
    if (!allow_null) return PathError::syntax;
    out.null = true;
    consumed = 2;
    return PathError::none;
  }
  // Source route: A-d-l ":" — syntax-checked and ignored (RFC 5321 4.1.2, C).
  if (i < s.size() && s[i] == '@') {
    auto colon = s.find(':', i);
    if (colon == std::string_view::npos) return PathError::syntax;
    for (auto at : util::split(s.substr(i, colon - i), ',')) {
      if (at.size() < 2 || at[0] != '@') return PathError::syntax;
      auto dom = at.substr(1);
      if (!valid_domain(dom, true) && !valid_address_literal(dom)) return PathError::syntax;
    }
    i = colon + 1;
  }
  size_t local_start = i;
  bool utf8 = false;
  // Local-part = Dot-string / Quoted-string
  if (i < s.size() && s[i] == '"') {
    ++i;
    for (;;) {
      if (i >= s.size()) return PathError::syntax;
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (c == '"') {
        ++i;
        break;
      }
      if (c == '\\') {  // quoted-pairSMTP = %d92 %d32-126
        if (i + 1 >= s.size()) return PathError::syntax;
        unsigned char n = static_cast<unsigned char>(s[i + 1]);
        if (n < 32 || n > 126) return PathError::syntax;
        i += 2;
        continue;
      }
      if (c >= 0x80) {
        size_t n = utf8_sequence(s, i);
        if (n == 0) return PathError::syntax;
        utf8 = true;
        i += n;
        continue;
      }
      if (c < 32 || c > 126) return PathError::syntax;  // qtextSMTP
      ++i;
    }
  } else {
    bool need_atext = true;  // at the start and after each '.'
    for (;;) {
      if (i >= s.size()) return PathError::syntax;
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (c >= 0x80) {
        size_t n = utf8_sequence(s, i);
        if (n == 0) return PathError::syntax;
        utf8 = true;
        i += n;
        need_atext = false;
      } else if (is_atext(c)) {
        ++i;
        need_atext = false;
      } else if (c == '.' && !need_atext) {
        ++i;
        need_atext = true;
      } else {
        break;
      }
    }
    if (need_atext) return PathError::syntax;
  }
  out.addr.local.assign(s.substr(local_start, i - local_start));
  if (i < s.size() && s[i] == '>' && util::iequals(out.addr.local, "postmaster")) {
    out.postmaster = true;  // RFC 5321 4.1.1.3: <Postmaster> without a domain
    consumed = i + 1;
    return PathError::none;
  }
  if (i >= s.size() || s[i] != '@') return PathError::syntax;
  ++i;
  auto close = s.find('>', i);
  if (close == std::string_view::npos) return PathError::syntax;
  auto dom = s.substr(i, close - i);
  if (!dom.empty() && dom.front() == '[') {
    if (!valid_address_literal(dom)) return PathError::syntax;
  } else {
    if (!valid_domain(dom, true)) return PathError::syntax;
    for (char c : dom)
      if (static_cast<unsigned char>(c) >= 0x80) utf8 = true;
  }
  out.addr.domain.assign(dom);
  out.addr.utf8 = utf8;
  consumed = close + 1;
  if (out.addr.local.size() > kMaxLocal || consumed > kMaxPath) return PathError::too_long;
  return PathError::none;
}

}  // namespace postern::smtp
