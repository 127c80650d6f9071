// A-R entries for spf, dkim and dmarc: RFC 8601 2.7.1/2.7.2, RFC 6008
// (header.b, first 8 characters), RFC 7489 11.2 (dmarc method,
// header.from), the "(p= dis=)" comment convention of common receivers.
#include "mailauth/authres/results.hpp"

namespace postern::authres {

MethodResult spf_entry(dmarc::SpfResult result, std::string_view mail_from, std::string_view helo) {
  MethodResult m;
  m.method = "spf";
  m.result = std::string(dmarc::to_string(result));
  if (!mail_from.empty()) m.props.push_back({"smtp", "mailfrom", std::string(mail_from)});
  else if (!helo.empty()) m.props.push_back({"smtp", "helo", std::string(helo)});
  return m;
}

MethodResult dkim_entry(dmarc::DkimResult result, std::string_view d, std::string_view s,
                        std::string_view b, std::string_view comment) {
  MethodResult m;
  m.method = "dkim";
  m.result = std::string(dmarc::to_string(result));
  m.comment = std::string(comment);
  if (!d.empty()) m.props.push_back({"header", "d", std::string(d)});
  if (!s.empty()) m.props.push_back({"header", "s", std::string(s)});
  if (!b.empty()) m.props.push_back({"header", "b", std::string(b.substr(0, 8))});
  return m;
}

MethodResult dmarc_entry(const dmarc::Evaluation& e, const dmarc::Disposition& d) {
  MethodResult m;
  m.method = "dmarc";
  m.result = std::string(dmarc::to_string(e.result));
  if (e.record) {
    std::string c = "p=" + std::string(dmarc::to_string(e.record->p));
    if (e.record->sp) c += " sp=" + std::string(dmarc::to_string(*e.record->sp));
    if (e.nonexistent && e.record->np) c += " np=" + std::string(dmarc::to_string(*e.record->np));
    if (e.record->pct != 100) c += " pct=" + std::to_string(e.record->pct);
    c += " dis=" + std::string(dmarc::to_string(d.dis));
    m.comment = c;
  } else if (e.result == dmarc::Result::permerror || e.result == dmarc::Result::temperror) {
    m.comment = e.reason;
  }
  if (!e.from_domain.empty()) m.props.push_back({"header", "from", e.from_domain});
  return m;
}

}  // namespace postern::authres
