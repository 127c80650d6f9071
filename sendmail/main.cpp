// postern-sendmail: the /usr/sbin/sendmail of Postern. Local programs (cron,
// scripts, mail(1)) pipe a message into it; it hands the message to
// postern-smtpd over the local pickup socket, where the kernel tells the
// server who we are (SO_PEERCRED) and the message is DKIM-signed like
// submission mail.
//   postern-sendmail [-t] [-i] [-f sender] [-F name] [--config FILE] [recipient ...]
// Exit codes are sysexits(3): 0 sent, 64 usage, 65 bad message, 67 unknown
// recipient, 69 refused, 75 try later (server down or 4xx), 78 bad config.
// RFC 5321 (the SMTP dialogue), RFC 5322 3.6 (header fields we add).
// Trust boundary: runs as the calling user with no privilege; the server
// decides what this user may send.
#include <pwd.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <set>

#include "common/config/config.hpp"
#include "common/util/strings.hpp"
#include "sendmail/client.hpp"
#include "sendmail/options.hpp"
#include "sendmail/prepare.hpp"

namespace {

using namespace postern;
using namespace postern::sendmail;

constexpr const char* kDefaultConfig = "/etc/postern/postern.toml";
constexpr std::chrono::seconds kCommandTimeout{300};  // RFC 5321 4.5.3.2: 5 minutes for MAIL/RCPT
constexpr std::chrono::seconds kDataEndTimeout{600};  // 4.5.3.2.6: 10 minutes after the final dot

int fail(int code, const std::string& msg) {
  std::fprintf(stderr, "postern-sendmail: %s\n", msg.c_str());
  return code;
}

struct Passwd {
  std::string name, gecos;
};

Passwd current_user() {
  Passwd p;
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* res = nullptr;
  if (getpwuid_r(getuid(), &pw, buf.data(), buf.size(), &res) == 0 && res) {
    p.name = pw.pw_name ? pw.pw_name : "";
    std::string g = pw.pw_gecos ? pw.pw_gecos : "";
    p.gecos = g.substr(0, g.find(','));
  }
  return p;
}

std::string unique_token() {
  unsigned char rnd[8] = {};
  if (getrandom(rnd, sizeof rnd, 0) != static_cast<ssize_t>(sizeof rnd)) {
    unsigned long v = static_cast<unsigned long>(std::time(nullptr)) ^ static_cast<unsigned long>(getpid());
    std::memcpy(rnd, &v, std::min(sizeof v, sizeof rnd));
  }
  return util::hex(std::string_view(reinterpret_cast<char*>(rnd), sizeof rnd));
}

// The SMTP dialogue with the pickup socket. Returns the exit code.
class Submitter {
 public:
  Submitter(SocketClient& c) : c_(c) {}

  // Sends `cmd` (without CRLF) and reads its reply.
  std::optional<SmtpReply> command(const std::string& cmd, std::chrono::seconds timeout = kCommandTimeout) {
    if (!c_.send(cmd + "\r\n")) return std::nullopt;
    return c_.read_reply(timeout);
  }
  void quit() { command("QUIT", std::chrono::seconds(10)); }

 private:
  SocketClient& c_;
};

int lost(const char* when) {
  return fail(kExTempFail, std::string("connection to postern-smtpd lost ") + when + " (message not sent)");
}

int refused(Stage stage, const SmtpReply& r, const std::string& what) {
  return fail(exit_code_for(stage, r.code), what + ": " + r.text());
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = parse_options(args);
  if (!parsed.options) {
    std::fprintf(stderr, "postern-sendmail: %s\n%s", parsed.error.c_str(), usage_text());
    return kExUsage;
  }
  Options opt = std::move(*parsed.options);
  if (opt.help) {
    std::fputs(usage_text(), stdout);
    return kExOk;
  }

  // The configuration: the pickup socket's path and the size limit. The
  // default file may be unreadable to ordinary users: built-in defaults then.
  config::Config cfg;
  try {
    cfg = config::load_file(opt.config_path.empty() ? kDefaultConfig : opt.config_path);
  } catch (const std::exception& e) {
    if (!opt.config_path.empty()) return fail(kExConfig, e.what());
    cfg = config::Config{};
  }
  std::string socket_path = cfg.smtp.pickup_socket.empty() ? cfg.server.runtime_dir + "/pickup.sock"
                                                           : cfg.smtp.pickup_socket;
  if (const char* env = std::getenv("POSTERN_PICKUP_SOCKET"); env && *env) socket_path = env;

  // Read the message (bounded), LF -> CRLF.
  MessageReader reader(cfg.smtp.max_message_size, opt.dot_ends_input);
  char buf[65536];
  while (reader.status() == MessageReader::Status::need_more) {
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(kExIoErr, std::string("reading standard input: ") + std::strerror(errno));
    if (n == 0) {
      reader.finish();
      break;
    }
    reader.feed(std::string_view(buf, static_cast<size_t>(n)));
  }
  if (reader.status() == MessageReader::Status::too_big)
    return fail(kExDataErr, "message too big (limit " + std::to_string(cfg.smtp.max_message_size) + " bytes)");
  std::string message = reader.take();

  // Recipients: the command line, plus the header fields with -t.
  std::vector<std::string> rcpts;
  std::set<std::string> seen;
  auto add = [&](const std::string& r) {
    if (seen.insert(util::to_lower(r)).second) rcpts.push_back(r);
  };
  for (auto& r : opt.recipients) add(r);
  if (opt.extract_recipients) {
    for (auto& r : header_recipients(message)) {
      if (!valid_envelope_address(r)) return fail(kExDataErr, "bad recipient address in the message header: " + r);
      add(r);
    }
  }
  if (rcpts.empty())
    return fail(kExUsage, opt.extract_recipients ? "no recipient addresses found in the message header"
                                                 : "no recipients given (name them, or use -t)");
  if (rcpts.size() > kMaxRecipients) return fail(kExUsage, "too many recipients");
  message = remove_bcc(message);  // RFC 5322 3.6.3: never shown to anyone

  SocketClient client;
  int err = 0;
  if (!client.connect(socket_path, &err))
    return fail(kExTempFail, "cannot connect to " + socket_path + ": " + std::strerror(err) +
                                 " (is postern-smtpd running?)");
  Submitter s(client);
  auto greeting = client.read_reply(kCommandTimeout);
  if (!greeting) return lost("before its greeting");
  if (greeting->code != 220) return refused(Stage::greeting, *greeting, "postern-smtpd refused the connection");
  std::string host = greeting_host(*greeting);

  auto r = s.command("EHLO localhost");
  if (!r) return lost("at EHLO");
  if (r->code != 250) {
    s.quit();
    return refused(Stage::ehlo, *r, "EHLO refused");
  }
  bool utf8 = false;
  for (unsigned char c : opt.sender.value_or("")) utf8 |= c >= 0x80;
  for (auto& a : rcpts)
    for (unsigned char c : a) utf8 |= c >= 0x80;
  std::string mail = "MAIL FROM:<" + opt.sender.value_or("") + ">";
  bool eight_bit = false;
  for (unsigned char c : message) eight_bit |= c >= 0x80;
  if (eight_bit) mail += " BODY=8BITMIME";  // RFC 6152
  if (utf8) mail += " SMTPUTF8";            // RFC 6531 3.4
  // Recipients go in batches: a 452 (too many recipients, RFC 5321
  // 4.5.3.1.10) ends a transaction and the rest follow in the next one.
  // Any other refusal stops everything not yet sent.
  size_t next = 0;  // the first recipient not sent to yet
  std::string stuffed;
  while (next < rcpts.size()) {
    const char* partial = next > 0 ? " (sent to the recipients before it)" : "";
    r = s.command(mail);
    if (!r) return lost("at MAIL");
    if (r->code != 250) {
      s.quit();
      return refused(Stage::mail, *r, std::string("sender refused") + partial);
    }
    if (stuffed.empty()) {
      // The server says which sender it used (our own address for an empty one).
      std::string from_addr = bracketed_address(*r).value_or(opt.sender.value_or(""));
      if (from_addr.empty()) from_addr = current_user().name + "@" + host;
      // Complete the header (RFC 5322 3.6).
      std::string full_name = opt.full_name.value_or(current_user().gecos);
      std::time_t now = std::time(nullptr);
      std::tm lt{};
      localtime_r(&now, &lt);
      MissingHeaders mh;
      mh.from = format_from(from_addr, full_name);
      mh.date = format_date(now, lt.tm_gmtoff);
      char stamp[32];
      std::strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &lt);
      mh.message_id = "<" + std::string(stamp) + "." + std::to_string(getpid()) + "." + unique_token() + "@" +
                      (host.empty() ? "localhost" : host) + ">";
      message = add_missing_headers(message, mh);
      if (message.size() > cfg.smtp.max_message_size) {
        s.quit();
        return fail(kExDataErr, "message too big (limit " + std::to_string(cfg.smtp.max_message_size) + " bytes)");
      }
      stuffed = dot_stuff(message) + ".\r\n";
    }

    size_t end = rcpts.size();
    std::optional<SmtpReply> first_refusal;
    for (size_t i = next; i < end; ++i) {
      r = s.command("RCPT TO:<" + rcpts[i] + ">");
      if (!r) return lost("at RCPT");
      if (r->code == 250 || r->code == 251) continue;
      if (r->code == 452 && i > next && !first_refusal) {  // this transaction is full
        end = i;
        break;
      }
      std::fprintf(stderr, "postern-sendmail: <%s>: %s\n", rcpts[i].c_str(), r->text().c_str());
      if (!first_refusal || (first_refusal->code != 550 && r->code == 550)) first_refusal = *r;
    }
    if (first_refusal) {
      s.quit();
      return fail(exit_code_for(Stage::rcpt, first_refusal->code),
                  std::string("recipient refused, message not sent") + partial);
    }

    r = s.command("DATA");
    if (!r) return lost("at DATA");
    if (r->code != 354) {
      s.quit();
      return refused(Stage::data, *r, std::string("DATA refused") + partial);
    }
    if (!client.send(stuffed)) return lost("while sending the message");
    r = client.read_reply(kDataEndTimeout);
    if (!r) return lost("after the message");
    if (r->code != 250) {
      s.quit();
      return refused(Stage::data_end, *r, std::string("message refused") + partial);
    }
    next = end;
  }
  s.quit();
  return kExOk;
}
