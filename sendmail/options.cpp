// postern-sendmail argument parsing (see options.hpp), after sendmail(8) and
// Postfix sendmail(1). Recipient arguments are RFC 5322 3.4 address lists
// ("a@x, B <b@y>"); each address must be a usable envelope address (RFC 5321
// 4.1.2, 4.5.3.1 limits).
// Trust boundary: argv from a local user.
#include "sendmail/options.hpp"

#include <string_view>

#include "sendmail/prepare.hpp"

namespace postern::sendmail {

namespace {

ParseResult fail(std::string msg) { return ParseResult{std::nullopt, std::move(msg)}; }

// "<a@b>" or "a@b" -> "a@b"; "<>" -> "".
std::string strip_brackets(std::string s) {
  if (s.size() >= 2 && s.front() == '<' && s.back() == '>') return s.substr(1, s.size() - 2);
  return s;
}

}  // namespace

const char* usage_text() {
  return "usage: postern-sendmail [-t] [-i] [-f sender] [-F fullname] [--config FILE] [recipient ...]\n"
         "  Reads a message on standard input and submits it to postern-smtpd's\n"
         "  local pickup socket.\n"
         "  -t          recipients also from To:, Cc:, Bcc: (Bcc: is removed)\n"
         "  -f, -r ADDR envelope sender (your own address unless you are root)\n"
         "  -F NAME     full name for a From: header that is added\n"
         "  -i, -oi     a line with a single \".\" does not end the message\n"
         "  --config F  Postern configuration (default /etc/postern/postern.toml)\n"
         "  -bm is the default; -B -N -v -o* -od* -oe* are accepted and ignored.\n";
}

ParseResult parse_options(const std::vector<std::string>& args) {
  Options o;
  bool only_recipients = false;
  std::vector<std::string> rcpt_args;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (only_recipients || a.size() < 2 || a[0] != '-') {
      rcpt_args.push_back(a);
      continue;
    }
    if (a == "--") {
      only_recipients = true;
      continue;
    }
    if (a == "--help") {
      o.help = true;
      continue;
    }
    if (a == "--config" || a.rfind("--config=", 0) == 0) {
      if (a.size() > 8) {
        o.config_path = a.substr(9);
      } else {
        if (i + 1 >= args.size()) return fail("option --config needs a file name");
        o.config_path = args[++i];
      }
      if (o.config_path.empty()) return fail("option --config needs a file name");
      continue;
    }
    if (a[1] == '-') return fail("unknown option " + a);
    char c = a[1];
    std::string rest = a.substr(2);
    // Options that take a value, attached ("-fuser") or as the next argument.
    if (std::string_view("frFBNVRXLhCOp").find(c) != std::string_view::npos) {
      std::string value = rest;
      if (value.empty()) {
        if (i + 1 >= args.size()) return fail(std::string("option -") + c + " needs a value");
        value = args[++i];
      }
      if (c == 'f' || c == 'r') {
        std::string s = strip_brackets(value);
        if (!s.empty() && !valid_envelope_address(s)) return fail("bad sender address: " + value);
        o.sender = s;
      } else if (c == 'F') {
        o.full_name = value;
      } else if (c == 'C') {
        o.config_path = value;
      }  // -B -N -V -R -X -L -h -O -p: accepted and ignored
      continue;
    }
    switch (c) {
      case 't':
        if (!rest.empty()) return fail("unknown option " + a);
        o.extract_recipients = true;
        break;
      case 'i':
        if (!rest.empty()) return fail("unknown option " + a);
        o.dot_ends_input = false;
        break;
      case 'o':  // -oi; every other -oX (-odi -odb -oem -oee -oQ...) is ignored
        if (rest.empty()) return fail("option -o needs an option letter (e.g. -oi)");
        if (rest == "i") o.dot_ends_input = false;
        break;
      case 'b':
        if (rest == "m") break;  // deliver mail: the default
        if (rest == "p") return fail("-bp (list the mail queue) is not supported: Postern has no outbound queue yet");
        if (rest == "s") return fail("-bs (SMTP on standard input) is not supported: use the submission port");
        return fail("-b" + rest + " is not supported (only -bm, deliver mail)");
      case 'q':
        return fail("-q (queue processing) is not supported: Postern has no outbound queue yet");
      case 'v':
      case 'm':
      case 'n':
      case 'U':
      case 'G':
      case 'e':  // -em -ee -eq ... (old error-mode spellings)
      case 'd':  // -d debug flags
        break;
      default:
        return fail("unknown option " + a);
    }
  }
  for (auto& arg : rcpt_args) {
    for (auto& r : parse_address_list(arg)) {
      if (!valid_envelope_address(r)) return fail("bad recipient address: " + r);
      if (o.recipients.size() >= kMaxRecipients) return fail("too many recipients");
      o.recipients.push_back(r);
    }
  }
  return ParseResult{std::move(o), ""};
}

}  // namespace postern::sendmail
