// Transcript tests: each tests/transcripts/*.smtp file is played against the
// real SMTP session (smtp::run_session over net::Connection) on a loopback
// TCP connection (a Unix socket pair for @mode pickup), with a temporary
// store and an in-memory user directory (alice, bob; "authdown" fails
// temporarily; password "secret").
//
// File format, one directive per line:
//   C: text    client sends text + CRLF (consecutive C: lines go out in one
//              write, which exercises pipelining)
//   C! text    client sends text with escapes (\r \n \\ \xHH), no CRLF added
//   S: text    next server line must equal text; a trailing '*' matches any rest
//   TLS        client starts TLS (after the server's 220 to STARTTLS)
//   CLOSED     server must close the connection now
//   = user mailbox count     the store holds exactly count messages
//   B: text    the last message of the last '=' check, after our trace
//              headers, is exactly the B: lines joined with CRLF
//   H: text    the last message starts with a header line matching text ('*' ok)
//   @mode submission | @mode pickup (local socket pair; the session's uid
//              lookup is faked by @local_user NAME [trusted] | @local_user none,
//              and must be asked about this process's own uid)
//   @tls | @timeout N | @max_size N | @max_rcpts N | @implicit_tls
//   @bytewise  the client writes one byte per send (TCP_NODELAY): replies must
//              not depend on how the bytes are split
//   @filter    install a test MessageFilter: a message whose body contains
//              "REJECT-ME" gets 550 5.7.1, every message gets an
//              "X-Test-Filter: <mode> <rcpt count>" header, bob's copy goes to Junk
//   @alias line  a line of the session's aliases file (smtp/aliases.hpp),
//              e.g. "@alias root: bob"; the lines form the table in order
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "common/log/log.hpp"
#include "common/net/connection.hpp"
#include "common/store/store.hpp"
#include "common/tls/tls.hpp"
#include "common/util/strings.hpp"
#include "smtp/session.hpp"

using namespace postern;
namespace fs = std::filesystem;

namespace {

using authclient::AuthResult;

class FakeSasl : public authclient::SaslExchange {
 public:
  asio::awaitable<AuthResult> start(std::string_view mech, std::optional<std::string> initial) override {
    mech_ = std::string(mech);
    if (mech_ == "PLAIN") {
      if (!initial || initial->empty()) co_return challenge("");
      co_return plain(*initial);
    }
    if (initial && !initial->empty()) {
      user_ = util::base64_decode(*initial).value_or("");
      co_return challenge("UGFzc3dvcmQ6");
    }
    co_return challenge("VXNlcm5hbWU6");
  }
  asio::awaitable<AuthResult> respond(std::string_view b64) override {
    if (mech_ == "PLAIN") co_return plain(b64);
    auto v = util::base64_decode(b64);
    if (!v) co_return result(AuthResult::Status::fail);
    if (!user_) {
      user_ = *v;
      co_return challenge("UGFzc3dvcmQ6");
    }
    co_return check(*user_, *v);
  }

 private:
  static AuthResult challenge(std::string c) {
    AuthResult r;
    r.status = AuthResult::Status::challenge;
    r.challenge = std::move(c);
    return r;
  }
  static AuthResult result(AuthResult::Status s, std::string user = "") {
    AuthResult r;
    r.status = s;
    r.user = std::move(user);
    return r;
  }
  static AuthResult check(const std::string& user, const std::string& pass) {
    if (user == "authdown") return result(AuthResult::Status::temp);
    if ((user == "alice" || user == "bob") && pass == "secret") return result(AuthResult::Status::ok, user);
    return result(AuthResult::Status::fail);
  }
  AuthResult plain(std::string_view b64) {
    auto v = util::base64_decode(b64);
    if (!v) return result(AuthResult::Status::fail);
    auto parts = util::split(*v, '\0');
    if (parts.size() != 3) return result(AuthResult::Status::fail);
    return check(std::string(parts[1]), std::string(parts[2]));
  }
  std::string mech_;
  std::optional<std::string> user_;
};

class FakeDirectory : public smtp::UserDirectory {
 public:
  asio::awaitable<std::optional<authclient::UserInfo>> lookup(std::string_view local, bool* temp) override {
    lookups.push_back(std::string(local));
    if (local == "authdown") {
      if (temp) *temp = true;
      co_return std::nullopt;
    }
    if (local == "alice" || local == "bob") co_return authclient::UserInfo{std::string(local), ""};
    if (local == "postmaster") co_return authclient::UserInfo{"alice", ""};
    co_return std::nullopt;
  }
  std::unique_ptr<authclient::SaslExchange> sasl(const authclient::ClientInfo&) override {
    return std::make_unique<FakeSasl>();
  }
  std::vector<std::string> lookups;
};

std::string unescape(std::string_view s) {
  std::string r;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      r.push_back(s[i]);
      continue;
    }
    char c = s[++i];
    if (c == 'r') r.push_back('\r');
    else if (c == 'n') r.push_back('\n');
    else if (c == 'x' && i + 2 < s.size() + 0) {
      r.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else r.push_back(c);
  }
  return r;
}

// Exact match, except that each '*' in want matches any run of characters.
bool matches(std::string_view got, std::string_view want) {
  auto star = want.find('*');
  if (star == std::string_view::npos) return got == want;
  if (got.substr(0, star) != want.substr(0, star)) return false;
  auto rest = want.substr(star + 1);
  for (size_t i = star; i <= got.size(); ++i)
    if (matches(got.substr(i), rest)) return true;
  return false;
}

// Blocking client over plain TCP or TLS, with a receive timeout so a broken
// server fails the test instead of hanging it.
class Client {
 public:
  Client(asio::io_context& io, uint16_t port) : sock_(io), ssl_ctx_(asio::ssl::context::tls_client) {
    sock_.connect({asio::ip::make_address("127.0.0.1"), port});
    timeval tv{10, 0};
    setsockopt(sock_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  // The client end of a Unix socket pair (pickup).
  Client(asio::io_context& io, asio::local::stream_protocol::socket local)
      : sock_(io), ssl_ctx_(asio::ssl::context::tls_client), local_(std::move(local)) {
    timeval tv{10, 0};
    setsockopt(local_->native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  void start_tls() {
    ssl_ctx_.set_verify_mode(asio::ssl::verify_none);
    ssl_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket&>>(sock_, ssl_ctx_);
    ssl_->handshake(asio::ssl::stream_base::client);
  }
  void set_bytewise() {
    bytewise_ = true;
    if (!local_) sock_.set_option(asio::ip::tcp::no_delay(true));
  }
  void send(const std::string& data) {
    if (bytewise_) {
      for (char c : data) write(std::string(1, c));
      return;
    }
    write(data);
  }
  void write(const std::string& data) {
    if (ssl_)
      asio::write(*ssl_, asio::buffer(data));
    else if (local_)
      asio::write(*local_, asio::buffer(data));
    else
      asio::write(sock_, asio::buffer(data));
  }
  // One line with its CRLF removed; nullopt on EOF/timeout. *crlf: ended in CRLF.
  std::optional<std::string> line(bool* crlf) {
    for (;;) {
      auto nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string l = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        *crlf = !l.empty() && l.back() == '\r';
        if (*crlf) l.pop_back();
        return l;
      }
      char tmp[4096];
      asio::error_code ec;
      size_t n = ssl_     ? ssl_->read_some(asio::buffer(tmp), ec)
                 : local_ ? local_->read_some(asio::buffer(tmp), ec)
                          : sock_.read_some(asio::buffer(tmp), ec);
      if (ec || n == 0) return std::nullopt;
      buf_.append(tmp, n);
    }
  }

 private:
  asio::ip::tcp::socket sock_;
  asio::ssl::context ssl_ctx_;
  std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket&>> ssl_;
  std::optional<asio::local::stream_protocol::socket> local_;
  std::string buf_;
  bool bytewise_ = false;
};

class Transcript : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    static bool logged = false;
    if (!logged) {
      try {
        log::init("smtpd-test", "warn");
      } catch (...) {
      }
      logged = true;
    }
    char tmpl[] = "/tmp/postern-smtp-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::shared_ptr<tls::TlsManager> make_tls() {
    config::TlsConfig tc;
    tc.certificates.push_back({(dir_ / "cert.pem").string(), (dir_ / "key.pem").string()});
    tls::ensure_self_signed(tc.certificates[0].cert, tc.certificates[0].key, "mx.example.org");
    return std::make_shared<tls::TlsManager>(tc);
  }

  fs::path dir_;
};

TEST_P(Transcript, Plays) {
  std::ifstream in(fs::path(POSTERN_SOURCE_DIR) / "tests/transcripts" / GetParam());
  ASSERT_TRUE(in) << GetParam();
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);

  auto cfg = std::make_shared<config::Config>();
  cfg->server.hostname = "mx.example.org";
  cfg->server.domains = {"example.org", "example.net"};
  cfg->store.root = (dir_ / "mail").string();
  cfg->smtp.max_message_size = 10000;
  cfg->smtp.max_recipients = 3;
  cfg->smtp.max_line_length = 512;
  cfg->smtp.limits.command_timeout = std::chrono::seconds(30);
  smtp::Mode mode = smtp::Mode::mx;
  bool with_tls = false, implicit = false;
  size_t max_data_line = 2000;
  bool with_filter = false;
  bool bytewise = false;
  std::optional<smtp::LocalUser> local_user;
  std::string alias_text;
  for (auto& l : lines) {
    if (l.rfind("@alias ", 0) == 0) alias_text += l.substr(7) + "\n";
    if (l == "@mode submission") mode = smtp::Mode::submission;
    if (l == "@mode pickup") mode = smtp::Mode::pickup;
    if (l.rfind("@local_user ", 0) == 0) {
      std::istringstream ss(l.substr(12));
      std::string name, flag;
      ss >> name >> flag;
      if (name == "none")
        local_user.reset();
      else
        local_user = smtp::LocalUser{name, flag == "trusted"};
    }
    if (l == "@tls") with_tls = true;
    if (l == "@filter") with_filter = true;
    if (l == "@bytewise") bytewise = true;
    if (l == "@implicit_tls") with_tls = implicit = true;
    if (l.rfind("@timeout ", 0) == 0) cfg->smtp.limits.command_timeout = std::chrono::seconds(std::stoi(l.substr(9)));
    if (l.rfind("@max_size ", 0) == 0) cfg->smtp.max_message_size = std::stoull(l.substr(10));
    if (l.rfind("@max_rcpts ", 0) == 0) cfg->smtp.max_recipients = std::stoi(l.substr(11));
  }
  std::shared_ptr<tls::TlsManager> tls;
  if (with_tls) tls = make_tls();

  asio::io_context io;
  asio::thread_pool pool(1);
  FakeDirectory directory;
  smtp::SessionContext ctx;
  ctx.config = cfg;
  ctx.mode = mode;
  ctx.tls_available = tls != nullptr;
  ctx.directory = &directory;
  ctx.delivery_pool = &pool;
  ctx.max_data_line = max_data_line;
  if (!alias_text.empty())
    ctx.aliases = std::make_shared<const smtp::AliasTable>(smtp::AliasTable::parse(alias_text, "transcript"));
  std::vector<long> uids_asked;
  ctx.resolve_uid = [&](long uid) {
    uids_asked.push_back(uid);
    return local_user;
  };
  bool pickup = mode == smtp::Mode::pickup;
  if (with_filter) {
    ctx.filter = [](const smtp::FilterInput& in) -> asio::awaitable<smtp::FilterVerdict> {
      smtp::FilterVerdict v;
      if (in.message.find("REJECT-ME") != std::string_view::npos) {
        v.reject = smtp::Reply(550, "5.7.1", "Rejected by test filter");
        co_return v;
      }
      v.prepend = "X-Test-Filter: " + std::string(smtp::mode_name(in.mode)) + " " +
                  std::to_string(in.envelope.rcpts.size()) + "\r\n";
      for (auto& r : in.envelope.rcpts) v.mailboxes.push_back(r.user == "bob" ? "Junk" : "");
      co_return v;
    };
  }

  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  uint16_t port = acceptor.local_endpoint().port();
  asio::local::stream_protocol::socket server_end(io), client_end(io);
  if (pickup) asio::local::connect_pair(server_end, client_end);
  std::promise<void> session_done;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        if (pickup) {
          net::Connection conn(std::move(server_end), cfg->smtp.limits, "t1");
          co_await smtp::run_session(conn, ctx);
          conn.close();
        } else {
          auto s = co_await acceptor.async_accept(asio::use_awaitable);
          net::Connection conn(std::move(s), tls, cfg->smtp.limits, "t1");
          bool ok = true;
          if (implicit) ok = co_await conn.start_tls();
          if (ok) co_await smtp::run_session(conn, ctx);
          conn.close();
        }
        session_done.set_value();
      },
      asio::detached);
  std::thread loop([&io] { io.run(); });
  struct Joiner {  // an early ASSERT return must not leave the thread running
    asio::io_context& io;
    std::thread& t;
    ~Joiner() {
      if (t.joinable()) {
        io.stop();
        t.join();
      }
    }
  } joiner{io, loop};

  {
    Client client = pickup ? Client(io, std::move(client_end)) : Client(io, port);
    if (implicit) client.start_tls();
    if (bytewise) client.set_bytewise();
    std::string pending;
    std::string last_message;
    std::vector<std::string> body;
    bool in_body = false;
    auto check_body = [&]() {
      if (!in_body) return;
      in_body = false;
      std::string want;
      for (auto& b : body) want += b + "\r\n";
      body.clear();
      // The message after our trace headers (Return-Path, Received + folds).
      size_t pos = 0;
      for (;;) {
        auto eol = last_message.find("\r\n", pos);
        ASSERT_NE(eol, std::string::npos);
        std::string_view h(last_message.data() + pos, eol - pos);
        bool ours = h.rfind("Return-Path:", 0) == 0 || h.rfind("Received:", 0) == 0 || h.rfind("\t", 0) == 0 ||
                    h.rfind("X-Test-Filter:", 0) == 0;
        if (!ours) break;
        pos = eol + 2;
      }
      EXPECT_EQ(last_message.substr(pos), want) << GetParam();
    };
    auto flush = [&]() {
      if (!pending.empty()) client.send(pending);
      pending.clear();
    };
    int lineno = 0;
    for (auto& l : lines) {
      ++lineno;
      SCOPED_TRACE(GetParam() + ":" + std::to_string(lineno) + ": " + l);
      if (l.rfind("B: ", 0) == 0 || l == "B:") {
        in_body = true;
        body.push_back(l.size() > 3 ? l.substr(3) : "");
        continue;
      }
      check_body();
      if (l.empty() || l[0] == '#' || l[0] == '@') continue;
      if (l.rfind("C: ", 0) == 0 || l == "C:") {
        pending += (l.size() > 3 ? l.substr(3) : "") + "\r\n";
      } else if (l.rfind("C! ", 0) == 0) {
        pending += unescape(l.substr(3));
      } else if (l.rfind("S: ", 0) == 0) {
        flush();
        bool crlf = false;
        auto got = client.line(&crlf);
        ASSERT_TRUE(got) << "server closed or timed out, expected: " << l.substr(3);
        EXPECT_TRUE(crlf) << "reply line not ended by CRLF";
        EXPECT_TRUE(matches(*got, l.substr(3))) << "got: " << *got;
      } else if (l == "TLS") {
        flush();
        client.start_tls();
      } else if (l == "CLOSED") {
        flush();
        bool crlf = false;
        auto got = client.line(&crlf);
        EXPECT_FALSE(got) << "expected close, got: " << got.value_or("");
      } else if (l.rfind("= ", 0) == 0) {
        flush();
        std::istringstream ss(l.substr(2));
        std::string user, mailbox;
        size_t count = 0;
        ss >> user >> mailbox >> count;
        size_t have = 0;
        if (fs::exists(dir_ / "mail" / user)) {
          auto store = store::MailStore::open(cfg->store.root, user);
          auto msgs = store->messages(mailbox);
          have = msgs.size();
          if (!msgs.empty()) last_message = store->read_message(mailbox, msgs.back().uid);
        }
        EXPECT_EQ(have, count) << user << " " << mailbox;
      } else if (l.rfind("H: ", 0) == 0) {
        std::string want = l.substr(3);
        bool found = false;
        size_t pos = 0;
        while (pos < last_message.size()) {
          auto eol = last_message.find("\r\n", pos);
          if (eol == std::string::npos || eol == pos) break;
          if (matches(last_message.substr(pos, eol - pos), want)) found = true;
          pos = eol + 2;
        }
        EXPECT_TRUE(found) << "no header line matching: " << want << "\nin:\n" << last_message;
      } else {
        ADD_FAILURE() << "bad transcript line";
      }
    }
    check_body();
    flush();
  }
  // The client is gone: the session must end by itself (EOF), not hang.
  auto fut = session_done.get_future();
  bool ended = fut.wait_for(std::chrono::seconds(30)) == std::future_status::ready;
  EXPECT_TRUE(ended) << "session did not end after the client closed";
  if (!ended) io.stop();
  loop.join();
  pool.join();
  if (pickup) {  // the session identified the peer by its real uid (SO_PEERCRED)
    ASSERT_EQ(uids_asked.size(), 1u);
    EXPECT_EQ(uids_asked[0], static_cast<long>(getuid()));
  } else {
    EXPECT_TRUE(uids_asked.empty());
  }
}

std::vector<std::string> transcripts() {
  std::vector<std::string> v;
  for (auto& e : fs::directory_iterator(fs::path(POSTERN_SOURCE_DIR) / "tests/transcripts"))
    if (e.path().extension() == ".smtp") v.push_back(e.path().filename().string());
  std::sort(v.begin(), v.end());
  return v;
}

INSTANTIATE_TEST_SUITE_P(Smtp, Transcript, ::testing::ValuesIn(transcripts()), [](const auto& info) {
  std::string n = info.param.substr(0, info.param.size() - 5);
  for (auto& c : n)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
});

}  // namespace
