// The IMAP command table: every command's name, the session states it is
// allowed in (RFC 9051 section 3 / 6), and how the dispatcher must treat it.
// One table, enforced in one place (Dispatcher); the parser uses it to find a
// command's argument grammar. Pure data, no I/O.
#pragma once

#include <cstdint>
#include <string_view>

namespace postern::imap {

enum class SessionState { not_authenticated, authenticated, selected, logout };

enum StateMask : unsigned {
  kNotAuth = 1u << 0,
  kAuth = 1u << 1,
  kSelected = 1u << 2,
  kAnyState = kNotAuth | kAuth | kSelected,
  kAuthOrSelected = kAuth | kSelected,
};

enum CommandFlags : unsigned {
  kPlaintextAuth = 1u << 0,  // carries a password: needs TLS (or the loopback exemption)
  kUsesSeqNumbers = 1u << 1, // non-UID form names messages by sequence number: no EXPUNGE
                             // responses while it runs (RFC 9051 section 7.5.1)
  kUidVariant = 1u << 2,     // may be prefixed with "UID"
  kUidOnly = 1u << 3,        // exists only as "UID x" (UID EXPUNGE)
};

enum class CommandId {
  capability, noop, logout, starttls, login, authenticate, enable, id, namespace_, idle,
  select, examine, create, delete_, rename, subscribe, unsubscribe, list, lsub, status, append,
  check, close, unselect, expunge, search, fetch, store, copy, move,
};

struct CommandSpec {
  std::string_view name;
  CommandId id;
  unsigned states;  // StateMask
  unsigned flags;   // CommandFlags
};

// Case-insensitive lookup; nullptr if unknown.
const CommandSpec* find_command(std::string_view name);

inline unsigned state_bit(SessionState s) {
  switch (s) {
    case SessionState::not_authenticated: return kNotAuth;
    case SessionState::authenticated: return kAuth;
    case SessionState::selected: return kSelected;
    default: return 0;
  }
}

}  // namespace postern::imap
