// Rendering of SMTP replies (RFC 5321 section 4.2, RFC 2034 section 4).
// Trust boundary: none.
#include "smtp/reply.hpp"

namespace postern::smtp {

namespace {
std::string clean(std::string_view s) {
  std::string r;
  r.reserve(s.size());
  for (char c : s) r.push_back((c == '\r' || c == '\n' || c == '\0') ? ' ' : c);
  return r;
}
}  // namespace

std::string Reply::to_wire() const {
  std::string out;
  std::string code_s = std::to_string(code);
  size_t n = lines.empty() ? 1 : lines.size();
  for (size_t i = 0; i < n; ++i) {
    out += code_s;
    out += (i + 1 < n) ? '-' : ' ';
    if (!status.empty()) {
      out += status;
      if (!lines.empty() && !lines[i].empty()) out += ' ';
    }
    if (!lines.empty()) out += clean(lines[i]);
    out += "\r\n";
  }
  return out;
}

std::string Reply::text() const {
  std::string w = to_wire();
  w.resize(w.size() - 2);
  auto p = w.rfind("\r\n");
  return p == std::string::npos ? w : w.substr(p + 2);
}

}  // namespace postern::smtp
