// Runs tests/transcripts/*.imap against the real IMAP session over a loopback
// TCP pair, with a temporary store and an in-process fake authd on a
// temporary Unix socket.
//
// Transcript format (one directive per line):
//   # text                 a comment
//   # option: key=value    allow_plaintext_auth_loopback=false, max_literal=N, tls=true,
//                          max_line_length=N, command_timeout=SECONDS
//   C: <line>              sent by the client, CRLF appended; "${UIDVALIDITY}"
//                          becomes INBOX's UIDVALIDITY
//   S: <line>              the next line the server sends, without CRLF; exact,
//                          except that "<*>" matches any run of characters
//                          (for values such as UIDVALIDITY that vary per run)
//   X: deliver <mailbox>   another process delivers kNewMessage into the store
//   X: deliver-big <mailbox> <n>  delivers "Subject: big", a blank line, n "x" and CRLF
//   X: expunge <mailbox> <uid>   another session expunges that message
//   X: flag <mailbox> <uid>      another session adds \Flagged to it
//   X: send-long <n>       the client sends "a1 NOOP " and n more bytes, then CRLF
//   X: closed              the server closes the connection now
// The store starts with user "alice" (password "secret"): INBOX holds kMsg1
// (unseen) and kMsg2 (\Seen, multipart); the default mailboxes exist.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <asio.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/config/config.hpp"
#include "common/net/connection.hpp"
#include "common/store/store.hpp"
#include "common/tls/tls.hpp"
#include "common/util/strings.hpp"
#include "imap/session.hpp"

namespace fs = std::filesystem;
using asio::experimental::as_tuple;
using namespace postern;

namespace {

const std::string kMsg1 =
    "From: Bob Example <bob@example.org>\r\n"
    "To: alice@example.org\r\n"
    "Subject: Hello\r\n"
    "Date: Wed, 7 Feb 2024 10:00:00 +0000\r\n"
    "Message-ID: <1@example.org>\r\n"
    "\r\n"
    "Hi Alice.\r\n";
const std::string kMsg2 =
    "From: carol@example.net\r\n"
    "To: Alice <alice@example.org>\r\n"
    "Subject: Report\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"XX\"\r\n"
    "\r\n"
    "--XX\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "Part one.\r\n"
    "--XX\r\n"
    "Content-Type: text/csv\r\n"
    "\r\n"
    "a,b\r\n"
    "--XX--\r\n";
const std::string kNewMessage =
    "From: dave@example.com\r\n"
    "Subject: New\r\n"
    "\r\n"
    "Fresh.\r\n";
constexpr int64_t kDate1 = 1707300000;  // 07-Feb-2024 10:00:00 +0000
constexpr int64_t kDate2 = 1707386400;  // 08-Feb-2024 10:00:00 +0000

// The fake authd: VERSION, and AUTH PLAIN for alice/secret (docs/protocols/auth.md).
asio::awaitable<void> fake_authd_peer(asio::local::stream_protocol::socket sock) {
  std::string buf;
  for (;;) {
    auto [ec, n] = co_await asio::async_read_until(sock, asio::dynamic_buffer(buf), '\n',
                                                   as_tuple(asio::use_awaitable));
    if (ec) co_return;
    std::string line = buf.substr(0, n - 1);
    buf.erase(0, n);
    auto f = util::split(line, '\t');
    std::string reply;
    auto verdict = [](const std::string& id, std::string_view b64) {
      auto plain = util::base64_decode(b64);
      if (plain) {
        auto parts = util::split(*plain, '\0');
        if (parts.size() == 3 && parts[1] == "alice" && parts[2] == "secret") return "OK\t" + id + "\tuser=alice\n";
      }
      return "FAIL\t" + id + "\tauth\tbad credentials\n";
    };
    if (f.size() == 2 && f[0] == "VERSION") {
      reply = "VERSION\t1\n";
    } else if (f.size() == 7 && f[0] == "AUTH") {
      reply = verdict(std::string(f[1]), f[6]);
    } else if (f.size() == 6 && f[0] == "AUTH") {
      reply = "CONT\t" + std::string(f[1]) + "\t=\n";
    } else if (f.size() == 3 && f[0] == "CONT") {
      reply = verdict(std::string(f[1]), f[2]);
    } else {
      co_return;
    }
    co_await asio::async_write(sock, asio::buffer(reply), as_tuple(asio::use_awaitable));
  }
}

class Harness {
 public:
  explicit Harness(const std::map<std::string, std::string>& options) {
    char tmpl[] = "/tmp/postern-imap-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    cfg_.store.root = dir_ + "/mail";
    cfg_.auth.socket = dir_ + "/auth.sock";
    cfg_.imap.max_literal = 1 << 20;
    for (auto& [k, v] : options) {
      if (k == "allow_plaintext_auth_loopback") cfg_.imap.allow_plaintext_auth_loopback = v == "true";
      if (k == "max_literal") cfg_.imap.max_literal = std::stoull(v);
      if (k == "max_line_length") cfg_.imap.max_line_length = std::stoi(v);
      if (k == "command_timeout") cfg_.imap.limits.command_timeout = std::chrono::seconds(std::stoi(v));
    }
    if (options.count("tls") && options.at("tls") == "true") {
      config::Certificate cert{dir_ + "/cert.pem", dir_ + "/key.pem"};
      tls::ensure_self_signed(cert.cert, cert.key, "localhost");
      cfg_.tls.certificates.push_back(cert);
      tls_ = std::make_shared<tls::TlsManager>(cfg_.tls);
    }
    fs::create_directories(cfg_.store.root);
    auto st = store::MailStore::open(cfg_.store.root, "alice");
    st->deliver("INBOX", kMsg1, 0, kDate1);
    st->deliver("INBOX", kMsg2, store::kSeen, kDate2);

    asio::local::stream_protocol::acceptor authd(io_, asio::local::stream_protocol::endpoint(cfg_.auth.socket));
    tcp_.open(asio::ip::tcp::v4());
    tcp_.set_option(asio::socket_base::reuse_address(true));
    tcp_.bind({asio::ip::make_address("127.0.0.1"), 0});
    tcp_.listen();
    port_ = tcp_.local_endpoint().port();
    asio::co_spawn(io_, accept_authd(std::move(authd)), asio::detached);
    asio::co_spawn(io_, accept_imap(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Harness() {
    io_.stop();
    thread_.join();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  uint16_t port() const { return port_; }
  const config::Config& cfg() const { return cfg_; }

 private:
  asio::awaitable<void> accept_authd(asio::local::stream_protocol::acceptor a) {
    for (;;) {
      auto [ec, s] = co_await a.async_accept(as_tuple(asio::use_awaitable));
      if (ec) co_return;
      asio::co_spawn(io_, fake_authd_peer(std::move(s)), asio::detached);
    }
  }
  asio::awaitable<void> accept_imap() {
    for (;;) {
      auto [ec, s] = co_await tcp_.async_accept(as_tuple(asio::use_awaitable));
      if (ec) co_return;
      asio::co_spawn(io_, serve(std::move(s)), asio::detached);
    }
  }
  asio::awaitable<void> serve(asio::ip::tcp::socket s) {
    net::Connection conn(std::move(s), tls_, cfg_.imap.limits, "test");
    imap::SessionOptions opts;
    opts.cfg = &cfg_;
    opts.tls_available = tls_ != nullptr;
    opts.idle_poll = std::chrono::seconds(1);
    co_await imap::run_session(conn, opts);
    conn.close();
  }

  std::string dir_;
  config::Config cfg_;
  std::shared_ptr<tls::TlsManager> tls_;
  asio::io_context io_{1};
  asio::ip::tcp::acceptor tcp_{io_};
  uint16_t port_ = 0;
  std::thread thread_;
};

// A blocking client with a receive timeout, so a wrong transcript fails instead of hanging.
class Client {
 public:
  explicit Client(uint16_t port) : sock_(io_) {
    sock_.connect({asio::ip::make_address("127.0.0.1"), port});
    timeval tv{10, 0};
    setsockopt(sock_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  void send(const std::string& s) { asio::write(sock_, asio::buffer(s)); }
  // One line without CRLF; nullopt on EOF or timeout.
  std::optional<std::string> line() {
    for (;;) {
      auto p = buf_.find("\r\n");
      if (p != std::string::npos) {
        std::string l = buf_.substr(0, p);
        buf_.erase(0, p + 2);
        return l;
      }
      char tmp[4096];
      ssize_t n = ::recv(sock_.native_handle(), tmp, sizeof tmp, 0);
      if (n <= 0) return std::nullopt;
      buf_.append(tmp, static_cast<size_t>(n));
    }
  }

 private:
  asio::io_context io_;
  asio::ip::tcp::socket sock_;
  std::string buf_;
};

// Exact match, except that each "<*>" matches any run of characters. No
// regex: lines can be hundreds of kilobytes (literal contents).
bool line_matches(const std::string& expected, const std::string& got) {
  std::vector<std::string> segs;
  size_t start = 0;
  for (size_t p; (p = expected.find("<*>", start)) != std::string::npos; start = p + 3)
    segs.push_back(expected.substr(start, p - start));
  segs.push_back(expected.substr(start));
  if (segs.size() == 1) return expected == got;
  const std::string& first = segs.front();
  const std::string& last = segs.back();
  if (got.size() < first.size() + last.size()) return false;
  if (got.compare(0, first.size(), first) != 0) return false;
  if (got.compare(got.size() - last.size(), last.size(), last) != 0) return false;
  size_t pos = first.size();
  size_t end = got.size() - last.size();
  for (size_t i = 1; i + 1 < segs.size(); ++i) {
    size_t f = got.find(segs[i], pos);
    if (f == std::string::npos || f + segs[i].size() > end) return false;
    pos = f + segs[i].size();
  }
  return true;
}

void run_transcript(const fs::path& path) {
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  std::vector<std::string> lines;
  std::map<std::string, std::string> options;
  for (std::string l; std::getline(in, l);) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (l.rfind("# option: ", 0) == 0) {
      auto kv = l.substr(10);
      auto eq = kv.find('=');
      options[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    lines.push_back(l);
  }
  Harness h(options);
  Client c(h.port());
  int lineno = 0;
  for (const auto& l : lines) {
    ++lineno;
    std::string where = path.filename().string() + ":" + std::to_string(lineno);
    if (l.empty() || l[0] == '#') continue;
    if (l.rfind("C: ", 0) == 0 || l == "C:") {
      std::string text = l.substr(std::min<size_t>(3, l.size()));
      if (auto p = text.find("${UIDVALIDITY}"); p != std::string::npos) {
        auto st = store::MailStore::open(h.cfg().store.root, "alice");
        text.replace(p, 14, std::to_string(st->mailbox("INBOX")->uidvalidity));
      }
      c.send(text + "\r\n");
    } else if (l.rfind("S: ", 0) == 0 || l == "S:") {
      std::string expected = l.substr(std::min<size_t>(3, l.size()));
      auto got = c.line();
      ASSERT_TRUE(got) << where << ": expected [" << expected << "], connection closed or timed out";
      ASSERT_TRUE(line_matches(expected, *got)) << where << ":\n  expected [" << expected << "]\n  got      [" << *got
                                                << "]";
    } else if (l.rfind("X: deliver-big ", 0) == 0) {
      auto f = util::split(l, ' ');
      ASSERT_EQ(f.size(), 4u) << where;
      auto st = store::MailStore::open(h.cfg().store.root, "alice");
      st->deliver(std::string(f[2]), "Subject: big\r\n\r\n" + std::string(std::stoul(std::string(f[3])), 'x') + "\r\n",
                  0, kDate2);
    } else if (l.rfind("X: deliver ", 0) == 0) {
      auto st = store::MailStore::open(h.cfg().store.root, "alice");
      st->deliver(l.substr(11), kNewMessage, 0, kDate2);
    } else if (l.rfind("X: expunge ", 0) == 0 || l.rfind("X: flag ", 0) == 0) {
      auto f = util::split(l, ' ');
      ASSERT_EQ(f.size(), 4u) << where;
      auto st = store::MailStore::open(h.cfg().store.root, "alice");
      uint32_t uid = static_cast<uint32_t>(std::stoul(std::string(f[3])));
      std::string box(f[2]);
      if (f[1] == "flag") {
        st->store_flags(box, {uid}, store::FlagOp::add, store::kFlagged);
      } else {
        st->store_flags(box, {uid}, store::FlagOp::add, store::kDeleted);
        st->expunge(box, std::vector<uint32_t>{uid});
      }
    } else if (l.rfind("X: send-long ", 0) == 0) {
      c.send("a1 NOOP " + std::string(std::stoul(l.substr(13)), 'x') + "\r\n");
    } else if (l == "X: closed") {
      auto got = c.line();
      ASSERT_FALSE(got) << where << ": expected the connection to close, got [" << *got << "]";
    } else {
      FAIL() << where << ": bad transcript line [" << l << "]";
    }
  }
}

// STARTTLS (RFC 9051 section 6.2.1): commands pipelined after STARTTLS in
// plaintext are discarded, not run inside the TLS session (the CVE-2011-0411
// class of injection); after the handshake the capabilities change.
TEST(ImapStartTls, DiscardsPipelinedPlaintextAndUpgrades) {
  Harness h(std::map<std::string, std::string>{{"tls", "true"}});
  asio::io_context io;
  asio::ip::tcp::socket sock(io);
  sock.connect({asio::ip::make_address("127.0.0.1"), h.port()});
  timeval tv{10, 0};
  setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string buf;
  auto plain_line = [&]() {
    for (;;) {
      auto p = buf.find("\r\n");
      if (p != std::string::npos) {
        std::string l = buf.substr(0, p);
        buf.erase(0, p + 2);
        return l;
      }
      char tmp[512];
      ssize_t n = ::recv(sock.native_handle(), tmp, 1, 0);  // byte by byte: never read past the OK
      if (n <= 0) return std::string("<eof>");
      buf.append(tmp, static_cast<size_t>(n));
    }
  };
  EXPECT_EQ(plain_line(), "* OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ ID ENABLE IDLE STARTTLS AUTH=PLAIN] Postern ready");
  asio::write(sock, asio::buffer(std::string("a STARTTLS\r\nb LOGIN alice secret\r\n")));
  EXPECT_EQ(plain_line(), "a OK Begin TLS negotiation now");
  ASSERT_TRUE(buf.empty());

  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.set_verify_mode(asio::ssl::verify_none);
  asio::ssl::stream<asio::ip::tcp::socket&> tls(sock, ctx);
  tls.handshake(asio::ssl::stream_base::client);
  asio::write(tls, asio::buffer(std::string("c CAPABILITY\r\n")));
  std::string in;
  asio::error_code ec;
  asio::read_until(tls, asio::dynamic_buffer(in), "c OK", ec);
  ASSERT_FALSE(ec) << ec.message();
  // The pipelined "b LOGIN" was dropped: the first answer is to "c".
  EXPECT_EQ(in.substr(0, in.find("\r\n")), "* CAPABILITY IMAP4rev1 SASL-IR LITERAL+ ID ENABLE IDLE AUTH=PLAIN");
  EXPECT_EQ(in.find("b "), std::string::npos);
}

class Transcript : public ::testing::TestWithParam<std::string> {};

TEST_P(Transcript, Runs) { run_transcript(fs::path(POSTERN_SOURCE_DIR) / "tests/transcripts" / GetParam()); }

std::vector<std::string> transcripts() {
  std::vector<std::string> out;
  for (auto& e : fs::directory_iterator(fs::path(POSTERN_SOURCE_DIR) / "tests/transcripts"))
    if (e.path().extension() == ".imap") out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

INSTANTIATE_TEST_SUITE_P(Imap, Transcript, ::testing::ValuesIn(transcripts()),
                         [](const auto& info) {
                           std::string n = info.param.substr(0, info.param.size() - 5);
                           for (auto& ch : n)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return n;
                         });

}  // namespace
