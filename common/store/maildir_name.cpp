// Maildir file-name parsing and formatting (see maildir_name.hpp).
// Trust boundary: parse_name takes untrusted names and is fuzzed
// (tests/fuzz/store_maildir_name.cpp). Flag letters per the Maildir spec:
// D draft, F flagged, P passed, R replied, S seen, T trashed.
#include "common/store/maildir_name.hpp"

#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>

#include "common/store/store.hpp"

namespace postern::store::maildir {

namespace {
struct Letter {
  char c;
  uint32_t flag;
};
constexpr Letter kLetters[] = {{'D', kDraft}, {'F', kFlagged}, {'R', kAnswered}, {'S', kSeen}, {'T', kDeleted}};

bool is_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

std::optional<uint64_t> parse_number(std::string_view s, uint64_t max) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (max - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}
}  // namespace

std::optional<ParsedName> parse_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength || name[0] == '.') return std::nullopt;
  if (name.find('/') != std::string_view::npos || name.find('\0') != std::string_view::npos) return std::nullopt;
  ParsedName p;
  size_t colon = name.find(':');
  p.base = name.substr(0, colon);
  if (p.base.empty()) return std::nullopt;
  if (colon != std::string_view::npos) {
    std::string_view info = name.substr(colon + 1);
    if (info.size() >= 2 && info[0] == '2' && info[1] == ',') {
      p.has_info = true;
      for (char c : info.substr(2)) {
        if (!is_letter(c)) continue;
        bool standard = false;
        for (const auto& l : kLetters)
          if (l.c == c) {
            p.flags |= l.flag;
            standard = true;
          }
        if (!standard && p.other_flags.find(c) == std::string::npos) p.other_flags.push_back(c);
      }
      std::sort(p.other_flags.begin(), p.other_flags.end());
    }
  }
  // Fields after the first ',' of the unique part: S=<size>, U=<uid>, others ignored.
  std::string_view rest = p.base;
  size_t comma = rest.find(',');
  while (comma != std::string_view::npos) {
    rest.remove_prefix(comma + 1);
    comma = rest.find(',');
    std::string_view field = rest.substr(0, comma);
    if (field.size() > 2 && field[1] == '=') {
      if (field[0] == 'S') {
        if (auto v = parse_number(field.substr(2), UINT64_MAX)) p.size = *v;
      } else if (field[0] == 'U') {
        if (auto v = parse_number(field.substr(2), UINT32_MAX); v && *v >= 1) p.uid = static_cast<uint32_t>(*v);
      }
    }
  }
  return p;
}

std::string flag_letters(uint32_t flags, std::string_view other) {
  std::string out;
  for (const auto& l : kLetters)
    if (flags & l.flag) out.push_back(l.c);
  for (char c : other) {
    if (!is_letter(c)) continue;
    bool standard = false;
    for (const auto& l : kLetters) standard = standard || l.c == c;
    if (!standard && out.find(c) == std::string::npos) out.push_back(c);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string name_with_flags(std::string_view base, uint32_t flags, std::string_view other) {
  std::string out(base);
  out += ":2,";
  out += flag_letters(flags, other);
  return out;
}

std::string random_token() {
  unsigned char rnd[8] = {};
  size_t got = 0;
  while (got < sizeof rnd) {
    ssize_t n = ::getrandom(rnd + got, sizeof rnd - got, 0);
    if (n <= 0) break;  // unlikely; the caller's pid/time/counter still keep names unique
    got += static_cast<size_t>(n);
  }
  char hexr[17];
  std::snprintf(hexr, sizeof hexr, "%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5],
                rnd[6], rnd[7]);
  return hexr;
}

std::string unique_base(int64_t now, uint64_t size) {
  // Within one process (any thread), two calls in the same second still differ.
  static std::atomic<uint64_t> counter{0};
  std::string hexr = random_token() + "q" + std::to_string(counter.fetch_add(1) + 1);
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "localhost");
  std::string h;
  for (const char* c = host; *c; ++c) {
    if (*c == '/')
      h += "\\057";
    else if (*c == ':')
      h += "\\072";
    else if (*c == ',')
      h += "\\054";
    else if (static_cast<unsigned char>(*c) < 0x21 || *c == '.')
      h += (*c == '.') ? "." : "_";
    else
      h.push_back(*c);
  }
  if (h.size() > 100) h.resize(100);  // keep whole names far below NAME_MAX
  return std::to_string(now) + "." + std::to_string(::getpid()) + "_" + hexr + "." + h + ",S=" + std::to_string(size);
}

}  // namespace postern::store::maildir
