// SPF record parser (see record.hpp). RFC 7208 sections 4.5, 4.6, 5, 6, 12.
// Trust boundary: record text from DNS; bounded, never trusted.
#include "mailauth/spf/record.hpp"

#include "mailauth/spf/macro.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace postern::spf {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }

// "0" / %x31-39 *DIGIT, at most max; -1 when not a valid length.
int parse_cidr(std::string_view s, int max) {
  if (s.empty() || s.size() > 3) return -1;
  if (s.size() > 1 && s[0] == '0') return -1;
  int v = 0;
  for (char c : s) {
    if (!is_digit(c)) return -1;
    v = v * 10 + (c - '0');
  }
  return v <= max ? v : -1;
}

// Removes a trailing "/digits" from s if present; returns the digits (or nullopt).
std::optional<std::string_view> take_suffix_cidr(std::string_view& s, std::string_view sep) {
  size_t pos = s.rfind('/');
  if (pos == std::string_view::npos || pos + 1 == s.size()) return std::nullopt;
  std::string_view digits = s.substr(pos + 1);
  for (char c : digits)
    if (!is_digit(c)) return std::nullopt;
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
  if (sep.size() == 2) {  // "//"
    if (pos == 0 || s[pos - 1] != '/') return std::nullopt;
    s = s.substr(0, pos - 1);
  } else {
    s = s.substr(0, pos);
  }
  return digits;
}

// toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
bool valid_toplabel(std::string_view l) {
  if (l.empty()) return false;
  bool has_alpha = false, has_dash = false;
  for (char c : l) {
    if (is_alpha(c)) has_alpha = true;
    else if (c == '-') has_dash = true;
    else if (!is_digit(c)) return false;
  }
  if (!has_dash) return has_alpha;
  return is_alnum(l.front()) && is_alnum(l.back());
}

bool valid_modifier_name(std::string_view n) {
  if (n.empty() || !is_alpha(n[0])) return false;
  for (char c : n)
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

}  // namespace

// ---- IpAddress ----

std::optional<IpAddress> IpAddress::parse_v4(std::string_view text) {
  // inet_pton(AF_INET) accepts exactly the dotted quad of RFC 7208's ip4-network
  // (no leading zeros, no shorthand); we still bound the input first.
  if (text.empty() || text.size() > 15) return std::nullopt;
  char buf[16];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = 0;
  IpAddress a;
  if (inet_pton(AF_INET, buf, a.bytes.data()) != 1) return std::nullopt;
  // glibc accepts "01.2.3.4"? Reject leading zeros explicitly.
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '.') {
      if (i - start > 1 && text[start] == '0') return std::nullopt;
      start = i + 1;
    }
  }
  return a;
}

std::optional<IpAddress> IpAddress::parse_v6(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  char buf[46];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = 0;
  IpAddress a;
  a.v6 = true;
  if (inet_pton(AF_INET6, buf, a.bytes.data()) != 1) return std::nullopt;
  return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (auto a = parse_v4(text)) return a;
  auto a = parse_v6(text);
  if (!a) return std::nullopt;
  static constexpr uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(a->bytes.data(), mapped, 12) == 0) {
    IpAddress v4;
    std::memcpy(v4.bytes.data(), a->bytes.data() + 12, 4);
    return v4;
  }
  return a;
}

bool IpAddress::matches(const IpAddress& network, int prefix) const {
  if (v6 != network.v6) return false;
  int max = v6 ? 128 : 32;
  if (prefix < 0 || prefix > max) return false;
  int full = prefix / 8, rest = prefix % 8;
  if (std::memcmp(bytes.data(), network.bytes.data(), size_t(full)) != 0) return false;
  if (rest == 0) return true;
  uint8_t mask = uint8_t(0xff << (8 - rest));
  return (bytes[size_t(full)] & mask) == (network.bytes[size_t(full)] & mask);
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN];
  if (!inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf)) return {};
  return buf;
}

// ---- Mechanism ----

bool Mechanism::needs_dns() const {
  switch (kind) {
    case MechanismKind::include:
    case MechanismKind::a:
    case MechanismKind::mx:
    case MechanismKind::ptr:
    case MechanismKind::exists:
      return true;
    default:
      return false;
  }
}

// ---- record ----

bool is_spf1_record(std::string_view txt) {
  if (txt.size() < 6 || !iequal(txt.substr(0, 6), "v=spf1")) return false;
  return txt.size() == 6 || txt[6] == ' ';
}

bool valid_domain_spec(std::string_view spec) {
  if (spec.empty() || !valid_macro_string(spec, MacroContext::domain)) return false;
  // domain-end = ( "." toplabel [ "." ] ) / macro-expand: walk the tokens to
  // see whether the last one is a macro-expand.
  bool last_is_macro = false;
  for (size_t i = 0; i < spec.size();) {
    if (spec[i] == '%') {
      last_is_macro = true;
      if (spec[i + 1] == '{') i = spec.find('}', i) + 1;  // valid_macro_string ensured the '}'
      else i += 2;
    } else {
      last_is_macro = false;
      ++i;
    }
  }
  if (last_is_macro) return true;
  std::string_view s = spec;
  if (s.back() == '.') s.remove_suffix(1);
  size_t dot = s.rfind('.');
  if (dot == std::string_view::npos) return false;
  return valid_toplabel(s.substr(dot + 1));
}

namespace {

bool parse_mechanism(std::string_view term, Mechanism& m, std::string& error) {
  m.text = std::string(term);
  std::string_view t = term;
  switch (t[0]) {
    case '+': m.qualifier = Qualifier::pass; t.remove_prefix(1); break;
    case '-': m.qualifier = Qualifier::fail; t.remove_prefix(1); break;
    case '~': m.qualifier = Qualifier::softfail; t.remove_prefix(1); break;
    case '?': m.qualifier = Qualifier::neutral; t.remove_prefix(1); break;
    default: break;
  }
  // dual-cidr-length is taken from the end (section 5.6), then name ":" argument.
  std::string_view rest = t;
  auto cidr6 = take_suffix_cidr(rest, "//");
  auto cidr4 = take_suffix_cidr(rest, "/");
  std::string_view name = rest, arg;
  bool has_arg = false;
  if (size_t colon = rest.find(':'); colon != std::string_view::npos) {
    name = rest.substr(0, colon);
    arg = rest.substr(colon + 1);
    has_arg = true;
  }
  auto bad = [&](const char* why) {
    error = std::string(why) + ": " + std::string(term);
    return false;
  };
  if (iequal(name, "all")) m.kind = MechanismKind::all;
  else if (iequal(name, "include")) m.kind = MechanismKind::include;
  else if (iequal(name, "a")) m.kind = MechanismKind::a;
  else if (iequal(name, "mx")) m.kind = MechanismKind::mx;
  else if (iequal(name, "ptr")) m.kind = MechanismKind::ptr;
  else if (iequal(name, "ip4")) m.kind = MechanismKind::ip4;
  else if (iequal(name, "ip6")) m.kind = MechanismKind::ip6;
  else if (iequal(name, "exists")) m.kind = MechanismKind::exists;
  else return bad("unknown mechanism");

  switch (m.kind) {
    case MechanismKind::all:
      if (has_arg || cidr4 || cidr6) return bad("all takes no argument");
      return true;
    case MechanismKind::include:
    case MechanismKind::exists:
    case MechanismKind::ptr:
      if (cidr4 || cidr6) return bad("CIDR length not allowed");
      if (m.kind != MechanismKind::ptr && !has_arg) return bad("domain-spec required");
      if (has_arg && !valid_domain_spec(arg)) return bad("invalid domain-spec");
      m.domain_spec = std::string(arg);
      return true;
    case MechanismKind::a:
    case MechanismKind::mx:
      if (has_arg && !valid_domain_spec(arg)) return bad("invalid domain-spec");
      m.domain_spec = std::string(arg);
      if (cidr4 && (m.cidr4 = parse_cidr(*cidr4, 32)) < 0) return bad("invalid ip4-cidr-length");
      if (cidr6 && (m.cidr6 = parse_cidr(*cidr6, 128)) < 0) return bad("invalid ip6-cidr-length");
      return true;
    case MechanismKind::ip4: {
      if (cidr6 || !has_arg) return bad("invalid ip4 mechanism");
      auto a = IpAddress::parse_v4(arg);
      if (!a) return bad("invalid ip4-network");
      m.network = *a;
      if (cidr4 && (m.cidr4 = parse_cidr(*cidr4, 32)) < 0) return bad("invalid ip4-cidr-length");
      return true;
    }
    case MechanismKind::ip6: {
      if (cidr6 || !has_arg) return bad("invalid ip6 mechanism");
      auto a = IpAddress::parse_v6(arg);
      if (!a) return bad("invalid ip6-network");
      m.network = *a;
      if (cidr4 && (m.cidr6 = parse_cidr(*cidr4, 128)) < 0) return bad("invalid ip6-cidr-length");
      return true;
    }
  }
  return bad("unknown mechanism");
}

}  // namespace

ParseResult parse_record(std::string_view text) {
  ParseResult out;
  if (text.size() > max_record_size) {
    out.error = "record too long";
    return out;
  }
  if (!is_spf1_record(text)) {
    out.error = "not an SPF version 1 record";
    return out;
  }
  // Section 3.1 / 4.6.1: printable US-ASCII terms separated by one or more SP.
  for (unsigned char c : text) {
    if (c < 0x20 || c > 0x7e) {
      out.error = c > 0x7e ? "non-ASCII character in record" : "control character in record";
      return out;
    }
  }
  Record r;
  size_t pos = 6;
  while (pos < text.size()) {
    if (text[pos] == ' ') {
      ++pos;
      continue;
    }
    size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view term = text.substr(pos, end - pos);
    pos = end;

    // modifier = name "=" macro-string, where name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
    size_t eq = term.find('=');
    size_t other = term.find_first_of(":/");
    if (eq != std::string_view::npos && (other == std::string_view::npos || eq < other) &&
        valid_modifier_name(term.substr(0, eq))) {
      std::string_view name = term.substr(0, eq), value = term.substr(eq + 1);
      if (iequal(name, "redirect") || iequal(name, "exp")) {
        auto& slot = iequal(name, "redirect") ? r.redirect : r.exp;
        if (slot) {  // section 6: each at most once
          out.error = "duplicate " + std::string(name) + " modifier";
          return out;
        }
        if (!valid_domain_spec(value)) {
          out.error = "invalid domain-spec in " + std::string(term);
          return out;
        }
        slot = std::string(value);
      } else if (!valid_macro_string(value, MacroContext::domain)) {
        // Section 6: unknown modifiers are ignored, but must still parse.
        out.error = "invalid macro-string in " + std::string(term);
        return out;
      }
      continue;
    }
    Mechanism m;
    if (!parse_mechanism(term, m, out.error)) return out;
    if (r.mechanisms.size() >= 1000) {
      out.error = "too many terms";
      return out;
    }
    r.mechanisms.push_back(std::move(m));
  }
  out.record = std::move(r);
  return out;
}

}  // namespace postern::spf

namespace postern::spf {

bool valid_spf_domain(std::string_view d) {
  if (!d.empty() && d.back() == '.') d.remove_suffix(1);
  if (d.empty() || d.size() > 253) return false;
  size_t start = 0;
  int labels = 0;
  for (size_t i = 0; i <= d.size(); ++i) {
    if (i == d.size() || d[i] == '.') {
      size_t len = i - start;
      if (len == 0 || len > 63) return false;
      ++labels;
      if (i == d.size() && !valid_toplabel(d.substr(start))) return false;
      start = i + 1;
    }
  }
  return labels >= 2;
}

}  // namespace postern::spf
