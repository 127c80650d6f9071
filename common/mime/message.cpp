// MIME structure (see message.hpp). RFC 5322 section 2.2 (header fields,
// folding), RFC 2045 section 5 (Content-Type), RFC 2046 section 5.1.1
// (multipart boundaries), RFC 9051 section 6.4.5 (part numbering).
#include "common/mime/message.hpp"

#include <cctype>
#include <cstring>

#include "common/util/strings.hpp"

namespace postern::mime {

namespace {
// Position just after the line containing pos (past LF), or npos.
size_t next_line(std::string_view s, size_t pos) {
  size_t lf = s.find('\n', pos);
  return lf == std::string_view::npos ? std::string_view::npos : lf + 1;
}
}  // namespace

std::pair<std::string_view, std::string_view> split_entity(std::string_view e) {
  // A body starts after the first empty line (CRLF CRLF, or LF LF for bare-LF input).
  size_t pos = 0;
  while (pos < e.size()) {
    if (e[pos] == '\n') return {e.substr(0, pos + 1), e.substr(pos + 1)};
    if (e[pos] == '\r' && pos + 1 < e.size() && e[pos + 1] == '\n') return {e.substr(0, pos + 2), e.substr(pos + 2)};
    size_t n = next_line(e, pos);
    if (n == std::string_view::npos) break;
    pos = n;
  }
  return {e, std::string_view()};
}

std::vector<HeaderField> parse_header(std::string_view h, size_t max_fields) {
  std::vector<HeaderField> out;
  size_t pos = 0;
  while (pos < h.size() && out.size() < max_fields) {
    size_t start = pos;
    size_t end = next_line(h, pos);
    if (end == std::string_view::npos) end = h.size();
    // Continuation lines start with SP or HTAB (RFC 5322 section 2.2.3).
    while (end < h.size() && (h[end] == ' ' || h[end] == '\t')) {
      size_t n = next_line(h, end);
      end = n == std::string_view::npos ? h.size() : n;
    }
    std::string_view raw = h.substr(start, end - start);
    pos = end;
    size_t colon = raw.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;  // the blank line, or garbage
    std::string_view name = raw.substr(0, colon);
    if (name.find_first_of(" \t\r\n") != std::string_view::npos) continue;
    out.push_back(HeaderField{name, raw, raw.substr(colon + 1)});
  }
  return out;
}

std::optional<std::string> header_value(std::string_view header, std::string_view name) {
  for (const auto& f : parse_header(header)) {
    if (!util::iequals(f.name, name)) continue;
    std::string v;
    for (char c : f.value) {
      if (c == '\r' || c == '\n') continue;
      v += c == '\t' ? ' ' : c;
    }
    return std::string(util::trim(v));
  }
  return std::nullopt;
}

std::string ContentType::param(std::string_view name) const {
  for (auto& [k, v] : params)
    if (k == name) return v;
  return {};
}

ContentType parse_content_type(std::string_view value, bool in_digest) {
  ContentType ct;
  if (in_digest) ct.type = "message", ct.subtype = "rfc822";  // RFC 2046 section 5.1.5
  size_t i = 0;
  auto skip_ws = [&] {
    while (i < value.size()) {
      if (value[i] == ' ' || value[i] == '\t' || value[i] == '\r' || value[i] == '\n') {
        ++i;
      } else if (value[i] == '(') {  // RFC 5322 comment (no nesting needed for our purpose)
        size_t e = value.find(')', i);
        i = e == std::string_view::npos ? value.size() : e + 1;
      } else {
        break;
      }
    }
  };
  auto token = [&] {
    size_t s = i;
    while (i < value.size() && !std::strchr("()<>@,;:\\\"/[]?= \t\r\n", value[i])) ++i;
    return util::to_lower(value.substr(s, i - s));
  };
  skip_ws();
  std::string type = token();
  skip_ws();
  if (i >= value.size() || value[i] != '/') return ct;
  ++i;
  skip_ws();
  std::string sub = token();
  if (type.empty() || sub.empty()) return ct;
  ct.type = type;
  ct.subtype = sub;
  for (int n = 0; n < 64; ++n) {
    skip_ws();
    if (i >= value.size() || value[i] != ';') break;
    ++i;
    skip_ws();
    std::string name = token();
    skip_ws();
    if (name.empty() || i >= value.size() || value[i] != '=') break;
    ++i;
    skip_ws();
    std::string v;
    if (i < value.size() && value[i] == '"') {
      ++i;
      while (i < value.size() && value[i] != '"') {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;
        if (value[i] != '\r' && value[i] != '\n') v += value[i];
        ++i;
      }
      if (i < value.size()) ++i;
    } else {
      size_t s = i;
      while (i < value.size() && !std::strchr("()<>@,;:\\\"/[]?= \t\r\n", value[i])) ++i;
      v = std::string(value.substr(s, i - s));
    }
    ct.params.emplace_back(name, v);
  }
  return ct;
}

namespace {

void parse_entity(Part& p, std::string_view entity, bool in_digest, int depth, size_t& parts, const Limits& lim);

// RFC 2046 section 5.1.1: "--boundary" lines delimit parts; "--boundary--" closes.
void parse_multipart(Part& p, int depth, size_t& parts, const Limits& lim) {
  std::string boundary = p.content_type.param("boundary");
  if (boundary.empty() || boundary.size() > 200) return;
  std::string delim = "--" + boundary;
  std::string_view b = p.body;
  size_t pos = 0;
  size_t part_start = std::string_view::npos;
  bool digest = p.content_type.subtype == "digest";
  while (pos < b.size()) {
    size_t line_end = next_line(b, pos);
    std::string_view line = b.substr(pos, (line_end == std::string_view::npos ? b.size() : line_end) - pos);
    if (line.substr(0, delim.size()) == delim) {
      std::string_view rest = line.substr(delim.size());
      bool close = rest.substr(0, 2) == "--";
      if (part_start != std::string_view::npos) {
        // The CRLF before the delimiter belongs to the delimiter.
        size_t end = pos;
        if (end > part_start && b[end - 1] == '\n') --end;
        if (end > part_start && b[end - 1] == '\r') --end;
        if (parts >= lim.max_parts) return;
        Part child;
        parse_entity(child, b.substr(part_start, end - part_start), digest, depth + 1, parts, lim);
        p.children.push_back(std::move(child));
      }
      if (close) return;
      part_start = line_end == std::string_view::npos ? b.size() : line_end;
    }
    if (line_end == std::string_view::npos) break;
    pos = line_end;
  }
  if (part_start != std::string_view::npos && part_start < b.size() && parts < lim.max_parts) {  // unterminated
    Part child;
    parse_entity(child, b.substr(part_start), digest, depth + 1, parts, lim);
    p.children.push_back(std::move(child));
  }
}

void parse_entity(Part& p, std::string_view entity, bool in_digest, int depth, size_t& parts, const Limits& lim) {
  ++parts;
  auto [h, body] = split_entity(entity);
  p.header = h;
  p.body = body;
  auto ct = header_value(h, "Content-Type");
  if (ct)
    p.content_type = parse_content_type(*ct, in_digest);
  else if (in_digest)
    p.content_type = parse_content_type("", true);
  if (depth >= lim.max_depth) return;
  if (p.is_multipart()) {
    parse_multipart(p, depth, parts, lim);
    if (p.children.empty()) p.content_type = ContentType{};  // unusable multipart: treat as text
  } else if (p.is_message() && parts < lim.max_parts) {
    Part inner;
    parse_entity(inner, body, false, depth + 1, parts, lim);
    p.children.push_back(std::move(inner));
  }
}

}  // namespace

Part parse_message(std::string_view message, const Limits& limits) {
  Part root;
  size_t parts = 0;
  parse_entity(root, message, false, 0, parts, limits);
  return root;
}

const Part* find_part(const Part& root, const std::vector<uint32_t>& path) {
  // RFC 9051 section 6.4.5: a non-multipart message has only part 1 (its body);
  // the parts of a message/rfc822 part are those of the message it encapsulates.
  const Part* cur = &root;
  bool first = true;
  for (uint32_t n : path) {
    const Part* ent = cur;
    if (!first && cur->is_message() && !cur->children.empty()) ent = &cur->children[0];
    first = false;
    if (ent->is_multipart()) {
      if (n == 0 || n > ent->children.size()) return nullptr;
      cur = &ent->children[n - 1];
    } else {
      if (n != 1) return nullptr;
      cur = ent;
    }
  }
  return cur;
}

}  // namespace postern::mime
