// DMARC evaluation: RFC 7489 3.1 (identifier alignment), 6.6.1 (From
// extraction, see from.hpp for the multi-From choice), 6.6.2 (result),
// 6.6.3 (policy discovery with org-domain fallback; several records = no
// policy), 6.6.4 (pct sampling, one step milder when sampled out);
// RFC 9091 section 4 (np for non-existent subdomains: NXDOMAIN or NODATA for
// A, AAAA and MX).
// Trust boundary: headers and DNS data are untrusted; at most 5 queries.
#include "mailauth/dmarc/evaluate.hpp"

#include "mailauth/dmarc/header_fields.hpp"
#include "mailauth/dmarc/idna.hpp"

#include <random>

// g++ 12 at -O2 reports a false -Wmismatched-new-delete on every asio
// awaitable frame (allocated and freed by asio's own operator new/delete
// pair); silenced for this file's coroutines only.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace postern::dmarc {

namespace {

uint32_t default_random(uint32_t bound) {
  thread_local std::mt19937 gen{std::random_device{}()};
  return std::uniform_int_distribution<uint32_t>(0, bound - 1)(gen);
}

enum class Lookup { found, none, temperror };

struct Discovered {
  Lookup status = Lookup::none;
  Record record;
  bool terminal = false;  // several or an invalid DMARC record: discovery ends here (6.6.3 steps 5-6)
  std::string note;
};

// 6.6.3 steps 1-2 and 5 for one name: TXT _dmarc.<domain>, keep records that
// begin with v=DMARC1; exactly one valid record is a policy.
asio::awaitable<Discovered> lookup(dns::Resolver& resolver, const std::string& domain) {
  Discovered d;
  dns::Answer a = co_await resolver.query("_dmarc." + domain, dns::RType::TXT);
  if (a.status == dns::Status::temperror) {
    d.status = Lookup::temperror;
    d.note = "DNS error for _dmarc." + domain + (a.error.empty() ? "" : ": " + a.error);
    co_return d;
  }
  if (a.status != dns::Status::ok) {
    d.note = "no record at _dmarc." + domain;
    co_return d;
  }
  std::vector<const std::string*> dmarc;
  for (const auto& t : a.txt)
    if (is_dmarc_record(t)) dmarc.push_back(&t);
  if (dmarc.empty()) {
    d.note = "no DMARC record at _dmarc." + domain;
    co_return d;
  }
  if (dmarc.size() > 1) {
    d.terminal = true;
    d.note = "several DMARC records at _dmarc." + domain + ": no policy (6.6.3)";
    co_return d;
  }
  ParseResult pr = parse_record(*dmarc.front());
  if (pr.status != ParseStatus::ok) {
    d.terminal = true;
    d.note = "invalid DMARC record at _dmarc." + domain + ": " + pr.error;
    co_return d;
  }
  d.status = Lookup::found;
  d.record = std::move(pr.record);
  co_return d;
}

// RFC 9091 2.7: non-existent = NXDOMAIN or NODATA for A, AAAA and MX.
// Any positive answer or DNS error counts as existing (no np).
asio::awaitable<bool> nonexistent(dns::Resolver& resolver, const std::string& domain) {
  for (dns::RType t : {dns::RType::A, dns::RType::AAAA, dns::RType::MX}) {
    dns::Answer a = co_await resolver.query(domain, t);
    if (a.status != dns::Status::nxdomain && a.status != dns::Status::nodata) co_return false;
  }
  co_return true;
}

Policy milder(Policy p) {
  return p == Policy::reject ? Policy::quarantine : Policy::none;
}

}  // namespace

std::optional<SpfResult> parse_spf_result(std::string_view s) {
  for (SpfResult r : {SpfResult::none, SpfResult::neutral, SpfResult::pass, SpfResult::fail,
                      SpfResult::softfail, SpfResult::temperror, SpfResult::permerror})
    if (iequals_ascii(s, to_string(r))) return r;
  return std::nullopt;
}

std::optional<DkimResult> parse_dkim_result(std::string_view s) {
  for (DkimResult r : {DkimResult::none, DkimResult::pass, DkimResult::fail, DkimResult::policy,
                       DkimResult::neutral, DkimResult::temperror, DkimResult::permerror})
    if (iequals_ascii(s, to_string(r))) return r;
  return std::nullopt;
}

std::string_view to_string(SpfResult r) {
  switch (r) {
    case SpfResult::none: return "none";
    case SpfResult::neutral: return "neutral";
    case SpfResult::pass: return "pass";
    case SpfResult::fail: return "fail";
    case SpfResult::softfail: return "softfail";
    case SpfResult::temperror: return "temperror";
    case SpfResult::permerror: return "permerror";
  }
  return "none";
}

std::string_view to_string(DkimResult r) {
  switch (r) {
    case DkimResult::none: return "none";
    case DkimResult::pass: return "pass";
    case DkimResult::fail: return "fail";
    case DkimResult::policy: return "policy";
    case DkimResult::neutral: return "neutral";
    case DkimResult::temperror: return "temperror";
    case DkimResult::permerror: return "permerror";
  }
  return "none";
}

std::string_view to_string(Result r) {
  switch (r) {
    case Result::none: return "none";
    case Result::pass: return "pass";
    case Result::fail: return "fail";
    case Result::temperror: return "temperror";
    case Result::permerror: return "permerror";
  }
  return "none";
}

bool aligned(std::string_view identifier_domain, std::string_view from_domain, Alignment mode,
             const PublicSuffixList& psl) {
  auto a = to_ascii_domain(identifier_domain);
  auto b = to_ascii_domain(from_domain);
  if (!a || !b) return false;
  if (*a == *b) return true;
  if (mode == Alignment::strict) return false;
  return psl.organizational_domain(*a) == psl.organizational_domain(*b);
}

asio::awaitable<Evaluation> evaluate(dns::Resolver& resolver, Input input, Options options) {
  const PublicSuffixList& psl = options.psl ? *options.psl : PublicSuffixList::shared();
  Evaluation e;
  e.from = extract_from(input.header_block);
  if (e.from.status != FromStatus::ok) {
    // 6.6.1: no usable single author domain. Fail closed (see from.hpp).
    e.result = Result::permerror;
    e.reason = e.from.error;
    co_return e;
  }
  e.from_domain = e.from.domain;
  e.org_domain = psl.organizational_domain(e.from_domain);

  // Policy discovery (6.6.3).
  Discovered d = co_await lookup(resolver, e.from_domain);
  std::string where = e.from_domain;
  if (d.status == Lookup::none && !d.terminal && e.org_domain != e.from_domain) {
    d = co_await lookup(resolver, e.org_domain);
    where = e.org_domain;
  }

  // Alignment (3.1) is computed even without a policy, for the log.
  const Alignment aspf = d.status == Lookup::found ? d.record.aspf : Alignment::relaxed;
  const Alignment adkim = d.status == Lookup::found ? d.record.adkim : Alignment::relaxed;
  e.spf_aligned = input.spf.result == SpfResult::pass && !input.spf.domain.empty() &&
                  aligned(input.spf.domain, e.from_domain, aspf, psl);
  for (const auto& k : input.dkim) {
    if (k.result == DkimResult::pass && aligned(k.domain, e.from_domain, adkim, psl)) {
      e.dkim_aligned = true;
      e.aligned_dkim_domain = k.domain;
      break;
    }
  }

  if (d.status == Lookup::temperror) {
    e.result = Result::temperror;
    e.reason = d.note;
    co_return e;
  }
  if (d.status == Lookup::none) {
    e.result = Result::none;
    e.reason = d.note;
    co_return e;
  }
  e.policy_domain = where;
  e.record = d.record;
  const Record& rec = *e.record;

  // Which policy (6.3 p/sp; RFC 9091 np).
  if (where == e.from_domain) {
    e.requested = rec.p;
  } else if (rec.np && co_await nonexistent(resolver, e.from_domain)) {
    e.nonexistent = true;
    e.requested = *rec.np;
  } else {
    e.requested = rec.subdomain_policy();
  }

  // Result (6.6.2): pass when either identifier passes and aligns.
  e.result = (e.spf_aligned || e.dkim_aligned) ? Result::pass : Result::fail;
  e.applied = e.requested;
  if (e.result == Result::fail && e.requested != Policy::none && rec.pct < 100) {
    // 6.6.4: apply the policy to pct% of failing mail; the rest gets the next milder one.
    uint32_t draw = rec.pct == 0 ? 100u
                                 : (options.random ? options.random(100) : default_random(100));
    if (draw >= static_cast<uint32_t>(rec.pct)) {
      e.sampled_out = true;
      e.applied = milder(e.requested);
    }
  }
  if (e.result == Result::pass)
    e.reason = e.dkim_aligned ? "aligned DKIM pass (d=" + e.aligned_dkim_domain + ")"
                              : "aligned SPF pass (" + input.spf.domain + ")";
  else
    e.reason = "no aligned SPF or DKIM pass";
  co_return e;
}

std::string summary(const Evaluation& e) {
  std::string s = "dmarc=" + std::string(to_string(e.result));
  s += " from=" + (e.from_domain.empty() ? std::string("-") : e.from_domain);
  if (!e.policy_domain.empty()) s += " policy_domain=" + e.policy_domain;
  if (e.record) {
    s += " p=" + std::string(to_string(e.requested));
    s += " applied=" + std::string(to_string(e.applied));
    if (e.record->pct != 100) s += " pct=" + std::to_string(e.record->pct);
    if (e.sampled_out) s += " sampled_out";
    if (e.nonexistent) s += " nonexistent";
  }
  s += std::string(" spf_aligned=") + (e.spf_aligned ? "yes" : "no");
  s += std::string(" dkim_aligned=") + (e.dkim_aligned ? "yes" : "no");
  if (!e.reason.empty()) s += " reason=\"" + e.reason + "\"";
  return s;
}

}  // namespace postern::dmarc
