// What postern-smtpd does with a DMARC evaluation (RFC 7489 section 6.7,
// 10.3; RFC 3463 enhanced codes): reject gives "550 5.7.1" at the end of
// DATA, quarantine files into the recipient's Junk mailbox, none accepts.
// With mailauth.dmarc_enforce = false results are only recorded.
// A From that DMARC cannot evaluate (missing, several domains, unparsable:
// permerror, see from.hpp) is rejected when enforcing: RFC 7489 6.6.1 notes
// such mail is "typically rejected" and it is the classic spoofing shape.
// Trust boundary: reply text is built only from validated A-label domains
// and fixed words, so no CR/LF or control characters reach the SMTP reply.
#pragma once

#include "mailauth/dmarc/evaluate.hpp"

#include <string>

namespace postern::dmarc {

enum class Action { accept, junk, reject };
std::string_view to_string(Action a);

struct Disposition {
  Action action = Action::accept;
  Policy dis = Policy::none;  // the disposition actually applied, for A-R "dis="
  std::string reply;          // for Action::reject: "550 5.7.1 ..." (no CRLF)
};

struct EnforceOptions {
  bool enforce = true;               // mailauth.dmarc_enforce
  bool reject_unusable_from = true;  // permerror from From handling -> reject
};

Disposition decide(const Evaluation& e, const EnforceOptions& opt = {});

// The 550 5.7.1 reply line for a rejected message (no CRLF, < 200 octets).
std::string reject_reply(const Evaluation& e);

}  // namespace postern::dmarc
