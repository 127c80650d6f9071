// Mail authentication in postern-smtpd: the MessageFilter (smtp/filter.hpp)
// that, at the end of DATA,
//  - on port 25 (Mode::mx) checks SPF (MAIL FROM, or HELO for the null
//    reverse-path; HELO is also checked and logged), verifies every DKIM
//    signature, evaluates DMARC, removes forged Authentication-Results of our
//    authserv-id, prepends ours and enforces the DMARC policy;
//  - on submission (authenticated) DKIM-signs with the From domain's keys.
// RFC 7208 2.3/2.4 (identities), RFC 6376 6 (verifier), RFC 7489 6.6/6.7
// (DMARC evaluation and enforcement), RFC 8601 5 (removing forged A-R) and
// 2.2 (the field we add), RFC 6376 5 / RFC 8463 (signing).
// Trust boundary: the envelope and message are the client's (untrusted); DNS
// answers are untrusted; configuration and keys are the administrator's.
//
// DNS temporary errors (documented choice):
//  - SPF and DKIM temperrors are recorded as such in Authentication-Results;
//  - a DMARC temperror (the _dmarc policy lookup itself failed) with no
//    relaxed-aligned SPF or DKIM pass is answered "451 4.7.0" when
//    dmarc_enforce is on: the policy might have said reject, and a temporary
//    reply lets the sender retry once DNS answers, instead of delivering
//    possibly forged mail or bouncing genuine mail for good;
//  - a DMARC temperror with an aligned pass is accepted (into INBOX).
#pragma once

#include "common/config/config.hpp"
#include "common/dns/resolver.hpp"
#include "mailauth/dkim/signer.hpp"
#include "mailauth/dkim/verifier.hpp"
#include "mailauth/dmarc/evaluate.hpp"
#include "smtp/filter.hpp"

#include <ctime>
#include <memory>
#include <optional>
#include <string>

namespace postern::smtp::mailauth {

struct FilterOptions {
  dkim::VerifyOptions verify;        // DKIM verification limits and clock
  std::optional<std::time_t> now;    // signing time (tests); default: the clock
  dmarc::Options dmarc;              // PSL and pct sampling (tests)
};

// What the filter decided, including the part FilterVerdict cannot carry yet:
// the message with forged Authentication-Results removed.
struct Outcome {
  FilterVerdict verdict;
  std::optional<std::string> rewritten_message;  // set only when something was removed
  std::string log_line;                          // the one line logged for the message
};

// The whole filter as a coroutine returning the full outcome (what the
// MessageFilter wraps; unit tests call it directly).
class MailAuth {
 public:
  MailAuth(const config::Config& cfg, std::shared_ptr<dns::Resolver> resolver,
           std::shared_ptr<const dkim::Signer> signer, FilterOptions options = {});

  // `in` (and what it refers to) must stay alive until the awaitable completes.
  asio::awaitable<Outcome> run(const FilterInput& in) const;

 private:
  asio::awaitable<Outcome> inbound(const FilterInput& in) const;
  Outcome submission(const FilterInput& in) const;

  config::Config cfg_;
  std::vector<std::string> our_ids_;  // authserv-ids whose A-R we remove
  std::shared_ptr<dns::Resolver> resolver_;
  std::shared_ptr<const dkim::Signer> signer_;
  FilterOptions options_;
};

// The MessageFilter for SessionContext::filter. The resolver is used from
// the session's thread only (UnboundResolver is not thread-safe). `signer`
// may be null (no signing). Fills FilterVerdict::rewritten_message (the
// message without forged A-R fields) when smtp/filter.hpp has that field.
MessageFilter make_mailauth_filter(const config::Config& cfg, std::shared_ptr<dns::Resolver> resolver,
                                   std::shared_ptr<const dkim::Signer> signer, FilterOptions options = {});

// For postern-smtpd: the UnboundResolver from [dns]. Throws std::runtime_error.
std::shared_ptr<dns::Resolver> make_resolver(asio::any_io_executor executor, const config::Config& cfg);

// For postern-smtpd: the DKIM signer from [[mailauth.dkim_keys]] (null when
// signing is off or no key is configured). Throws std::runtime_error
// "mailauth.dkim_keys: <key file>: <reason>" naming the file.
std::shared_ptr<const dkim::Signer> load_signer(const config::Config& cfg);

// Both of the above and the filter: what postern-smtpd calls at start and on
// SIGHUP. Throws std::runtime_error (bad key file, bad DNS setup).
MessageFilter make_daemon_filter(asio::any_io_executor executor, const config::Config& cfg);

}  // namespace postern::smtp::mailauth
