// The authd line protocol, server side (docs/protocols/auth.md): split the
// byte stream into lines, parse one request line exactly, format replies.
// Trust boundary: request lines come from local daemons (smtpd, imapd) that
// forward data from the network; anything that is not exactly one of the
// grammar's requests is an error and the caller drops the peer.
// Decoded SASL payloads (passwords) live in Request values: never log them.
// Pure code over byte spans: no sockets, no clocks.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace postern::auth::protocol {

inline constexpr size_t kMaxLine = 16384;  // bytes, including the final LF
inline constexpr size_t kMaxId = 32;
inline constexpr int kVersion = 1;

// Accumulates bytes and hands out complete lines (without the LF).
class LineBuffer {
 public:
  enum class Status { need_more, line, error };
  // Appends bytes. Returns false (and stays in error) if the pending partial
  // line would exceed kMaxLine.
  bool feed(std::string_view bytes);
  // Next complete line into *line (LF removed). error: a line too long.
  Status next(std::string* line);
  size_t pending() const { return buf_.size() - pos_; }

 private:
  std::string buf_;
  size_t pos_ = 0;
  bool error_ = false;
};

struct VersionRequest {
  int major = 0;
};

struct AuthRequest {
  std::string id;
  std::string service;
  std::string mechanism;  // as sent (upper case letters, digits, '-', '_')
  std::string remote_ip;  // an IPv4/IPv6 literal or "-"
  bool secured = false;
  std::optional<std::string> initial;  // decoded initial response (secret)
};

struct ContRequest {
  std::string id;
  bool cancel = false;    // the client sent "*"
  std::string response;   // decoded (secret)
};

struct LookupRequest {
  std::string id;
  std::string name;  // local part or address
};

using Request = std::variant<VersionRequest, AuthRequest, ContRequest, LookupRequest>;

struct ParseError {
  std::string what;  // for the log; never contains payload bytes
};

// Parses one line (without LF). Either a Request or a ParseError.
std::variant<Request, ParseError> parse_request(std::string_view line);

// Replies, each ending in LF. Values are sanitized: control characters
// (TAB, CR, LF, NUL, ...) become '?'; format_* never produces a malformed line.
enum class FailKind { temp, auth };
std::string format_version();
std::string format_ok(std::string_view id, std::string_view user, std::string_view home);
std::string format_fail(std::string_view id, FailKind kind, std::string_view reason);
std::string format_cont(std::string_view id, std::string_view challenge);  // raw bytes; base64 here
std::string format_user(std::string_view id, std::string_view user, std::string_view home);
std::string format_notfound(std::string_view id);

// Field checks shared with the tests.
bool valid_id(std::string_view s);
bool valid_service(std::string_view s);
bool valid_mechanism(std::string_view s);
bool valid_remote_ip(std::string_view s);
bool valid_lookup_name(std::string_view s);

}  // namespace postern::auth::protocol
