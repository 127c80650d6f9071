// Header and body canonicalization (see canon.hpp).
// Trust boundary: untrusted bytes; single pass, no allocation beyond output.
// RFC 6376 3.4.1 (simple header), 3.4.2 (relaxed header), 3.4.3 (simple
// body), 3.4.4 (relaxed body), 3.4.5 (l= applies to the canonical body).
#include "mailauth/dkim/canon.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace postern::dkim {

namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// Feeds the canonical body, line by line, to `emit`. Trailing empty lines
// are held back and dropped at the end (3.4.3, 3.4.4).
template <typename Emit>
void for_each_canonical_chunk(Canon c, std::string_view body, Emit&& emit) {
  size_t pending_empty = 0;
  bool emitted = false;
  std::string line_buf;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t eol = body.find("\r\n", pos);
    std::string_view line =
        eol == std::string_view::npos ? body.substr(pos) : body.substr(pos, eol - pos);
    pos = eol == std::string_view::npos ? body.size() : eol + 2;
    std::string_view out = line;
    if (c == Canon::relaxed) {
      // 3.4.4: WSP runs become one SP; WSP at the end of a line goes.
      line_buf.clear();
      bool in_wsp = false;
      for (char ch : line) {
        if (is_wsp(ch)) {
          in_wsp = true;
        } else {
          if (in_wsp) line_buf += ' ';
          in_wsp = false;
          line_buf += ch;
        }
      }
      out = line_buf;
    }
    if (out.empty()) {
      ++pending_empty;
      continue;
    }
    for (; pending_empty > 0; --pending_empty) emit(std::string_view("\r\n"));
    emit(out);
    emit(std::string_view("\r\n"));
    emitted = true;
  }
  // 3.4.3: an empty body is canonicalized to a single CRLF (simple only).
  if (!emitted && c == Canon::simple) emit(std::string_view("\r\n"));
}

}  // namespace

std::string canon_header(Canon c, std::string_view raw) {
  if (raw.size() >= 2 && raw.substr(raw.size() - 2) == "\r\n") raw.remove_suffix(2);
  if (c == Canon::simple) return std::string(raw) + "\r\n";
  // 3.4.2: lowercase name; unfold; WSP runs to one SP; no WSP at the ends
  // of the value or around the colon.
  size_t colon = raw.find(':');
  std::string_view name = colon == std::string_view::npos ? raw : raw.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view{} : raw.substr(colon + 1);
  while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
  std::string out;
  out.reserve(raw.size() + 2);
  for (char ch : name) out += lower(ch);
  out += ':';
  bool in_wsp = false;
  bool any = false;
  for (char ch : value) {
    if (ch == '\r' || ch == '\n') continue;  // unfolding: CRLF removed, WSP kept
    if (is_wsp(ch)) {
      in_wsp = true;
      continue;
    }
    if (in_wsp && any) out += ' ';
    in_wsp = false;
    any = true;
    out += ch;
  }
  out += "\r\n";
  return out;
}

std::string canon_body(Canon c, std::string_view body) {
  std::string out;
  for_each_canonical_chunk(c, body, [&](std::string_view s) { out.append(s); });
  return out;
}

BodyHash body_hash(Canon c, std::string_view body, std::optional<uint64_t> limit) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("EVP_DigestInit failed");
  BodyHash r;
  uint64_t hashed = 0;
  for_each_canonical_chunk(c, body, [&](std::string_view s) {
    r.canonical_length += s.size();
    if (limit && hashed >= *limit) return;
    size_t n = s.size();
    if (limit && *limit - hashed < n) n = static_cast<size_t>(*limit - hashed);
    EVP_DigestUpdate(ctx.get(), s.data(), n);
    hashed += n;
  });
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &len);
  r.digest.assign(reinterpret_cast<char*>(md), len);
  return r;
}

}  // namespace postern::dkim
