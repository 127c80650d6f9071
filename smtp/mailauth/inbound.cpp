// Port 25: SPF, DKIM and DMARC for one received message, our
// Authentication-Results field, and the DMARC disposition.
// RFC 7208 2.3 (HELO identity, also checked), 2.4 (MAIL FROM identity; the
// HELO domain for the null reverse-path), 5 (an IPv4-mapped client address is
// treated as IPv4); RFC 6376 6 (every signature verified), 6.3 (t=y keys:
// treated as unsigned by DMARC); RFC 7489 4.2/6.6.2 (DMARC inputs), 6.7
// (enforcement: 550 5.7.1, quarantine into Junk); RFC 8601 2.2, 5 (our A-R;
// forged ones removed by remove.cpp). RFC 3463 4.7.0 for the temporary case.
// Trust boundary: envelope, message and DNS answers are untrusted; reply
// text only contains fixed words and validated A-label domains.
#include "smtp/mailauth/mailauth_filter.hpp"

#include "common/util/strings.hpp"
#include "mailauth/authres/header.hpp"
#include "mailauth/authres/remove.hpp"
#include "mailauth/authres/results.hpp"
#include "mailauth/dmarc/enforce.hpp"
#include "mailauth/spf/spf.hpp"

#include <string_view>

namespace postern::smtp::mailauth {

namespace {

// The header block: everything before the first empty line (the whole
// message when there is none).
std::string header_block(std::string_view message) {
  if (message.starts_with("\r\n")) return {};
  size_t end = message.find("\r\n\r\n");
  return std::string(end == std::string_view::npos ? message : message.substr(0, end + 2));
}

std::optional<asio::ip::address> client_address(const std::string& text) {
  asio::error_code ec;
  auto a = asio::ip::make_address(text, ec);
  if (ec) return std::nullopt;
  if (a.is_v6() && a.to_v6().is_v4_mapped())  // RFC 7208 5: "::ffff:192.0.2.1" is 192.0.2.1
    return asio::ip::address(asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()));
  return a;
}

dmarc::SpfResult to_dmarc(spf::Code c) {
  return dmarc::parse_spf_result(spf::to_string(c)).value_or(dmarc::SpfResult::permerror);
}

dmarc::DkimResult to_dmarc(dkim::Result r) {
  return dmarc::parse_dkim_result(dkim::to_string(r)).value_or(dmarc::DkimResult::permerror);
}

// "550 5.7.1 text" -> Reply(550, "5.7.1", "text").
Reply parse_reply(std::string_view line) {
  Reply r(550, "5.7.1", "Message rejected by DMARC policy");
  if (line.size() < 4 || line[3] != ' ') return r;
  int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (code < 400 || code > 599) return r;
  std::string_view rest = line.substr(4);
  size_t sp = rest.find(' ');
  if (sp == std::string_view::npos) return r;
  return Reply(code, std::string(rest.substr(0, sp)), std::string(rest.substr(sp + 1)));
}

std::string dkim_log(const std::vector<dkim::SignatureResult>& sigs) {
  if (sigs.empty()) return "none";
  std::string s;
  for (const auto& r : sigs) {
    if (!s.empty()) s += ',';
    s += std::string(dkim::to_string(r.result)) + "(d=" + (r.domain.empty() ? "-" : r.domain) +
         " s=" + (r.selector.empty() ? "-" : r.selector) + (r.testing ? " testing" : "") + ")";
  }
  return s;
}

}  // namespace

asio::awaitable<Outcome> MailAuth::inbound(const FilterInput& in) const {
  Outcome out;
  const std::string& authserv_id = our_ids_.front();
  authres::Removal removal = authres::remove_forged(in.message, our_ids_);
  if (removal.removed > 0) out.rewritten_message = std::move(removal.message);
  std::string_view message = out.rewritten_message ? std::string_view(*out.rewritten_message) : in.message;

  if (!cfg_.mailauth.verify) {
    out.log_line = "mailauth verify=off forged_ar_removed=" + std::to_string(removal.removed);
    co_return out;
  }

  const Envelope& env = in.envelope;
  const std::string mail_from = env.sender();

  // SPF (RFC 7208): the MAIL FROM identity (HELO's for "<>"), and HELO itself.
  spf::Options so;
  so.receiver = cfg_.server.hostname;
  spf::Result spf_mf, spf_helo;
  if (auto ip = client_address(in.remote_ip)) {
    spf_helo = co_await spf::check_helo(*resolver_, *ip, env.helo, so);
    if (mail_from.empty())
      spf_mf = spf_helo;  // section 2.4: the same check_host() call
    else
      spf_mf = co_await spf::check_mail_from(*resolver_, *ip, mail_from, env.helo, so);
  } else {
    spf_mf.problem = spf_helo.problem = "client address unknown";
  }

  // DKIM (RFC 6376 6): every signature, on the message as received.
  auto sigs = co_await dkim::verify(*resolver_, in.message, options_.verify);

  // DMARC (RFC 7489 6.6).
  dmarc::Input di;
  di.header_block = header_block(message);
  di.spf.result = to_dmarc(spf_mf.code);
  if (mail_from.empty()) {
    di.spf.domain = util::to_lower(env.helo);
  } else {
    di.spf.domain = util::to_lower(std::string_view(mail_from).substr(mail_from.rfind('@') + 1));
  }
  for (const auto& s : sigs) {
    // RFC 6376 3.6.1 t=y: "treat as unsigned" for policy purposes.
    di.dkim.push_back({s.testing ? dmarc::DkimResult::none : to_dmarc(s.result), s.domain, s.selector});
  }
  dmarc::Evaluation ev = co_await dmarc::evaluate(*resolver_, std::move(di), options_.dmarc);
  dmarc::Disposition disp = dmarc::decide(ev, {.enforce = cfg_.mailauth.dmarc_enforce});

  // Authentication-Results (RFC 8601 2.2): spf, one dkim per signature, dmarc.
  std::vector<authres::MethodResult> results;
  results.push_back(authres::spf_entry(to_dmarc(spf_mf.code), mail_from, env.helo));
  if (sigs.empty()) {
    results.push_back(authres::dkim_entry(dmarc::DkimResult::none, {}, {}, {}));
  } else {
    for (const auto& s : sigs) {
      std::string comment = s.testing ? "key in test mode" : s.reason;
      if (comment.size() > 200) comment.resize(200);
      results.push_back(authres::dkim_entry(to_dmarc(s.result), s.domain, s.selector, s.header_b, comment));
    }
  }
  results.push_back(authres::dmarc_entry(ev, disp));
  out.verdict.prepend = authres::build(authserv_id, results);

  // Enforcement (RFC 7489 6.7), and the temporary case documented in the header.
  std::string action(dmarc::to_string(disp.action));
  if (disp.action == dmarc::Action::reject) {
    out.verdict.reject = parse_reply(disp.reply);
  } else if (disp.action == dmarc::Action::junk) {
    out.verdict.mailboxes.assign(env.rcpts.size(), "Junk");
  } else if (cfg_.mailauth.dmarc_enforce && ev.result == dmarc::Result::temperror && !ev.spf_aligned &&
             !ev.dkim_aligned) {
    std::string domain = ev.from_domain.size() <= 100 ? ev.from_domain : "the From domain";
    out.verdict.reject = Reply(451, "4.7.0",
                               "Temporary authentication failure: DMARC policy of " + domain +
                                   " unavailable, try again later");
    action = "tempfail";
  }

  out.log_line = "mailauth spf=" + std::string(spf::to_string(spf_mf.code)) +
                 " mailfrom=<" + mail_from + "> helo_spf=" + std::string(spf::to_string(spf_helo.code)) +
                 " helo=" + (env.helo.empty() ? std::string("-") : env.helo) + " dkim=" + dkim_log(sigs) + " " +
                 dmarc::summary(ev) + " enforce=" + (cfg_.mailauth.dmarc_enforce ? "on" : "off") +
                 " action=" + action + " forged_ar_removed=" + std::to_string(removal.removed);
  co_return out;
}

}  // namespace postern::smtp::mailauth
