// The authd line protocol, client side (docs/protocols/auth.md): format
// requests, parse replies. The server side (auth/protocol.hpp) is written
// separately; tests check each against the other byte by byte.
// Trust boundary: replies come from authd (trusted) but are still parsed
// strictly and bounded; requests carry network data (credentials), so
// formatted request lines are secret and never logged.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace postern::authclient::wire {

inline constexpr size_t kMaxLine = 16384;  // including LF
inline constexpr int kVersion = 1;

std::string format_version();
// nullopt if a field cannot be sent (bad service/mechanism/id, initial
// response not base64). initial_b64: base64, "=" for empty, nullopt for none.
// remote_ip that is not an IP literal is sent as "-".
std::optional<std::string> format_auth(std::string_view id, std::string_view service, std::string_view mechanism,
                                       std::string_view remote_ip, bool secured,
                                       const std::optional<std::string>& initial_b64);
// response_b64: base64, "" or "=" for empty, "*" to cancel. nullopt if invalid.
std::optional<std::string> format_cont(std::string_view id, std::string_view response_b64);
std::optional<std::string> format_lookup(std::string_view id, std::string_view name);

struct Reply {
  enum class Kind { version, ok, fail_temp, fail_auth, cont, user, notfound };
  Kind kind = Kind::fail_temp;
  std::string id;
  int version = 0;
  std::string user, home;  // ok, user
  std::string reason;      // fail_*
  std::string challenge;   // cont: base64 as sent, "" for an empty challenge
};
// One reply line without its LF. nullopt if it does not parse exactly.
std::optional<Reply> parse_reply(std::string_view line);

}  // namespace postern::authclient::wire
