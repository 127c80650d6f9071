// DMARC record parser: RFC 7489 section 6.3 (tags and defaults), 6.4
// (formal grammar), 6.6.3 (error handling: invalid p/sp with valid rua
// acts as p=none); RFC 9091 section 4 (np tag).
// Trust boundary: record text is from DNS, untrusted; bounded, no throw.
#include "mailauth/dmarc/record.hpp"

#include "common/util/strings.hpp"

#include <cctype>
#include <set>

namespace postern::dmarc {

namespace {

constexpr size_t kMaxRecord = 4096;
constexpr size_t kMaxTags = 64;

bool is_wsp(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ieq(std::string_view a, std::string_view b) { return lower(a) == lower(b); }

std::optional<Alignment> parse_alignment(std::string_view v) {
  if (ieq(v, "r")) return Alignment::relaxed;
  if (ieq(v, "s")) return Alignment::strict;
  return std::nullopt;
}

std::optional<uint64_t> parse_uint(std::string_view v, uint64_t max) {
  if (v.empty() || v.size() > 10) return std::nullopt;
  uint64_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  if (n > max) return std::nullopt;
  return n;
}

// RFC 7489 6.4 dmarc-uri: URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ].
// The URI must have a scheme (RFC 3986 section 3.1) and a non-empty rest
// without whitespace, ',' or '!'.
bool valid_uri(std::string_view u) {
  size_t bang = u.find('!');
  std::string_view uri = u.substr(0, bang);
  if (bang != std::string_view::npos) {
    std::string_view size = u.substr(bang + 1);
    if (size.empty()) return false;
    char last = static_cast<char>(std::tolower(static_cast<unsigned char>(size.back())));
    if (last == 'k' || last == 'm' || last == 'g' || last == 't') size.remove_suffix(1);
    if (!parse_uint(size, UINT32_MAX)) return false;
  }
  size_t colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= uri.size()) return false;
  if (!std::isalpha(static_cast<unsigned char>(uri[0]))) return false;
  for (size_t i = 1; i < colon; ++i) {
    char c = uri[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return false;
  }
  for (size_t i = colon + 1; i < uri.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(uri[i]);
    if (c <= 0x20 || c == 0x7f || c == ',') return false;
  }
  return true;
}

// Comma-separated URI list; returns the valid ones (at most 32), notes the invalid ones.
std::vector<std::string> parse_uris(std::string_view v, const char* tag, std::vector<std::string>& warn) {
  std::vector<std::string> out;
  for (std::string_view item : util::split(v, ',')) {
    if (out.size() >= 32) break;
    std::string_view u = trim(item);
    if (valid_uri(u)) out.emplace_back(u);
    else warn.push_back(std::string(tag) + ": invalid URI ignored");
  }
  return out;
}

// True when v is a non-empty colon-separated list whose every (trimmed) item passes ok.
template <class Pred>
bool colon_list_of(std::string_view v, Pred ok) {
  if (v.empty()) return false;
  for (std::string_view item : util::split(v, ':'))
    if (!ok(trim(item))) return false;
  return true;
}

// fo: 0 / 1 / d / s, colon-separated (6.3).
bool valid_fo(std::string_view v) {
  return colon_list_of(v, [](std::string_view o) { return o == "0" || o == "1" || ieq(o, "d") || ieq(o, "s"); });
}

// rf: colon-separated keywords (6.3; "afrf" is the only registered one).
bool valid_rf(std::string_view v) {
  return colon_list_of(v, [](std::string_view o) {
    if (o.empty()) return false;
    for (char ch : o)
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-') return false;
    return true;
  });
}

}  // namespace

std::string_view to_string(Policy p) {
  switch (p) {
    case Policy::none: return "none";
    case Policy::quarantine: return "quarantine";
    case Policy::reject: return "reject";
  }
  return "none";
}

std::optional<Policy> parse_policy(std::string_view s) {
  if (ieq(s, "none")) return Policy::none;
  if (ieq(s, "quarantine")) return Policy::quarantine;
  if (ieq(s, "reject")) return Policy::reject;
  return std::nullopt;
}

bool is_dmarc_record(std::string_view txt) {
  size_t i = 0;
  while (i < txt.size() && is_wsp(txt[i])) ++i;  // tolerate leading WSP
  if (i >= txt.size() || (txt[i] != 'v' && txt[i] != 'V')) return false;
  ++i;
  while (i < txt.size() && is_wsp(txt[i])) ++i;
  if (i >= txt.size() || txt[i] != '=') return false;
  ++i;
  while (i < txt.size() && is_wsp(txt[i])) ++i;
  if (txt.substr(i, 6) != "DMARC1") return false;
  i += 6;
  while (i < txt.size() && is_wsp(txt[i])) ++i;
  return i == txt.size() || txt[i] == ';';
}

ParseResult parse_record(std::string_view txt) {
  ParseResult r;
  if (!is_dmarc_record(txt)) {
    r.status = ParseStatus::not_dmarc;
    r.error = "not a DMARC record (must begin with v=DMARC1)";
    return r;
  }
  if (txt.size() > kMaxRecord) {
    r.status = ParseStatus::invalid;
    r.error = "record too long";
    return r;
  }
  Record& rec = r.record;
  std::set<std::string> seen;
  bool have_p = false, bad_p = false, bad_sp = false;
  size_t tags = 0, start = 0;
  bool first = true;
  while (start <= txt.size()) {
    size_t semi = txt.find(';', start);
    if (semi == std::string_view::npos) semi = txt.size();
    std::string_view part = trim(txt.substr(start, semi - start));
    start = semi + 1;
    if (part.empty()) {
      if (semi == txt.size()) break;
      continue;  // empty tag-spec (e.g. trailing ';'), allowed by dmarc-sep
    }
    if (++tags > kMaxTags) {
      r.status = ParseStatus::invalid;
      r.error = "too many tags";
      return r;
    }
    size_t eq = part.find('=');
    std::string name = lower(trim(part.substr(0, eq)));
    std::string_view value = eq == std::string_view::npos ? std::string_view{} : trim(part.substr(eq + 1));
    if (first) {  // v=DMARC1, already checked
      first = false;
      seen.insert("v");
      continue;
    }
    if (eq == std::string_view::npos || name.empty()) {
      rec.warnings.push_back("malformed tag-spec ignored");
      continue;
    }
    if (!seen.insert(name).second) {
      rec.warnings.push_back("repeated tag " + name + " ignored");
      continue;
    }
    if (name == "v") {
      rec.warnings.push_back("v tag not first ignored");
    } else if (name == "p") {
      if (auto p = parse_policy(value)) { rec.p = *p; have_p = true; }
      else bad_p = true;
    } else if (name == "sp") {
      if (auto p = parse_policy(value)) rec.sp = *p;
      else bad_sp = true;
    } else if (name == "np") {
      if (auto p = parse_policy(value)) rec.np = *p;
      else rec.warnings.push_back("np: invalid value ignored");
    } else if (name == "pct") {
      if (auto n = parse_uint(value, 100)) rec.pct = static_cast<int>(*n);
      else rec.warnings.push_back("pct: invalid value, default 100");
    } else if (name == "adkim") {
      if (auto a = parse_alignment(value)) rec.adkim = *a;
      else rec.warnings.push_back("adkim: invalid value, default r");
    } else if (name == "aspf") {
      if (auto a = parse_alignment(value)) rec.aspf = *a;
      else rec.warnings.push_back("aspf: invalid value, default r");
    } else if (name == "rua") {
      rec.rua = parse_uris(value, "rua", rec.warnings);
    } else if (name == "ruf") {
      rec.ruf = parse_uris(value, "ruf", rec.warnings);
    } else if (name == "fo") {
      if (valid_fo(value)) rec.fo = std::string(value);
      else rec.warnings.push_back("fo: invalid value, default 0");
    } else if (name == "rf") {
      if (valid_rf(value)) rec.rf = std::string(value);
      else rec.warnings.push_back("rf: invalid value, default afrf");
    } else if (name == "ri") {
      if (auto n = parse_uint(value, UINT32_MAX)) rec.ri = static_cast<uint32_t>(*n);
      else rec.warnings.push_back("ri: invalid value, default 86400");
    }
    // Unknown tags MUST be ignored (6.3).
    if (semi == txt.size()) break;
  }
  if (!have_p || bad_p || bad_sp) {
    // RFC 7489 6.6.3 step 6: a record without a valid p, or with an invalid
    // sp, acts as p=none when rua holds a valid URI; otherwise it is ignored.
    if (!rec.rua.empty()) {
      rec.p = Policy::none;
      rec.sp.reset();
      rec.np.reset();
      rec.p_defaulted = true;
      rec.warnings.push_back(!have_p && !bad_p ? "p missing: acting as p=none (rua present)"
                                               : "p/sp invalid: acting as p=none (rua present)");
    } else {
      r.status = ParseStatus::invalid;
      r.error = !have_p && !bad_p ? "required tag p missing" : "invalid p or sp value";
      return r;
    }
  }
  r.status = ParseStatus::ok;
  return r;
}

}  // namespace postern::dmarc
