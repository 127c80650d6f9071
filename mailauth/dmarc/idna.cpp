// Punycode (RFC 3492 section 6.3) and A-label conversion of domains
// (RFC 5890/5891) for DMARC lookups. Pure functions, bounded input.
#include "mailauth/dmarc/idna.hpp"

#include "mailauth/dmarc/psl.hpp"

#include <cstdint>
#include <vector>

namespace postern::dmarc {

namespace {

constexpr size_t kMaxLabel = 63;
constexpr size_t kMaxDomain = 253;

// Strict UTF-8 decoding (no overlongs, no surrogates).
bool decode_utf8(std::string_view s, std::vector<uint32_t>& out) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    size_t n;
    if (c < 0x80) { cp = c; n = 0; }
    else if (c >= 0xC2 && c <= 0xDF) { cp = c & 0x1F; n = 1; }
    else if (c >= 0xE0 && c <= 0xEF) { cp = c & 0x0F; n = 2; }
    else if (c >= 0xF0 && c <= 0xF4) { cp = c & 0x07; n = 3; }
    else return false;
    if (n > 0 && i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF))) return false;
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;
    out.push_back(cp);
    i += n + 1;
  }
  return true;
}

constexpr uint32_t kBase = 36, kTMin = 1, kTMax = 26, kSkew = 38, kDamp = 700;
constexpr uint32_t kInitialBias = 72, kInitialN = 128;

char digit(uint32_t d) { return static_cast<char>(d < 26 ? 'a' + d : '0' + (d - 26)); }

uint32_t adapt(uint32_t delta, uint32_t numpoints, bool first) {
  delta = first ? delta / kDamp : delta / 2;
  delta += delta / numpoints;
  uint32_t k = 0;
  while (delta > ((kBase - kTMin) * kTMax) / 2) {
    delta /= kBase - kTMin;
    k += kBase;
  }
  return k + (kBase - kTMin + 1) * delta / (delta + kSkew);
}

bool ldh(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

}  // namespace

std::optional<std::string> punycode_encode(std::string_view utf8_label) {
  if (utf8_label.size() > 4 * kMaxLabel) return std::nullopt;
  std::vector<uint32_t> cps;
  if (!decode_utf8(utf8_label, cps)) return std::nullopt;
  std::string out;
  for (uint32_t cp : cps)
    if (cp < 0x80) out.push_back(static_cast<char>(cp));
  const uint32_t b = static_cast<uint32_t>(out.size());
  uint32_t h = b;
  if (b > 0) out.push_back('-');
  uint32_t n = kInitialN, delta = 0, bias = kInitialBias;
  const uint32_t total = static_cast<uint32_t>(cps.size());
  while (h < total) {
    uint32_t m = UINT32_MAX;
    for (uint32_t cp : cps)
      if (cp >= n && cp < m) m = cp;
    if (static_cast<uint64_t>(m - n) * (h + 1) + delta > UINT32_MAX) return std::nullopt;
    delta += (m - n) * (h + 1);
    n = m;
    for (uint32_t cp : cps) {
      if (cp < n && ++delta == 0) return std::nullopt;
      if (cp == n) {
        uint32_t q = delta;
        for (uint32_t k = kBase;; k += kBase) {
          uint32_t t = k <= bias ? kTMin : (k >= bias + kTMax ? kTMax : k - bias);
          if (q < t) break;
          out.push_back(digit(t + (q - t) % (kBase - t)));
          q = (q - t) / (kBase - t);
        }
        out.push_back(digit(q));
        bias = adapt(delta, h + 1, h == b);
        delta = 0;
        ++h;
      }
    }
    ++delta;
    ++n;
  }
  return out;
}

std::optional<std::string> to_ascii_domain(std::string_view domain) {
  if (domain.empty() || domain.size() > 4 * kMaxDomain) return std::nullopt;
  std::string d = utf8_lower(domain);
  if (!d.empty() && d.back() == '.') d.pop_back();
  if (d.empty()) return std::nullopt;
  std::string out;
  size_t start = 0;
  while (start <= d.size()) {
    size_t dot = d.find('.', start);
    if (dot == std::string::npos) dot = d.size();
    std::string_view label(d.data() + start, dot - start);
    if (label.empty()) return std::nullopt;
    bool ascii = true;
    for (unsigned char c : label)
      if (c >= 0x80) ascii = false;
    std::string enc;
    if (ascii) {
      enc = std::string(label);
    } else {
      auto p = punycode_encode(label);
      if (!p) return std::nullopt;
      enc = "xn--" + *p;
    }
    if (enc.size() > kMaxLabel) return std::nullopt;
    for (char c : enc)
      if (!ldh(c)) return std::nullopt;
    if (!out.empty()) out.push_back('.');
    out += enc;
    start = dot + 1;
    if (dot == d.size()) break;
  }
  if (out.size() > kMaxDomain) return std::nullopt;
  return out;
}

}  // namespace postern::dmarc
