// SPF macro expansion (see macro.hpp). RFC 7208 section 7.1 (syntax), 7.2
// (letters), 7.3 (transformers and delimiters, URL escaping of uppercase
// letters), 7.4 (examples), 4.8 (253-character names).
// Trust boundary: macro-strings from DNS, values from the SMTP client.
#include "mailauth/spf/macro.hpp"

#include <algorithm>
#include <vector>

namespace postern::spf {

namespace {

constexpr size_t max_expansion = 65536;

bool is_delimiter(char c) {
  return c == '.' || c == '-' || c == '+' || c == ',' || c == '/' || c == '_' || c == '=';
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

struct Macro {
  char letter = 0;    // lowercase
  bool upper = false; // URL-escape the result
  int parts = 0;      // 0 = all
  bool reverse = false;
  std::string delimiters;
};

// Parses the inside of "%{...}" (without braces).
std::optional<Macro> parse_macro(std::string_view body, MacroContext ctx) {
  if (body.empty()) return std::nullopt;
  Macro m;
  char c = body[0];
  m.letter = lower(c);
  m.upper = c != m.letter;
  switch (m.letter) {
    case 's': case 'l': case 'o': case 'd': case 'i': case 'p': case 'h': case 'v':
      break;
    case 'c': case 'r': case 't':
      if (ctx != MacroContext::explanation) return std::nullopt;  // section 7.2
      break;
    default:
      return std::nullopt;
  }
  size_t i = 1;
  if (i < body.size() && body[i] >= '0' && body[i] <= '9') {
    long n = 0;
    while (i < body.size() && body[i] >= '0' && body[i] <= '9') {
      if (n < 1000) n = n * 10 + (body[i] - '0');
      ++i;
    }
    if (n == 0) return std::nullopt;  // section 7.3: the number must be nonzero
    m.parts = int(n);
  }
  if (i < body.size() && (body[i] == 'r' || body[i] == 'R')) {
    m.reverse = true;
    ++i;
  }
  for (; i < body.size(); ++i) {
    if (!is_delimiter(body[i])) return std::nullopt;
    m.delimiters += body[i];
  }
  if (m.delimiters.empty()) m.delimiters = ".";
  return m;
}

const std::string& value_of(char letter, const MacroValues& v) {
  switch (letter) {
    case 's': return v.sender;
    case 'l': return v.local_part;
    case 'o': return v.sender_domain;
    case 'd': return v.domain;
    case 'i': return v.ip_dotted;
    case 'p': return v.validated;
    case 'h': return v.helo;
    case 'v': return v.ip_version;
    case 'c': return v.ip_readable;
    case 'r': return v.receiver;
    default: return v.timestamp;
  }
}

std::string transform(const std::string& value, const Macro& m) {
  // Section 7.3: split on the delimiters, optionally reverse, keep the
  // right-most N parts, rejoin with ".".
  std::vector<std::string_view> parts;
  std::string_view s = value;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || m.delimiters.find(s[i]) != std::string::npos) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  if (m.reverse) std::reverse(parts.begin(), parts.end());
  size_t first = 0;
  if (m.parts > 0 && size_t(m.parts) < parts.size()) first = parts.size() - size_t(m.parts);
  std::string out;
  for (size_t i = first; i < parts.size(); ++i) {
    if (i > first) out += '.';
    out += parts[i];
  }
  return out;
}

// RFC 3986 unreserved characters stay, everything else becomes %XX.
std::string url_escape(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// Walks s; calls on_literal(char) / on_macro(Macro) / on_escape(std::string_view
// replacement). Returns false on a syntax error.
template <class Lit, class Mac>
bool walk(std::string_view s, MacroContext ctx, Lit on_literal, Mac on_macro) {
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '%') {
      // macro-literal = %x21-24 / %x26-7E; explanation text also allows SP.
      bool ok = (c >= 0x21 && c <= 0x7e) || (c == ' ' && ctx == MacroContext::explanation);
      if (!ok) return false;
      on_literal(std::string_view(&s[i], 1));
      continue;
    }
    if (i + 1 >= s.size()) return false;
    char n = s[i + 1];
    if (n == '%') on_literal("%");
    else if (n == '_') on_literal(" ");
    else if (n == '-') on_literal("%20");
    else if (n == '{') {
      size_t close = s.find('}', i + 2);
      if (close == std::string_view::npos) return false;
      auto m = parse_macro(s.substr(i + 2, close - i - 2), ctx);
      if (!m) return false;
      on_macro(*m);
      i = close;
      continue;
    } else {
      return false;
    }
    ++i;
  }
  return true;
}

}  // namespace

bool valid_macro_string(std::string_view s, MacroContext ctx) {
  return walk(s, ctx, [](std::string_view) {}, [](const Macro&) {});
}

bool uses_p_macro(std::string_view s) {
  bool found = false;
  walk(s, MacroContext::explanation, [](std::string_view) {}, [&](const Macro& m) {
    if (m.letter == 'p') found = true;
  });
  return found;
}

std::optional<std::string> expand_macros(std::string_view s, const MacroValues& v, MacroContext ctx) {
  std::string out;
  bool overflow = false;
  auto append = [&](std::string_view piece) {
    if (out.size() + piece.size() > max_expansion) overflow = true;
    else out += piece;
  };
  bool ok = walk(s, ctx, append, [&](const Macro& m) {
    std::string e = transform(value_of(m.letter, v), m);
    append(m.upper ? url_escape(e) : e);
  });
  if (!ok || overflow) return std::nullopt;
  return out;
}

std::string finish_domain(std::string name) {
  if (!name.empty() && name.back() == '.') name.pop_back();
  while (name.size() > 253) {
    size_t dot = name.find('.');
    if (dot == std::string::npos) break;
    name.erase(0, dot + 1);
  }
  return name;
}

}  // namespace postern::spf
