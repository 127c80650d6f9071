// SPF check_host() (RFC 7208 section 4) over the asynchronous dns::Resolver.
// Trust boundary: client IP / HELO / MAIL FROM from the SMTP client, records
// from DNS. Work is bounded by section 4.6.4: at most 10 DNS-querying
// mechanisms and modifiers, at most 2 void lookups, at most 10 MX names per
// "mx" (more is a permerror) and 10 PTR names per "ptr" / %{p}.
// Sections: 4.3 (initial processing), 4.4-4.5 (record lookup and selection),
// 4.6 (evaluation), 4.7-4.8 (default result, domain-spec), 5.1-5.7
// (mechanisms), 6.1 (redirect), 6.2 (exp), 7 (macros).
#include "mailauth/spf/macro.hpp"
#include "mailauth/spf/record.hpp"
#include "mailauth/spf/spf.hpp"
#include "common/dns/names.hpp"

#include <algorithm>
#include <ctime>
#include <vector>

namespace postern::spf {

namespace {

constexpr int max_recursion = 32;          // guards include/redirect nesting beyond the lookup limit
constexpr size_t max_names_per_lookup = 10; // section 4.6.4 (MX and PTR)
constexpr size_t max_explanation = 1024;

struct Session {
  dns::Resolver& resolver;
  IpAddress ip;
  MacroValues values;  // values.domain is set per evaluation
  Options options;
  int dns_terms = 0;
  int void_lookups = 0;
  std::optional<std::vector<std::string>> validated;  // PTR names that map back to ip
};

// Result of one mechanism: no match, match, or an error that ends check_host.
struct Outcome {
  enum Kind { no_match, match, temperror, permerror } kind = no_match;
  std::string problem;
};

Outcome temp(std::string why) { return {Outcome::temperror, std::move(why)}; }
Outcome perm(std::string why) { return {Outcome::permerror, std::move(why)}; }

std::string reverse_name(const IpAddress& ip) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  if (!ip.v6) {
    for (int i = 3; i >= 0; --i) out += std::to_string(ip.bytes[size_t(i)]) + ".";
    return out + "in-addr.arpa";
  }
  for (int i = 15; i >= 0; --i) {
    out += hex[ip.bytes[size_t(i)] & 15];
    out += '.';
    out += hex[ip.bytes[size_t(i)] >> 4];
    out += '.';
  }
  return out + "ip6.arpa";
}

// Section 7.3: "i" is the dotted quad, or for IPv6 the 32 nibbles dot-separated
// (uppercase hex, as in the RFC's examples).
std::string dotted_ip(const IpAddress& ip) {
  if (!ip.v6) return ip.to_string();
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < 16; ++i) {
    if (i) out += '.';
    out += hex[ip.bytes[i] >> 4];
    out += '.';
    out += hex[ip.bytes[i] & 15];
  }
  return out;
}

std::vector<IpAddress> parse_addresses(const dns::Answer& a, bool v6) {
  std::vector<IpAddress> out;
  for (const auto& s : a.addrs) {
    auto ip = v6 ? IpAddress::parse_v6(s) : IpAddress::parse_v4(s);
    if (ip) out.push_back(*ip);
  }
  return out;
}

enum class LookupStatus { ok, empty, temperror, void_limit };

// One DNS query made on behalf of a mechanism; an empty answer (NXDOMAIN,
// NODATA, or a name that cannot be queried) is a "void lookup" (4.6.4).
awaitable<LookupStatus> lookup(Session& s, const std::string& name, dns::RType type, bool count_void,
                               dns::Answer& out) {
  if (dns::valid_query_name(name)) {
    out = co_await s.resolver.query(name, type);
    if (out.status == dns::Status::temperror) co_return LookupStatus::temperror;
    if (out.status == dns::Status::ok) co_return LookupStatus::ok;
  } else {
    out = dns::Answer{};
    out.status = dns::Status::permerror;
  }
  if (count_void && ++s.void_lookups > s.options.max_void_lookups) co_return LookupStatus::void_limit;
  co_return LookupStatus::empty;
}

// The names of the PTR records for the client IP whose A/AAAA records lead
// back to it (section 5.5); DNS errors only remove candidates.
awaitable<std::vector<std::string>> validated_names(Session& s, bool count_void, bool& void_limit) {
  std::vector<std::string> out;
  dns::Answer ptr;
  auto st = co_await lookup(s, reverse_name(s.ip), dns::RType::PTR, count_void, ptr);
  if (st == LookupStatus::void_limit) void_limit = true;
  if (st != LookupStatus::ok) co_return out;
  size_t n = std::min(ptr.names.size(), max_names_per_lookup);
  for (size_t i = 0; i < n; ++i) {
    dns::Answer addr;
    auto ast = co_await lookup(s, ptr.names[i], s.ip.v6 ? dns::RType::AAAA : dns::RType::A, false, addr);
    if (ast != LookupStatus::ok) continue;
    for (const auto& a : parse_addresses(addr, s.ip.v6)) {
      if (a.matches(s.ip, s.ip.v6 ? 128 : 32)) {
        out.push_back(dns::normalize_name(ptr.names[i]));
        break;
      }
    }
  }
  co_return out;
}

bool domain_within(std::string_view name, std::string_view domain) {
  std::string n = dns::normalize_name(name), d = dns::normalize_name(domain);
  return n == d || (n.size() > d.size() && n.compare(n.size() - d.size(), d.size(), d) == 0 &&
                    n[n.size() - d.size() - 1] == '.');
}

// Section 7.3 "p": a validated name, preferably <domain> or a subdomain of it.
awaitable<void> ensure_p(Session& s) {
  if (!s.validated) {
    bool ignored = false;
    s.validated = co_await validated_names(s, false, ignored);
  }
  const auto& names = *s.validated;
  std::string pick = "unknown";
  for (const auto& n : names)
    if (n == dns::normalize_name(s.values.domain)) pick = n;
  if (pick == "unknown")
    for (const auto& n : names)
      if (domain_within(n, s.values.domain)) {
        pick = n;
        break;
      }
  if (pick == "unknown" && !names.empty()) pick = names.front();
  s.values.validated = pick;
}

awaitable<std::optional<std::string>> expand(Session& s, std::string_view text, MacroContext ctx) {
  if (uses_p_macro(text)) co_await ensure_p(s);
  co_return expand_macros(text, s.values, ctx);
}

// Section 4.8: the target name of a mechanism or modifier.
awaitable<std::optional<std::string>> target_domain(Session& s, std::string_view spec) {
  if (spec.empty()) co_return s.values.domain;
  auto e = co_await expand(s, spec, MacroContext::domain);
  if (!e) co_return std::nullopt;
  co_return finish_domain(std::move(*e));
}

// Section 6.2: the explanation for a fail result. Any problem with exp=
// silently falls back to the default explanation.
awaitable<std::string> explain(Session& s, const std::optional<std::string>& exp) {
  std::string fallback =
      (co_await expand(s, s.options.default_explanation, MacroContext::explanation)).value_or(s.options.default_explanation);
  if (!exp) co_return fallback;
  auto target = co_await target_domain(s, *exp);
  if (!target || !dns::valid_query_name(*target)) co_return fallback;
  dns::Answer a = co_await s.resolver.query(*target, dns::RType::TXT);
  if (a.status != dns::Status::ok || a.txt.size() != 1) co_return fallback;
  for (unsigned char c : a.txt[0])
    if (c > 0x7e) co_return fallback;  // section 6.2: US-ASCII only
  auto text = co_await expand(s, a.txt[0], MacroContext::explanation);
  if (!text) co_return fallback;
  if (text->size() > max_explanation) text->resize(max_explanation);
  co_return *text;
}

awaitable<Result> evaluate(Session& s, std::string domain, int depth);

awaitable<Outcome> match_addresses(Session& s, const std::string& name, const Mechanism& m, bool count_void) {
  dns::Answer a;
  auto st = co_await lookup(s, name, s.ip.v6 ? dns::RType::AAAA : dns::RType::A, count_void, a);
  if (st == LookupStatus::temperror) co_return temp("DNS failure looking up " + name + ": " + a.error);
  if (st == LookupStatus::void_limit) co_return perm("more than " + std::to_string(s.options.max_void_lookups) + " void lookups");
  if (st != LookupStatus::ok) co_return Outcome{};
  for (const auto& addr : parse_addresses(a, s.ip.v6))
    if (s.ip.matches(addr, s.ip.v6 ? m.cidr6 : m.cidr4)) co_return Outcome{Outcome::match, {}};
  co_return Outcome{};
}

awaitable<Outcome> match(Session& s, const Mechanism& m, int depth) {
  switch (m.kind) {
    case MechanismKind::all:
      co_return Outcome{Outcome::match, {}};
    case MechanismKind::ip4:
    case MechanismKind::ip6:
      if (s.ip.matches(m.network, m.kind == MechanismKind::ip4 ? m.cidr4 : m.cidr6))
        co_return Outcome{Outcome::match, {}};
      co_return Outcome{};
    default:
      break;
  }
  auto target = co_await target_domain(s, m.domain_spec);
  if (!target) co_return perm("macro error in " + m.text);
  switch (m.kind) {
    case MechanismKind::include: {  // section 5.2
      std::string saved = s.values.domain;
      Result r = co_await evaluate(s, *target, depth + 1);
      s.values.domain = saved;
      switch (r.code) {
        case Code::pass: co_return Outcome{Outcome::match, {}};
        case Code::fail:
        case Code::softfail:
        case Code::neutral: co_return Outcome{};
        case Code::temperror: co_return temp(r.problem);
        case Code::permerror: co_return perm(r.problem);
        case Code::none: co_return perm("included domain " + *target + " has no SPF record");
      }
      co_return Outcome{};
    }
    case MechanismKind::a:  // section 5.3
      co_return co_await match_addresses(s, *target, m, true);
    case MechanismKind::mx: {  // section 5.4
      dns::Answer mx;
      auto st = co_await lookup(s, *target, dns::RType::MX, true, mx);
      if (st == LookupStatus::temperror) co_return temp("DNS failure looking up MX " + *target + ": " + mx.error);
      if (st == LookupStatus::void_limit) co_return perm("too many void lookups");
      if (st != LookupStatus::ok) co_return Outcome{};
      if (mx.mx.size() > max_names_per_lookup) co_return perm("more than 10 MX records for " + *target);
      for (const auto& rec : mx.mx) {
        if (rec.host.empty() || rec.host == ".") continue;  // null MX (RFC 7505)
        Outcome o = co_await match_addresses(s, rec.host, m, false);
        if (o.kind != Outcome::no_match) co_return o;
      }
      co_return Outcome{};
    }
    case MechanismKind::ptr: {  // section 5.5
      bool void_limit = false;
      if (!s.validated) s.validated = co_await validated_names(s, true, void_limit);
      if (void_limit) co_return perm("too many void lookups");
      for (const auto& n : *s.validated)
        if (domain_within(n, *target)) co_return Outcome{Outcome::match, {}};
      co_return Outcome{};
    }
    case MechanismKind::exists: {  // section 5.7: always an A query
      dns::Answer a;
      auto st = co_await lookup(s, *target, dns::RType::A, true, a);
      if (st == LookupStatus::temperror) co_return temp("DNS failure looking up " + *target + ": " + a.error);
      if (st == LookupStatus::void_limit) co_return perm("too many void lookups");
      co_return Outcome{st == LookupStatus::ok ? Outcome::match : Outcome::no_match, {}};
    }
    default:
      co_return Outcome{};
  }
}

Code code_of(Qualifier q) {
  switch (q) {
    case Qualifier::pass: return Code::pass;
    case Qualifier::fail: return Code::fail;
    case Qualifier::softfail: return Code::softfail;
    case Qualifier::neutral: return Code::neutral;
  }
  return Code::neutral;
}

awaitable<Result> evaluate(Session& s, std::string domain, int depth) {
  Result res;
  domain = dns::normalize_name(domain);
  res.domain = domain;
  auto fail_with = [&](Code c, std::string why) {
    res.code = c;
    res.problem = std::move(why);
    return res;
  };
  // Section 4.3: a malformed or single-label domain gives "none".
  if (!valid_spf_domain(domain)) co_return fail_with(Code::none, "not a valid domain name: " + domain);
  if (depth > max_recursion) co_return fail_with(Code::permerror, "include/redirect nesting too deep");
  s.values.domain = domain;

  // Sections 4.4 and 4.5: the TXT records of <domain>, exactly one "v=spf1".
  dns::Answer txt = co_await s.resolver.query(domain, dns::RType::TXT);
  if (txt.status == dns::Status::temperror)
    co_return fail_with(Code::temperror, "DNS failure looking up TXT " + domain + ": " + txt.error);
  const std::string* chosen = nullptr;
  if (txt.status == dns::Status::ok) {
    for (const auto& t : txt.txt) {
      if (!is_spf1_record(t)) continue;
      if (chosen) co_return fail_with(Code::permerror, "more than one SPF record at " + domain);
      chosen = &t;
    }
  }
  if (!chosen) co_return fail_with(Code::none, "no SPF record at " + domain);
  ParseResult parsed = parse_record(*chosen);
  if (!parsed.record) co_return fail_with(Code::permerror, "SPF record of " + domain + ": " + parsed.error);
  const Record& rec = *parsed.record;

  // Section 4.6: mechanisms left to right; the first match decides.
  for (const auto& m : rec.mechanisms) {
    if (m.needs_dns() && ++s.dns_terms > s.options.max_dns_mechanisms)
      co_return fail_with(Code::permerror, "more than " + std::to_string(s.options.max_dns_mechanisms) +
                                               " DNS-querying mechanisms (RFC 7208 4.6.4)");
    Outcome o = co_await match(s, m, depth);
    s.values.domain = domain;
    if (o.kind == Outcome::temperror) co_return fail_with(Code::temperror, o.problem);
    if (o.kind == Outcome::permerror) co_return fail_with(Code::permerror, o.problem);
    if (o.kind == Outcome::match) {
      res.code = code_of(m.qualifier);
      res.mechanism = m.text;
      if (res.code == Code::fail) res.explanation = co_await explain(s, rec.exp);
      co_return res;
    }
  }
  // Section 6.1: redirect= when nothing matched; a target without a record is a permerror.
  if (rec.redirect) {
    if (++s.dns_terms > s.options.max_dns_mechanisms)
      co_return fail_with(Code::permerror, "more than " + std::to_string(s.options.max_dns_mechanisms) +
                                               " DNS-querying mechanisms (RFC 7208 4.6.4)");
    auto target = co_await target_domain(s, *rec.redirect);
    if (!target) co_return fail_with(Code::permerror, "macro error in redirect=" + *rec.redirect);
    Result r = co_await evaluate(s, *target, depth + 1);
    if (r.code == Code::none) {
      r.code = Code::permerror;
      r.problem = "redirect target " + *target + " has no SPF record";
    }
    co_return r;
  }
  res.code = Code::neutral;  // section 4.7
  co_return res;
}

}  // namespace

std::string_view to_string(Code c) {
  switch (c) {
    case Code::none: return "none";
    case Code::neutral: return "neutral";
    case Code::pass: return "pass";
    case Code::fail: return "fail";
    case Code::softfail: return "softfail";
    case Code::temperror: return "temperror";
    case Code::permerror: return "permerror";
  }
  return "none";
}

awaitable<Result> check_host(dns::Resolver& resolver, asio::ip::address ip, std::string domain, std::string sender,
                             std::string helo, Options options) {
  auto parsed_ip = IpAddress::parse(ip.to_string());
  if (!parsed_ip) {
    Result r;
    r.code = Code::permerror;
    r.problem = "unusable client address";
    co_return r;
  }
  Session s{resolver, *parsed_ip, {}, std::move(options)};
  // Section 4.3: an empty local-part becomes "postmaster".
  std::string_view local, sdomain = sender;
  if (size_t at = sdomain.rfind('@'); at != std::string_view::npos) {
    local = sdomain.substr(0, at);
    sdomain = sdomain.substr(at + 1);
  }
  MacroValues& v = s.values;
  v.local_part = local.empty() ? "postmaster" : std::string(local);
  v.sender_domain = std::string(sdomain);
  v.sender = v.local_part + "@" + v.sender_domain;
  v.ip_dotted = dotted_ip(s.ip);
  v.ip_readable = s.ip.to_string();
  v.ip_version = s.ip.v6 ? "ip6" : "in-addr";
  v.helo = helo;
  v.receiver = s.options.receiver.empty() ? "unknown" : s.options.receiver;
  v.timestamp = std::to_string(s.options.now ? *s.options.now : int64_t(std::time(nullptr)));
  v.validated = "unknown";
  Result r = co_await evaluate(s, std::move(domain), 0);
  co_return r;
}

awaitable<Result> check_mail_from(dns::Resolver& resolver, asio::ip::address ip, std::string mail_from,
                                  std::string helo, Options options) {
  if (mail_from.empty()) co_return co_await check_helo(resolver, ip, helo, std::move(options));
  std::string domain = mail_from;
  if (size_t at = mail_from.rfind('@'); at != std::string::npos) domain = mail_from.substr(at + 1);
  co_return co_await check_host(resolver, ip, std::move(domain), mail_from, helo, std::move(options));
}

awaitable<Result> check_helo(dns::Resolver& resolver, asio::ip::address ip, std::string helo,
                             Options options) {
  std::string sender = "postmaster@" + helo;
  co_return co_await check_host(resolver, ip, helo, sender, helo, std::move(options));
}

}  // namespace postern::spf
