// RFC 5322 section 2.2 header field splitting (with 4.5 obs-syntax) and
// section 2.2.3 unfolding. Pure, bounded.
#include "mailauth/dmarc/header_fields.hpp"

namespace postern::dmarc {

namespace {

// Length of the line starting at `pos`, including its line end (CRLF or LF).
size_t line_len(std::string_view s, size_t pos) {
  size_t lf = s.find('\n', pos);
  return lf == std::string_view::npos ? s.size() - pos : lf + 1 - pos;
}

bool is_ftext(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return u >= 33 && u <= 126 && u != ':';
}

}  // namespace

bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

size_t next_header_field(std::string_view block, size_t pos, HeaderField& f) {
  if (pos >= block.size()) return pos;
  size_t len = line_len(block, pos);
  std::string_view line = block.substr(pos, len);
  if (line == "\r\n" || line == "\n") return pos;  // end of header
  size_t end = pos + len;
  // Continuation lines (starting with WSP) belong to this field.
  while (end < block.size() && (block[end] == ' ' || block[end] == '\t')) end += line_len(block, end);
  std::string_view raw = block.substr(pos, end - pos);
  f = HeaderField{};
  f.raw = raw;
  size_t n = 0;
  while (n < raw.size() && is_ftext(raw[n])) ++n;
  size_t c = n;
  while (c < raw.size() && (raw[c] == ' ' || raw[c] == '\t')) ++c;  // obs: WSP before ':'
  if (n > 0 && c < raw.size() && raw[c] == ':') {
    f.name = raw.substr(0, n);
    std::string_view v = raw.substr(c + 1);
    if (!v.empty() && v.back() == '\n') v.remove_suffix(1);
    if (!v.empty() && v.back() == '\r') v.remove_suffix(1);
    f.value = v;
  }
  return end;
}

HeaderBlock split_header_fields(std::string_view block, size_t max_fields) {
  HeaderBlock hb;
  size_t pos = 0;
  HeaderField f;
  while (true) {
    if (hb.fields.size() >= max_fields) {
      hb.truncated = pos < block.size();
      break;
    }
    size_t next = next_header_field(block, pos, f);
    if (next == pos) break;
    hb.fields.push_back(f);
    pos = next;
  }
  hb.rest = block.substr(pos);
  return hb;
}

std::string unfold(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\r' && i + 1 < value.size() && value[i + 1] == '\n') continue;
    if (c == '\n') continue;
    out.push_back(c);
  }
  return out;
}

}  // namespace postern::dmarc
