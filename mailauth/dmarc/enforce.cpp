// DMARC enforcement mapping for postern-smtpd: RFC 7489 6.7 (policy
// enforcement considerations), 6.6.4 (pct already folded into
// Evaluation::applied), RFC 3463 (5.7.1 "delivery not authorized").
#include "mailauth/dmarc/enforce.hpp"

namespace postern::dmarc {

std::string_view to_string(Action a) {
  switch (a) {
    case Action::accept: return "accept";
    case Action::junk: return "junk";
    case Action::reject: return "reject";
  }
  return "accept";
}

std::string reject_reply(const Evaluation& e) {
  if (e.from.status != FromStatus::ok)
    return "550 5.7.1 Message must have exactly one author domain in From (RFC 5322 3.6, RFC 7489 6.6.1)";
  std::string domain = e.from_domain.size() <= 100 ? e.from_domain : "the From domain";
  return "550 5.7.1 Message rejected: DMARC policy of " + domain +
         " (p=" + std::string(to_string(e.requested)) + ") not satisfied";
}

Disposition decide(const Evaluation& e, const EnforceOptions& opt) {
  Disposition d;
  if (!opt.enforce) return d;  // record only
  if (e.result == Result::permerror && e.from.status != FromStatus::ok) {
    if (opt.reject_unusable_from) {
      d.action = Action::reject;
      d.dis = Policy::reject;
      d.reply = reject_reply(e);
    }
    return d;
  }
  if (e.result != Result::fail) return d;  // pass, none, temperror, permerror: accept
  switch (e.applied) {
    case Policy::reject:
      d.action = Action::reject;
      d.dis = Policy::reject;
      d.reply = reject_reply(e);
      break;
    case Policy::quarantine:
      d.action = Action::junk;
      d.dis = Policy::quarantine;
      break;
    case Policy::none:
      break;
  }
  return d;
}

}  // namespace postern::dmarc
