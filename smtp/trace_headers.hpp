// Trace header fields added at final delivery: Return-Path (RFC 5321 4.4,
// RFC 5322 3.6.7) and Received (RFC 5321 4.4, "with" values from RFC 3848
// and RFC 6531 section 3.7.3).
// Trust boundary: the HELO name and addresses come from the client; they have
// been syntax-checked (no CR/LF, printable) before they reach these builders.
#pragma once

#include <ctime>
#include <string>

#include "smtp/protocol.hpp"

namespace postern::smtp {

struct TraceInfo {
  std::string helo;
  std::string remote_ip;
  std::string hostname;  // ours
  std::string id;        // queue/message id for the "id" clause
  std::string tls;       // "TLSv1.3 TLS_AES_256_GCM_SHA384" or ""
  bool esmtp = true;
  bool authenticated = false;
  bool smtputf8 = false;
  std::string for_rcpt;  // only with exactly one recipient (privacy)
  std::time_t when = 0;
};

// RFC 5322 3.3 date-time in UTC: "Mon, 23 Nov 2026 15:46:38 +0000".
std::string rfc5322_date(std::time_t t);
// "ESMTP", "ESMTPS", "ESMTPSA", "UTF8SMTPS", "SMTP", ...
std::string with_protocol(const TraceInfo& t);
// "Received: from ...\r\n" folded over three lines.
std::string received_header(const TraceInfo& t);
// "Return-Path: <sender>\r\n" ("<>" for the null reverse-path).
std::string return_path_header(const Envelope& env);

}  // namespace postern::smtp
