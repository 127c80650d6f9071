// Return-Path and Received header fields (RFC 5321 4.4, RFC 3848, RFC 6531 3.7.3).
// Trust boundary: inputs are pre-validated (see header).
#include "smtp/trace_headers.hpp"

namespace postern::smtp {

std::string rfc5322_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

std::string with_protocol(const TraceInfo& t) {
  if (!t.esmtp) return "SMTP";
  std::string p = t.smtputf8 ? "UTF8SMTP" : "ESMTP";
  if (!t.tls.empty()) p += "S";
  if (t.authenticated) p += "A";
  return p;
}

std::string received_header(const TraceInfo& t) {
  std::string h = "Received: from " + t.helo + " ([" + t.remote_ip + "])\r\n";
  h += "\tby " + t.hostname + " (Postern)";
  if (!t.tls.empty()) h += " (" + t.tls + ")";
  h += " with " + with_protocol(t) + " id " + t.id;
  if (!t.for_rcpt.empty()) h += "\r\n\tfor <" + t.for_rcpt + ">";
  h += "; " + rfc5322_date(t.when) + "\r\n";
  return h;
}

std::string return_path_header(const Envelope& env) { return "Return-Path: <" + env.sender() + ">\r\n"; }

}  // namespace postern::smtp
