// Authentication-Results entries for the checks postern-smtpd runs on port
// 25 (RFC 8601 section 2.7.1 dkim, 2.7.2 spf, RFC 7489 section 11.2 dmarc;
// RFC 6008 header.b), built from the DMARC module's input and output types.
#pragma once

#include "mailauth/authres/header.hpp"
#include "mailauth/dmarc/enforce.hpp"
#include "mailauth/dmarc/evaluate.hpp"

#include <string_view>

namespace postern::authres {

// spf=<result> smtp.mailfrom=<mail-from> (or smtp.helo=<helo> when MAIL FROM was null).
MethodResult spf_entry(dmarc::SpfResult result, std::string_view mail_from, std::string_view helo = {});

// dkim=<result> header.d=<d> header.s=<s> header.b=<first 8 chars of b=> (RFC 6008).
MethodResult dkim_entry(dmarc::DkimResult result, std::string_view d, std::string_view s,
                        std::string_view b, std::string_view comment = {});

// dmarc=<result> (p=<policy> [sp=..] [pct=..] dis=<applied>) header.from=<domain>.
MethodResult dmarc_entry(const dmarc::Evaluation& e, const dmarc::Disposition& d);

}  // namespace postern::authres
