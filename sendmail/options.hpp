// Command-line options of postern-sendmail, compatible with what scripts
// pass to /usr/sbin/sendmail (sendmail(8) / Postfix sendmail(1)): -t, -f/-r,
// -F, -i/-oi, -bm, and the many options that are accepted and ignored
// (-odi -odb -oem -oee -o* -B -N -v ...). Pure: argv in, Options or an error out.
// Trust boundary: arguments come from a local user; addresses are checked so
// they can never inject SMTP commands.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace postern::sendmail {

struct Options {
  bool extract_recipients = false;       // -t
  std::optional<std::string> sender;     // -f / -r ("" = the null sender: the server picks ours)
  std::optional<std::string> full_name;  // -F
  bool dot_ends_input = true;            // cleared by -i / -oi
  std::string config_path;               // --config / -C; "" = the default file
  std::vector<std::string> recipients;   // from the command line
  bool help = false;                     // --help
};

struct ParseResult {
  std::optional<Options> options;
  std::string error;  // when !options: a one-line message (exit EX_USAGE)
};

constexpr size_t kMaxRecipients = 1000;

// args: argv[1..]. GNU-style: options and recipients may be mixed; "--" ends options.
ParseResult parse_options(const std::vector<std::string>& args);

const char* usage_text();

}  // namespace postern::sendmail
