// The SMTP client side of postern-sendmail: reply parsing (pure) and a
// blocking Unix-socket connection to postern-smtpd's pickup socket, plus the
// mapping of SMTP outcomes to sysexits(3) exit codes.
// RFC 5321 4.2 (reply lines: "ddd-text" continues, "ddd text" ends),
// 4.5.3.2 (timeouts).
// Trust boundary: the server is our own daemon, but its replies are still
// parsed with bounds (line length, line count).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::sendmail {

// sysexits.h values (spelled out: the header is BSD-only in spirit).
enum Exit : int {
  kExOk = 0,
  kExUsage = 64,
  kExDataErr = 65,
  kExNoUser = 67,
  kExUnavailable = 69,
  kExSoftware = 70,
  kExIoErr = 74,
  kExTempFail = 75,
  kExConfig = 78,
};

struct SmtpReply {
  int code = 0;
  std::vector<std::string> lines;  // the text of each line, without code and separator
  std::string text() const;        // "550 5.1.1 text" (lines joined by "; ")
};

// Assembles a (multi-line) reply from lines without CRLF.
class ReplyParser {
 public:
  enum class Status { need_more, done, error };
  Status feed_line(std::string_view line);
  const SmtpReply& reply() const { return reply_; }
  static constexpr size_t kMaxLines = 100;

 private:
  SmtpReply reply_;
};

enum class Stage { greeting, ehlo, mail, rcpt, data, data_end };
// The exit code for a reply that was not the expected success (RFC 5321 4.2.1:
// 4yz transient, 5yz permanent): 4xx -> EX_TEMPFAIL; 550 at RCPT -> EX_NOUSER;
// other 5xx -> EX_UNAVAILABLE; anything else -> EX_SOFTWARE.
int exit_code_for(Stage stage, int code);

// The address in the first "<...>" of a reply's text ("Sender <a@b> OK"), if any.
std::optional<std::string> bracketed_address(const SmtpReply& r);
// The server's name: the first word of a 220 greeting's text.
std::string greeting_host(const SmtpReply& r);

// A blocking connection to a Unix-domain stream socket.
class SocketClient {
 public:
  ~SocketClient();
  // false with *err set (errno) when it cannot connect.
  bool connect(const std::string& path, int* err);
  // Sends all bytes; false if the server went away.
  bool send(std::string_view data);
  // Reads one reply within `timeout`; nullopt on EOF, timeout or garbage.
  std::optional<SmtpReply> read_reply(std::chrono::seconds timeout);

 private:
  std::optional<std::string> read_line(std::chrono::seconds timeout);
  int fd_ = -1;
  std::string buf_;
};

}  // namespace postern::sendmail
