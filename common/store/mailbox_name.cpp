// Mailbox name validation and the Maildir++ directory mapping (see mailbox_name.hpp).
// Trust boundary: client-supplied names; a name that passes canonical() is a
// safe single path component once mapped by to_dir().
#include "common/store/mailbox_name.hpp"

#include "common/store/store.hpp"
#include "common/util/strings.hpp"

namespace postern::store::names {

namespace {
// RFC 3629 section 4: well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF))) return false;
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;
    i += n + 1;
  }
  return true;
}
}  // namespace

std::string invalid_reason(std::string_view name) {
  if (name.empty()) return "Mailbox name is empty";
  if (name.size() > kMaxNameLength) return "Mailbox name is longer than 255 bytes";
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) return "Mailbox name contains a control character";
    if (ch == '*' || ch == '%') return "Mailbox name contains a wildcard character (* or %)";
  }
  if (!valid_utf8(name)) return "Mailbox name is not valid UTF-8";
  for (std::string_view comp : util::split(name, '/')) {
    if (comp.empty()) return "Mailbox name has an empty hierarchy level (leading, trailing or double '/')";
    if (comp == "." || comp == "..") return "Mailbox name contains '.' or '..' as a hierarchy level";
    if (comp[0] == '.') return "Mailbox name levels cannot start with '.'";
  }
  if (to_dir(name).size() > kMaxNameLength) return "Mailbox name is too long once stored on disk";
  return {};
}

std::string canonical(std::string_view name) {
  std::string why = invalid_reason(name);
  if (!why.empty()) throw MailboxError(why);
  std::string out(name);
  size_t slash = out.find('/');
  std::string_view first = std::string_view(out).substr(0, slash);
  if (util::iequals(first, "INBOX")) out.replace(0, first.size(), "INBOX");
  return out;
}

bool is_inbox(std::string_view n) { return n == "INBOX"; }

std::string to_dir(std::string_view n) {
  if (n == "INBOX") return {};
  std::string out = ".";
  for (char c : n) {
    if (c == '/')
      out.push_back('.');
    else if (c == '.')
      out += "%2E";
    else
      out.push_back(c);
  }
  return out;
}

std::optional<std::string> from_dir(std::string_view dir) {
  if (dir.size() < 2 || dir[0] != '.') return std::nullopt;
  std::string name;
  for (size_t i = 1; i < dir.size(); ++i) {
    char c = dir[i];
    if (c == '.') {
      name.push_back('/');
    } else if (c == '%' && dir.substr(i, 3) == "%2E") {
      name.push_back('.');
      i += 2;
    } else {
      name.push_back(c);
    }
  }
  if (!invalid_reason(name).empty()) return std::nullopt;
  std::string canon = canonical(name);
  if (canon == "INBOX" || to_dir(canon) != dir) return std::nullopt;
  return canon;
}

std::string parent(std::string_view n) {
  size_t slash = n.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(n.substr(0, slash));
}

bool valid_special_use(std::string_view s) {
  return s.empty() || s == "\\All" || s == "\\Archive" || s == "\\Drafts" || s == "\\Flagged" || s == "\\Junk" ||
         s == "\\Sent" || s == "\\Trash";
}

}  // namespace postern::store::names
