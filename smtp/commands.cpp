// The SMTP command table (RFC 5321 4.1.4 ordering, RFC 2920 3.1 grouping,
// RFC 3207 STARTTLS, RFC 4954 AUTH, RFC 3030 BDAT).
// Trust boundary: none.
#include "smtp/commands.hpp"

#include <array>

namespace postern::smtp {

namespace {
constexpr uint8_t S(State s) { return static_cast<uint8_t>(s); }
constexpr uint8_t kTxn = S(State::mail) | S(State::rcpt);

constexpr std::array<CommandSpec, 14> kTable{{
    {Verb::ehlo, kAnyState, kLastInGroup},
    {Verb::helo, kAnyState, kLastInGroup},
    {Verb::mail, S(State::ready), kNeedsTls | kNeedsAuth},
    {Verb::rcpt, kTxn, kNeedsTls | kNeedsAuth},
    {Verb::data, kTxn, kNeedsTls | kNeedsAuth | kLastInGroup},
    // RFC 3030: BDAT is pipelinable; its chunk is always read, even when refused.
    {Verb::bdat, S(State::rcpt) | S(State::bdat), kNeedsTls | kNeedsAuth},
    {Verb::rset, kAnyState, 0},
    {Verb::noop, kAnyState, kLastInGroup},
    {Verb::quit, kAnyState, kLastInGroup},
    {Verb::vrfy, kAnyState, kLastInGroup},
    {Verb::expn, kAnyState, kLastInGroup},
    {Verb::help, kAnyState, 0},
    {Verb::starttls, S(State::ready), kLastInGroup},
    {Verb::auth, S(State::ready), kNeedsTls | kSubmissionOnly | kLastInGroup},
}};
}  // namespace

const CommandSpec* find_command(Verb v) {
  for (auto& c : kTable)
    if (c.verb == v) return &c;
  return nullptr;
}

}  // namespace postern::smtp
