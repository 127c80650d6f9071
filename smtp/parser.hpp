// SMTP command-line parsing (RFC 5321 section 4.1.1 and 4.1.2): the verb, the
// MAIL/RCPT path and ESMTP parameters (esmtp-keyword ["=" esmtp-value]), and
// the free argument of EHLO/HELO/VRFY/HELP/AUTH.
// Trust boundary: the line is untrusted network input (already bounded in
// length and stripped of its CRLF by the caller). A line that does not parse
// yields the reply to send, never an exception.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtp/address.hpp"
#include "smtp/reply.hpp"

namespace postern::smtp {

enum class Verb { ehlo, helo, mail, rcpt, data, bdat, rset, noop, quit, vrfy, expn, help, starttls, auth, unknown };

struct Param {
  std::string keyword;               // uppercased
  std::optional<std::string> value;  // as sent
};

struct Command {
  Verb verb = Verb::unknown;
  std::string arg;  // EHLO/HELO domain, VRFY/HELP/AUTH argument (trimmed)
  Path path;        // MAIL/RCPT
  std::vector<Param> params;
  uint64_t chunk_size = 0;  // BDAT (RFC 3030)
  bool last = false;        // BDAT ... LAST
  const Param* param(std::string_view keyword) const;
};

struct ParseResult {
  std::optional<Command> command;
  Reply error;  // when !command
};

ParseResult parse_command(std::string_view line);
std::string_view verb_name(Verb v);

}  // namespace postern::smtp
