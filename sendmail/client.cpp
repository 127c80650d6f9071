// postern-sendmail's SMTP client (see client.hpp): RFC 5321 4.2 reply
// syntax, 4.2.1 reply classes, 4.5.3.2 timeouts; sysexits(3) codes.
// Trust boundary: replies are bounded (4 KiB per line, 100 lines).
#include "sendmail/client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace postern::sendmail {

namespace {
constexpr size_t kMaxReplyLine = 4096;
}

std::string SmtpReply::text() const {
  std::string t = std::to_string(code);
  for (size_t i = 0; i < lines.size(); ++i) t += (i == 0 ? " " : "; ") + lines[i];
  return t;
}

ReplyParser::Status ReplyParser::feed_line(std::string_view line) {
  if (line.size() < 3 || line.size() > kMaxReplyLine) return Status::error;
  int code = 0;
  for (int i = 0; i < 3; ++i) {
    if (line[i] < '0' || line[i] > '9') return Status::error;
    code = code * 10 + (line[i] - '0');
  }
  if (code < 200 || code > 599) return Status::error;
  if (!reply_.lines.empty() && code != reply_.code) return Status::error;
  reply_.code = code;
  bool more = line.size() > 3 && line[3] == '-';
  if (line.size() > 3 && line[3] != '-' && line[3] != ' ') return Status::error;
  reply_.lines.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view());
  if (!more) return Status::done;
  if (reply_.lines.size() >= kMaxLines) return Status::error;
  return Status::need_more;
}

int exit_code_for(Stage stage, int code) {
  if (code >= 400 && code < 500) return kExTempFail;
  if (code >= 500 && code < 600) {
    if (stage == Stage::rcpt && code == 550) return kExNoUser;
    return kExUnavailable;
  }
  return kExSoftware;
}

std::optional<std::string> bracketed_address(const SmtpReply& r) {
  if (r.lines.empty()) return std::nullopt;
  const std::string& t = r.lines.front();
  auto open = t.find('<');
  if (open == std::string::npos) return std::nullopt;
  auto close = t.find('>', open);
  if (close == std::string::npos) return std::nullopt;
  return t.substr(open + 1, close - open - 1);
}

std::string greeting_host(const SmtpReply& r) {
  if (r.lines.empty()) return "";
  const std::string& t = r.lines.front();
  return t.substr(0, t.find(' '));
}

SocketClient::~SocketClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool SocketClient::connect(const std::string& path, int* err) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof sa.sun_path) {
    *err = ENAMETOOLONG;
    return false;
  }
  std::memcpy(sa.sun_path, path.data(), path.size());
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    *err = errno;
    return false;
  }
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    *err = errno;
    ::close(fd_);
    fd_ = -1;
    return false;
  }
  return true;
}

bool SocketClient::send(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::optional<std::string> SocketClient::read_line(std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto nl = buf_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buf_.substr(0, nl);
      buf_.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (buf_.size() > kMaxReplyLine) return std::nullopt;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    int pr = ::poll(&p, 1, static_cast<int>(left.count()));
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) return std::nullopt;
    char tmp[4096];
    ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    buf_.append(tmp, static_cast<size_t>(n));
  }
}

std::optional<SmtpReply> SocketClient::read_reply(std::chrono::seconds timeout) {
  ReplyParser p;
  for (;;) {
    auto line = read_line(timeout);
    if (!line) return std::nullopt;
    auto st = p.feed_line(*line);
    if (st == ReplyParser::Status::error) return std::nullopt;
    if (st == ReplyParser::Status::done) return p.reply();
  }
}

}  // namespace postern::sendmail
