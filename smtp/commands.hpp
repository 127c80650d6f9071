// The SMTP command table: for each verb, the session states in which it is
// allowed and its flags (needs TLS, needs authentication, must be the last
// command of a pipelined group, RFC 2920 section 3.1). The Protocol's single
// dispatcher enforces this table before any command handler runs.
// Trust boundary: none (static data).
#pragma once

#include <cstdint>
#include <string_view>

#include "smtp/parser.hpp"

namespace postern::smtp {

// Session states (RFC 5321 section 3.3 / 4.1.4 ordering).
enum class State : uint8_t {
  init = 1,   // connected, no EHLO/HELO yet (again after STARTTLS)
  ready = 2,  // greeted, no mail transaction
  mail = 4,   // MAIL accepted, no recipient yet
  rcpt = 8,   // at least one recipient accepted
  bdat = 16,  // BDAT chunks are being received (RFC 3030)
};
constexpr uint8_t kAnyState = 1 | 2 | 4 | 8 | 16;

enum CommandFlag : uint8_t {
  kNeedsTls = 1,       // on ports whose mode requires TLS first (submission)
  kNeedsAuth = 2,      // on submission ports: only after AUTH
  kLastInGroup = 4,    // RFC 2920 3.1: client must wait for the reply
  kSubmissionOnly = 8, // not available on the MX port
};

struct CommandSpec {
  Verb verb;
  uint8_t states;  // bit mask of State values
  uint8_t flags;   // CommandFlag bits
};

// The entry for a verb (never null for a parsed verb).
const CommandSpec* find_command(Verb v);

}  // namespace postern::smtp
