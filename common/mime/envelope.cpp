// ENVELOPE and BODYSTRUCTURE (see envelope.hpp). RFC 9051 section 7.5.2 and
// the body/envelope grammar of section 9; RFC 5322 section 3.4 (addresses,
// groups); RFC 2045 sections 5-6, RFC 2183 (Content-Disposition).
#include "common/mime/envelope.hpp"

#include <optional>

#include "common/util/strings.hpp"

namespace postern::mime {

namespace {

std::string istring(std::string_view s) {
  bool quotable = s.size() <= 1024;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u == 0 || u == '\r' || u == '\n' || u >= 0x80) quotable = false;
  }
  if (!quotable) return "{" + std::to_string(s.size()) + "}\r\n" + std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}
std::string nstring(const std::optional<std::string>& s) { return s ? istring(*s) : "NIL"; }
std::string nstring_empty_nil(const std::string& s) { return s.empty() ? "NIL" : istring(s); }

// Removes RFC 5322 comments and unquotes quoted strings; keeps other text.
std::string unquote(std::string_view s) {
  std::string out;
  int depth = 0;
  bool q = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (q) {
      if (c == '\\' && i + 1 < s.size()) out += s[++i];
      else if (c == '"') q = false;
      else out += c;
    } else if (depth > 0) {
      if (c == '(') ++depth;
      else if (c == ')') --depth;
      else if (c == '\\') ++i;
    } else if (c == '"') {
      q = true;
    } else if (c == '(') {
      ++depth;
    } else {
      out += c;
    }
  }
  return std::string(util::trim(out));
}

void add_mailbox(std::vector<Address>& out, std::string_view text) {
  std::string_view t = util::trim(text);
  if (t.empty()) return;
  Address a;
  std::string spec;
  size_t lt = std::string_view::npos;
  // The last "<" outside quotes starts the angle-addr.
  bool q = false;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '\\') { ++i; continue; }
    if (t[i] == '"') q = !q;
    else if (!q && t[i] == '<') lt = i;
  }
  if (lt != std::string_view::npos) {
    size_t gt = t.find('>', lt);
    spec = std::string(t.substr(lt + 1, (gt == std::string_view::npos ? t.size() : gt) - lt - 1));
    a.name = unquote(t.substr(0, lt));
    // An obsolete route ("@a,@b:user@host") is dropped.
    if (auto colon = spec.find(':'); !spec.empty() && spec[0] == '@' && colon != std::string::npos)
      spec = spec.substr(colon + 1);
  } else {
    spec = unquote(t);
  }
  std::string s = std::string(util::trim(spec));
  size_t at = s.rfind('@');
  if (at == std::string::npos) {
    a.mailbox = unquote(s);
  } else {
    a.mailbox = unquote(s.substr(0, at));
    a.host = std::string(util::trim(s.substr(at + 1)));
  }
  out.push_back(std::move(a));
}

std::string address_list(std::string_view header, std::string_view field) {
  auto v = header_value(header, field);
  if (!v) return "NIL";
  auto addrs = parse_address_list(*v);
  if (addrs.empty()) return "NIL";
  std::string out = "(";
  for (auto& a : addrs) {
    if (a.group_end) {
      out += "(NIL NIL NIL NIL)";
    } else if (a.group_start) {
      out += "(NIL NIL " + istring(a.mailbox) + " NIL)";
    } else {
      out += "(" + nstring_empty_nil(a.name) + " NIL " + nstring_empty_nil(a.mailbox) + " " +
             nstring_empty_nil(a.host) + ")";
    }
  }
  return out + ")";
}

std::string param_list(const std::vector<std::pair<std::string, std::string>>& params) {
  if (params.empty()) return "NIL";
  std::string out = "(";
  for (size_t i = 0; i < params.size(); ++i)
    out += (i ? " " : "") + istring(util::to_upper(params[i].first)) + " " + istring(params[i].second);
  return out + ")";
}

size_t count_lines(std::string_view body) {
  size_t n = 0;
  for (char c : body) n += c == '\n';
  if (!body.empty() && body.back() != '\n') ++n;
  return n;
}

std::string disposition(std::string_view header) {
  auto v = header_value(header, "Content-Disposition");
  if (!v || v->empty()) return "NIL";
  size_t semi = v->find(';');
  std::string type(util::trim(std::string_view(*v).substr(0, semi)));
  if (type.empty()) return "NIL";
  std::vector<std::pair<std::string, std::string>> params;
  if (semi != std::string::npos) params = parse_content_type("x/x" + v->substr(semi)).params;
  return "(" + istring(util::to_upper(type)) + " " + param_list(params) + ")";
}

std::string language(std::string_view header) {
  auto v = header_value(header, "Content-Language");
  if (!v || v->empty()) return "NIL";
  std::string out = "(";
  bool first = true;
  for (auto tag : util::split(*v, ',')) {
    auto t = util::trim(tag);
    if (t.empty()) continue;
    out += (first ? "" : " ") + istring(t);
    first = false;
  }
  return first ? "NIL" : out + ")";
}

std::string body(const Part& p, bool ext, int depth) {
  if (depth > 64) return "NIL";
  const ContentType& ct = p.content_type;
  if (p.is_multipart() && !p.children.empty()) {
    std::string out = "(";
    for (auto& c : p.children) out += body(c, ext, depth + 1);
    out += " " + istring(util::to_upper(ct.subtype));
    if (ext)
      out += " " + param_list(ct.params) + " " + disposition(p.header) + " " + language(p.header) + " " +
             nstring(header_value(p.header, "Content-Location"));
    return out + ")";
  }
  auto params = ct.params;
  if (ct.type == "text" && ct.param("charset").empty()) params.emplace_back("charset", "us-ascii");
  auto enc = header_value(p.header, "Content-Transfer-Encoding");
  std::string out = "(" + istring(util::to_upper(ct.type)) + " " + istring(util::to_upper(ct.subtype)) + " " +
                    param_list(params) + " " + nstring(header_value(p.header, "Content-ID")) + " " +
                    nstring(header_value(p.header, "Content-Description")) + " " +
                    istring(enc && !enc->empty() ? util::to_upper(*enc) : std::string("7BIT")) + " " +
                    std::to_string(p.body.size());
  if (p.is_message() && !p.children.empty()) {
    const Part& inner = p.children[0];
    out += " " + imap_envelope(inner.header) + " " + body(inner, ext, depth + 1) + " " +
           std::to_string(count_lines(p.body));
  } else if (ct.type == "text") {
    out += " " + std::to_string(count_lines(p.body));
  }
  if (ext)
    out += " " + nstring(header_value(p.header, "Content-MD5")) + " " + disposition(p.header) + " " +
           language(p.header) + " " + nstring(header_value(p.header, "Content-Location"));
  return out + ")";
}

}  // namespace

std::vector<Address> parse_address_list(std::string_view v, size_t max) {
  std::vector<Address> out;
  size_t start = 0;
  bool q = false, in_group = false;
  int depth = 0, angle = 0;
  for (size_t i = 0; i <= v.size() && out.size() < max; ++i) {
    char c = i < v.size() ? v[i] : ',';
    if (q) {
      if (c == '\\') ++i;
      else if (c == '"') q = false;
      continue;
    }
    if (depth > 0) {
      if (c == '(') ++depth;
      else if (c == ')') --depth;
      continue;
    }
    if (c == '"') q = true;
    else if (c == '(') ++depth;
    else if (c == '<') ++angle;
    else if (c == '>') angle = angle > 0 ? angle - 1 : 0;
    else if (c == ':' && angle == 0 && !in_group) {  // group start "name:"
      Address g;
      g.group_start = true;
      g.mailbox = unquote(v.substr(start, i - start));
      out.push_back(std::move(g));
      in_group = true;
      start = i + 1;
    } else if (c == ';' && angle == 0 && in_group) {  // group end
      add_mailbox(out, v.substr(start, i - start));
      Address e;
      e.group_end = true;
      out.push_back(std::move(e));
      in_group = false;
      start = i + 1;
    } else if (c == ',' && angle == 0) {
      if (i == v.size() && in_group) {  // unterminated group
        add_mailbox(out, v.substr(start, i - start));
        Address e;
        e.group_end = true;
        out.push_back(std::move(e));
        break;
      }
      add_mailbox(out, v.substr(start, std::min(i, v.size()) - start));
      start = i + 1;
    }
  }
  return out;
}

std::string imap_envelope(std::string_view header) {
  std::string from = address_list(header, "From");
  std::string sender = address_list(header, "Sender");
  std::string reply_to = address_list(header, "Reply-To");
  // RFC 9051 section 7.5.2: sender and reply-to default to from.
  if (sender == "NIL") sender = from;
  if (reply_to == "NIL") reply_to = from;
  return "(" + nstring(header_value(header, "Date")) + " " + nstring(header_value(header, "Subject")) + " " + from +
         " " + sender + " " + reply_to + " " + address_list(header, "To") + " " + address_list(header, "Cc") + " " +
         address_list(header, "Bcc") + " " + nstring(header_value(header, "In-Reply-To")) + " " +
         nstring(header_value(header, "Message-ID")) + ")";
}

std::string imap_bodystructure(const Part& root, bool extensible) { return body(root, extensible, 0); }

}  // namespace postern::mime
