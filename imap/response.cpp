// Response formatting (see response.hpp). RFC 9051 section 4.3 (strings),
// 2.3.2 (flags), 2.3.3 (internal date).
#include "imap/response.hpp"

#include <ctime>

namespace postern::imap {

std::string imap_literal(std::string_view s) {
  std::string out = "{" + std::to_string(s.size()) + "}\r\n";
  out += s;
  return out;
}

std::string imap_string(std::string_view s) {
  bool quotable = s.size() <= 1024;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u == 0 || u == '\r' || u == '\n' || u >= 0x80) quotable = false;
  }
  if (!quotable) return imap_literal(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string imap_nstring(const std::optional<std::string>& s) { return s ? imap_string(*s) : "NIL"; }

std::string imap_astring(std::string_view s) {
  bool atom = !s.empty() && s.size() <= 256 && !(s.size() == 3 && (s == "NIL" || s == "nil" || s == "Nil"));
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '(' || c == ')' || c == '{' || c == '%' || c == '*' || c == '"' ||
        c == '\\')
      atom = false;
  }
  return atom ? std::string(s) : imap_string(s);
}

std::string format_flags(uint32_t system, const std::vector<std::string>& keywords) {
  static constexpr std::pair<uint32_t, std::string_view> kNames[] = {
      {1, "\\Seen"}, {2, "\\Answered"}, {4, "\\Flagged"}, {8, "\\Deleted"}, {16, "\\Draft"}};
  std::string out;
  for (auto& [bit, name] : kNames)
    if (system & bit) {
      if (!out.empty()) out += ' ';
      out += name;
    }
  for (auto& k : keywords) {
    if (!out.empty()) out += ' ';
    out += k;
  }
  return out;
}

std::string format_date_time(int64_t t) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "\"%02d-%s-%04d %02d:%02d:%02d +0000\"", tm.tm_mday, kMonths[tm.tm_mon],
                tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

}  // namespace postern::imap
