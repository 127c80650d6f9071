// DMARC evaluation (RFC 7489 sections 3.1 alignment, 6.6.2 determining
// the result, 6.6.3 policy discovery, 6.6.4 pct; RFC 9091 np=): given the
// header block, the SPF result and the DKIM results of one message, finds
// the policy in DNS and says pass/fail/none/temperror/permerror, the
// policy that applies and why.
// Inputs are this module's own small structs (SpfInput, DkimInput) so
// mailauth/spf and mailauth/dkim results are glued in by the caller.
// Trust boundary: headers and DNS answers are untrusted; evaluation never
// throws for bad input and does a bounded number of queries (at most 5).
#pragma once

#include "common/dns/resolver.hpp"
#include "mailauth/dmarc/from.hpp"
#include "mailauth/dmarc/psl.hpp"
#include "mailauth/dmarc/record.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace postern::dmarc {

// The RFC 8601 result words of the identifiers DMARC consumes.
enum class SpfResult { none, neutral, pass, fail, softfail, temperror, permerror };
enum class DkimResult { none, pass, fail, policy, neutral, temperror, permerror };
std::optional<SpfResult> parse_spf_result(std::string_view s);    // case-insensitive
std::optional<DkimResult> parse_dkim_result(std::string_view s);
std::string_view to_string(SpfResult r);
std::string_view to_string(DkimResult r);

struct SpfInput {
  SpfResult result = SpfResult::none;
  std::string domain;  // RFC5321.MailFrom domain (the HELO domain when MAIL FROM was null)
};

struct DkimInput {
  DkimResult result = DkimResult::none;
  std::string domain;    // the signature's d=
  std::string selector;  // s= (for Authentication-Results only)
};

struct Input {
  std::string header_block;  // the message header (to the empty line; anything after is ignored)
  SpfInput spf;
  std::vector<DkimInput> dkim;
};

enum class Result { none, pass, fail, temperror, permerror };
std::string_view to_string(Result r);

struct Options {
  const PublicSuffixList* psl = nullptr;  // nullptr: PublicSuffixList::shared()
  // Uniform integer in [0, bound); used for pct sampling (6.6.4). Empty:
  // a thread-local std::mt19937 seeded from std::random_device.
  std::function<uint32_t(uint32_t bound)> random;
};

struct Evaluation {
  Result result = Result::none;
  FromIdentity from;           // the author domain and how it was found
  std::string from_domain;     // == from.domain ("" when From is unusable)
  std::string org_domain;      // organizational domain of from_domain
  std::string policy_domain;   // where the record was found ("" if none)
  std::optional<Record> record;
  bool nonexistent = false;    // from_domain judged non-existent (RFC 9091), np applied
  Policy requested = Policy::none;  // p, sp or np as selected for from_domain
  Policy applied = Policy::none;    // after pct (6.6.4): the policy to enforce on failure
  bool sampled_out = false;         // pct excluded the message: applied is one step milder
  bool spf_aligned = false;
  bool dkim_aligned = false;
  std::string aligned_dkim_domain;  // d= of the first aligned passing signature
  std::string reason;               // one line, for logs and A-R comments
};

// Strict: equal domains; relaxed: equal organizational domains (RFC 7489 3.1.1, 3.1.2).
bool aligned(std::string_view identifier_domain, std::string_view from_domain, Alignment mode,
             const PublicSuffixList& psl);

// The whole evaluation. Queries TXT _dmarc.<from>, then (if no record)
// TXT _dmarc.<org>, and, when np= is present on a subdomain's org record,
// A/AAAA/MX of the From domain.
asio::awaitable<Evaluation> evaluate(dns::Resolver& resolver, Input input, Options options = {});

// One line for the log: result, domains, policy requested/applied, alignment.
std::string summary(const Evaluation& e);

}  // namespace postern::dmarc
