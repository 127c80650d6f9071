// Header fragments that report an SPF result: the RFC 8601 section 2.7.2
// Authentication-Results method ("spf=pass smtp.mailfrom=example.org") and
// the RFC 7208 section 9.1 Received-SPF field value.
// Trust boundary: MAIL FROM and HELO are client-chosen; everything copied
// into a header is reduced to safe characters or quoted, so a client cannot
// inject header syntax (CR, LF, ';', '(' ...).
#include "mailauth/spf/spf.hpp"

namespace postern::spf {

namespace {

constexpr size_t max_value = 256;

bool token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_' || c == '@' || c == '+';
}

// A value as a token if possible, else a quoted-string with only printable ASCII.
std::string value(std::string_view v) {
  if (v.size() > max_value) v = v.substr(0, max_value);
  bool plain = !v.empty();
  for (char c : v)
    if (!token_char(c)) plain = false;
  if (plain) return std::string(v);
  std::string out = "\"";
  for (unsigned char c : v) {
    if (c < 0x20 || c > 0x7e) continue;
    if (c == '"' || c == '\\') out += '\\';
    out += char(c);
  }
  return out + "\"";
}

// Text for a comment: printable ASCII without parentheses or backslashes.
std::string comment(std::string_view v) {
  std::string out;
  for (unsigned char c : v.substr(0, std::min(v.size(), max_value))) {
    if (c < 0x20 || c > 0x7e || c == '(' || c == ')' || c == '\\') continue;
    out += char(c);
  }
  return out;
}

std::string_view domain_of(std::string_view address) {
  size_t at = address.rfind('@');
  return at == std::string_view::npos ? address : address.substr(at + 1);
}

}  // namespace

std::string auth_results_fragment(const Result& r, std::string_view mail_from, std::string_view helo) {
  std::string out = "spf=" + std::string(to_string(r.code));
  if (!r.problem.empty() && (r.code == Code::temperror || r.code == Code::permerror))
    out += " (" + comment(r.problem) + ")";
  if (mail_from.empty()) out += " smtp.helo=" + value(helo);
  else out += " smtp.mailfrom=" + value(domain_of(mail_from));
  return out;
}

std::string received_spf(const Result& r, const asio::ip::address& ip, std::string_view mail_from,
                         std::string_view helo, std::string_view receiver) {
  std::string identity = mail_from.empty() ? "postmaster@" + std::string(helo) : std::string(mail_from);
  std::string ipt = ip.to_string();
  std::string why;
  switch (r.code) {
    case Code::pass: why = "domain of " + identity + " designates " + ipt + " as permitted sender"; break;
    case Code::fail: why = "domain of " + identity + " does not designate " + ipt + " as permitted sender"; break;
    case Code::softfail: why = "domain of " + identity + " discourages use of " + ipt + " as permitted sender"; break;
    case Code::neutral: why = ipt + " is neither permitted nor denied by domain of " + identity; break;
    case Code::none: why = "domain of " + identity + " does not publish SPF"; break;
    default: why = r.problem; break;
  }
  std::string out = std::string(to_string(r.code)) + " (" + comment(receiver) + ": " + comment(why) + ")";
  out += " client-ip=" + ipt + ";";
  out += " envelope-from=" + value(identity) + ";";
  out += " helo=" + value(helo) + ";";
  if (!r.mechanism.empty()) out += " mechanism=" + value(r.mechanism) + ";";
  if (!r.problem.empty() && (r.code == Code::temperror || r.code == Code::permerror))
    out += " problem=" + value(r.problem) + ";";
  out += " identity=" + std::string(mail_from.empty() ? "helo" : "mailfrom") + ";";
  if (!receiver.empty()) out += " receiver=" + value(receiver) + ";";
  return out;
}

}  // namespace postern::spf
