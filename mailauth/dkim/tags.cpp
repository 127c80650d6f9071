// Tag-list parsing (see tags.hpp).
// Trust boundary: untrusted text; at most kMaxTags tags.
// RFC 6376 3.2: tag-list = tag-spec *( ";" tag-spec ) [ ";" ];
// tag-spec = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS];
// tag-name = ALPHA *ALNUMPUNC; VALCHAR = %x21-3A / %x3C-7E.
#include "mailauth/dkim/tags.hpp"

namespace postern::dkim {

namespace {

bool is_fws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
// VALCHAR, plus octets >= 0x80 so that UTF-8 in i= (RFC 8616) is accepted.
bool is_valchar(char ch) {
  auto c = static_cast<unsigned char>(ch);
  return (c >= 0x21 && c <= 0x7e && c != ';') || c >= 0x80;
}

std::string_view trim_fws(std::string_view s) {
  while (!s.empty() && is_fws(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_fws(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

const Tag* TagList::find(std::string_view name) const {
  for (const auto& t : tags)
    if (t.name == name) return &t;
  return nullptr;
}

std::string parse_tag_list(std::string_view text, TagList& out) {
  out.tags.clear();
  size_t pos = 0;
  const size_t n = text.size();
  while (true) {
    size_t end = text.find(';', pos);
    if (end == std::string_view::npos) end = n;
    std::string_view spec = text.substr(pos, end - pos);
    bool last = end == n;
    if (trim_fws(spec).empty()) {
      // Only allowed as the optional trailing ";" (or an entirely empty list).
      if (last) break;
      return "empty tag-spec";
    }
    size_t eq = spec.find('=');
    if (eq == std::string_view::npos) return "tag without '='";
    std::string_view name = trim_fws(spec.substr(0, eq));
    if (name.empty() || !is_alpha(name[0])) return "invalid tag name";
    for (char c : name)
      if (!is_alpha(c) && !is_digit(c) && c != '_') return "invalid tag name";
    std::string_view raw_value = spec.substr(eq + 1);
    std::string_view value = trim_fws(raw_value);
    // tag-value = [ tval *( 1*(WSP / FWS) tval ) ]
    for (char c : value)
      if (!is_valchar(c) && !is_fws(c)) return "invalid character in tag " + std::string(name);
    for (const auto& t : out.tags)
      if (t.name == name) return "duplicate tag " + std::string(name);
    if (out.tags.size() >= kMaxTags) return "too many tags";
    size_t vb = pos + eq + 1;
    out.tags.push_back(Tag{name, value, vb, end});
    if (last) break;
    pos = end + 1;
  }
  return "";
}

std::string strip_fws(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v)
    if (!is_fws(c)) out += c;
  return out;
}

std::vector<std::string_view> split_colon_list(std::string_view v) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (true) {
    size_t c = v.find(':', pos);
    out.push_back(trim_fws(v.substr(pos, c == std::string_view::npos ? std::string_view::npos : c - pos)));
    if (c == std::string_view::npos) break;
    pos = c + 1;
  }
  return out;
}

}  // namespace postern::dkim
