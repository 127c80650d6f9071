// authd end to end in one process: the real server on a real Unix socket in
// a temporary directory, the passwd-file backend, and both the AuthClient
// library and a raw client speaking the protocol by hand.
#include <crypt.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <asio/experimental/as_tuple.hpp>

#include "auth/passwd_file.hpp"
#include "auth/protocol.hpp"
#include "auth/server.hpp"
#include "common/authclient/authclient.hpp"
#include "common/util/strings.hpp"
#include "test_util.hpp"

using namespace postern::auth;
using namespace std::chrono_literals;
using postern::auth::test::run_coro;
using postern::auth::test::TempDir;
namespace ac = postern::authclient;
using asio::awaitable;
using asio::use_awaitable;

namespace {

std::string make_hash(const std::string& password) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  crypt_gensalt_rn("$6$", 0, nullptr, 0, setting, sizeof setting);
  crypt_data data{};
  return crypt_r(password.c_str(), setting, &data);
}

std::string b64(std::string_view s) { return postern::util::base64_encode(s); }
std::string plain(std::string_view user, std::string_view pw) {
  std::string m;
  m += '\0';
  m.append(user);
  m += '\0';
  m.append(pw);
  return b64(m);
}

constexpr auto kBase = 300ms;

// A client that speaks the protocol by hand.
struct Raw {
  explicit Raw(asio::io_context& io) : sock(io) {}
  asio::local::stream_protocol::socket sock;
  std::string buf;
  awaitable<void> connect(const std::string& path) {
    co_await sock.async_connect(asio::local::stream_protocol::endpoint(path), use_awaitable);
  }
  awaitable<void> write(std::string s) { co_await asio::async_write(sock, asio::buffer(s), use_awaitable); }
  // The next line, or nullopt once the server closed the connection.
  awaitable<std::optional<std::string>> line() {
    for (;;) {
      size_t lf = buf.find('\n');
      if (lf != std::string::npos) {
        std::string l = buf.substr(0, lf);
        buf.erase(0, lf + 1);
        co_return l;
      }
      char tmp[4096];
      auto [ec, n] = co_await sock.async_read_some(asio::buffer(tmp), asio::experimental::as_tuple(use_awaitable));
      if (ec) co_return std::nullopt;
      buf.append(tmp, n);
    }
  }
};

class AuthServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("passwd", "alice:" + make_hash("alice-pw") + "\nbob:" + make_hash("bob-pw") + ":/srv/bob\n");
    backend_ = PasswdFileBackend::create(io_.get_executor(), dir_.file("passwd"), "/var/lib/postern/mail");
    ServerSettings s;
    s.socket_path = dir_.file("auth.sock");
    s.penalty.base = kBase;
    s.penalty.max = 2000ms;
    s.domains = {"example.org"};
    server_ = std::make_unique<AuthServer>(io_, backend_, s);
    server_->listen();
    client_ = std::make_unique<ac::AuthClient>(io_.get_executor(), s.socket_path, 20s);
  }
  void TearDown() override {
    server_->stop();
    backend_->shutdown();
  }
  ac::ClientInfo info(std::string ip = "192.0.2.10") { return ac::ClientInfo{"smtp", ip, true}; }

  TempDir dir_;
  asio::io_context io_;
  std::shared_ptr<PasswdFileBackend> backend_;
  std::unique_ptr<AuthServer> server_;
  std::unique_ptr<ac::AuthClient> client_;
};

}  // namespace

TEST_F(AuthServerTest, SocketIsMode0660) {
  struct stat st {};
  ASSERT_EQ(lstat(dir_.file("auth.sock").c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0660u);
}

TEST_F(AuthServerTest, LoginOkImmediatelyAndFailureAfterPenalty) {
  run_coro(io_, [&]() -> awaitable<void> {
    auto ok = co_await client_->login(info(), "alice", "alice-pw");
    EXPECT_EQ(ok.status, ac::AuthResult::Status::ok);
    EXPECT_EQ(ok.user, "alice");
    EXPECT_EQ(ok.home, "/var/lib/postern/mail/alice");

    auto t0 = std::chrono::steady_clock::now();
    auto bad = co_await client_->login(info(), "alice", "wrong");
    auto waited = std::chrono::steady_clock::now() - t0;
    EXPECT_EQ(bad.status, ac::AuthResult::Status::fail);
    EXPECT_EQ(bad.reason, "wrong password");
    EXPECT_GE(waited, kBase);  // a lower bound only: the failure was held back

    // The second failure from that address counts double.
    EXPECT_EQ(server_->penalties().failures_for_address("192.0.2.10", Penalties::Clock::now()), 1u);
    auto unknown = co_await client_->login(info(), "nosuchuser", "x");
    EXPECT_EQ(unknown.status, ac::AuthResult::Status::fail);
    EXPECT_EQ(server_->penalties().failures_for_address("192.0.2.10", Penalties::Clock::now()), 2u);

    // Full addresses in our domain work; other domains are not our users.
    auto full = co_await client_->login(info("198.51.100.1"), "Alice@Example.org", "alice-pw");
    EXPECT_EQ(full.status, ac::AuthResult::Status::ok);
    EXPECT_EQ(full.user, "alice");
  });
}

TEST_F(AuthServerTest, SaslPlainWithoutInitialResponse) {
  run_coro(io_, [&]() -> awaitable<void> {
    auto ex = client_->sasl(info());
    auto c = co_await ex->start("PLAIN", std::nullopt);
    CO_ASSERT_EQ(c.status, ac::AuthResult::Status::challenge);
    EXPECT_EQ(c.challenge, "");  // an empty challenge
    auto r = co_await ex->respond(plain("bob", "bob-pw"));
    EXPECT_EQ(r.status, ac::AuthResult::Status::ok);
    EXPECT_EQ(r.home, "/srv/bob");
  });
}

TEST_F(AuthServerTest, SaslLoginTwoRoundsAndCancel) {
  run_coro(io_, [&]() -> awaitable<void> {
    auto ex = client_->sasl(info());
    auto c1 = co_await ex->start("login", std::nullopt);
    CO_ASSERT_EQ(c1.status, ac::AuthResult::Status::challenge);
    EXPECT_EQ(c1.challenge, b64("Username:"));
    auto c2 = co_await ex->respond(b64("alice"));
    CO_ASSERT_EQ(c2.status, ac::AuthResult::Status::challenge);
    EXPECT_EQ(c2.challenge, b64("Password:"));
    auto r = co_await ex->respond(b64("alice-pw"));
    EXPECT_EQ(r.status, ac::AuthResult::Status::ok);
    EXPECT_EQ(r.user, "alice");

    auto ex2 = client_->sasl(info());
    auto d1 = co_await ex2->start("LOGIN", std::nullopt);
    CO_ASSERT_EQ(d1.status, ac::AuthResult::Status::challenge);
    auto d2 = co_await ex2->respond("*");
    EXPECT_EQ(d2.status, ac::AuthResult::Status::fail);
    EXPECT_EQ(d2.reason, "cancelled");

    auto ex3 = client_->sasl(info());
    auto e = co_await ex3->start("CRAM-MD5", std::nullopt);
    EXPECT_EQ(e.status, ac::AuthResult::Status::fail);
    EXPECT_EQ(e.reason, "unsupported mechanism");
  });
}

TEST_F(AuthServerTest, AuthzidMustMatch) {
  run_coro(io_, [&]() -> awaitable<void> {
    auto ex = client_->sasl(info());
    std::string m = std::string("bob\0alice\0alice-pw", 18);
    auto r = co_await ex->start("PLAIN", b64(m));
    EXPECT_EQ(r.status, ac::AuthResult::Status::fail);
  });
}

TEST_F(AuthServerTest, Lookup) {
  run_coro(io_, [&]() -> awaitable<void> {
    bool temp = true;
    auto a = co_await client_->lookup("alice", &temp);
    CO_ASSERT_TRUE(a);
    EXPECT_FALSE(temp);
    EXPECT_EQ(a->user, "alice");
    EXPECT_EQ(a->home, "/var/lib/postern/mail/alice");
    auto b = co_await client_->lookup("BOB@example.org", &temp);
    CO_ASSERT_TRUE(b);
    EXPECT_EQ(b->home, "/srv/bob");
    auto n = co_await client_->lookup("carol", &temp);
    EXPECT_FALSE(n);
    EXPECT_FALSE(temp);
    auto foreign = co_await client_->lookup("alice@elsewhere.net", &temp);
    EXPECT_FALSE(foreign);
    EXPECT_FALSE(temp);
  });
}

TEST_F(AuthServerTest, PipelinedRequestsAnswerByIdAndFailuresComeLast) {
  run_coro(io_, [&]() -> awaitable<void> {
    Raw raw(io_);
    co_await raw.connect(server_->socket_path());
    auto t0 = std::chrono::steady_clock::now();
    co_await raw.write("VERSION\t1\n"
                       "AUTH\ta\tsmtp\tPLAIN\t192.0.2.77\t1\t" + plain("alice", "nope") + "\n"
                       "AUTH\tb\timap\tPLAIN\t192.0.2.78\t0\t" + plain("alice", "alice-pw") + "\n"
                       "LOOKUP\tc\tbob\n"
                       "LOOKUP\td\tnobody-here\n");
    std::vector<std::string> lines;
    for (int i = 0; i < 5; ++i) {
      auto l = co_await raw.line();
      if (!l) break;
      lines.push_back(*l);
    }
    auto waited = std::chrono::steady_clock::now() - t0;
    CO_ASSERT_EQ(lines.size(), 5u);
    EXPECT_EQ(lines[0], "VERSION\t1");
    // b, c, d in some order, then a's failure, held back by the penalty.
    std::set<std::string> middle(lines.begin() + 1, lines.begin() + 4);
    EXPECT_EQ(middle, (std::set<std::string>{"OK\tb\tuser=alice\thome=/var/lib/postern/mail/alice",
                                             "USER\tc\tuser=bob\thome=/srv/bob", "NOTFOUND\td"}));
    EXPECT_EQ(lines[4], "FAIL\ta\tauth\twrong password");
    EXPECT_GE(waited, kBase);
  });
}

TEST_F(AuthServerTest, HalfClosedClientStillGetsItsAnswers) {
  run_coro(io_, [&]() -> awaitable<void> {
    Raw raw(io_);
    co_await raw.connect(server_->socket_path());
    co_await raw.write("AUTH\t1\tsmtp\tPLAIN\t192.0.2.90\t1\t" + plain("alice", "bad") + "\n"
                       "AUTH\t2\tsmtp\tLOGIN\t192.0.2.90\t1\n"
                       "LOOKUP\t3\talice\n");
    raw.sock.shutdown(asio::socket_base::shutdown_send);
    std::set<std::string> got;
    for (;;) {
      auto l = co_await raw.line();
      if (!l) break;
      got.insert(*l);
    }
    // The LOGIN exchange can never finish; its challenge was sent, then the
    // server closed once the delayed failure went out.
    EXPECT_EQ(got, (std::set<std::string>{"FAIL\t1\tauth\twrong password", "CONT\t2\t" + b64("Username:"),
                                          "USER\t3\tuser=alice\thome=/var/lib/postern/mail/alice"}));
    EXPECT_EQ(server_->connections(), 0u);
  });
}

TEST_F(AuthServerTest, PlainWithoutInitialResponseByHand) {
  run_coro(io_, [&]() -> awaitable<void> {
    Raw raw(io_);
    co_await raw.connect(server_->socket_path());
    co_await raw.write("AUTH\t1\tsmtp\tPLAIN\t-\t1\n");
    EXPECT_EQ(co_await raw.line(), "CONT\t1\t=");
    co_await raw.write("CONT\t1\t" + plain("bob", "bob-pw") + "\n");
    EXPECT_EQ(co_await raw.line(), "OK\t1\tuser=bob\thome=/srv/bob");
    // The connection stays usable for more requests, ids may be reused.
    co_await raw.write("LOOKUP\t1\talice\n");
    EXPECT_EQ(co_await raw.line(), "USER\t1\tuser=alice\thome=/var/lib/postern/mail/alice");
  });
}

TEST_F(AuthServerTest, MalformedLinesDropThePeer) {
  const std::vector<std::string> bad = {
      "HELLO\t1\n",                                   // unknown verb
      "LOOKUP\t1\n",                                  // wrong field count
      "AUTH\t1\tsmtp\tPLAIN\t-\t1\t%%%%\n",           // not base64
      "CONT\t9\tYQ==\n",                              // no exchange waits for it
      "LOOKUP 1 alice\n",                             // spaces
      std::string(protocol::kMaxLine + 10, 'x'),      // over the line cap
  };
  for (const auto& b : bad) {
    run_coro(io_, [&]() -> awaitable<void> {
      Raw raw(io_);
      co_await raw.connect(server_->socket_path());
      co_await raw.write("VERSION\t1\n");
      EXPECT_EQ(co_await raw.line(), "VERSION\t1");
      auto [ec, n] = co_await asio::async_write(raw.sock, asio::buffer(b), asio::experimental::as_tuple(use_awaitable));
      (void)ec;
      (void)n;
      EXPECT_EQ(co_await raw.line(), std::nullopt) << "not dropped after: " << b.substr(0, 40);
    });
  }
}

TEST_F(AuthServerTest, DuplicateIdInFlightDropsThePeer) {
  run_coro(io_, [&]() -> awaitable<void> {
    Raw raw(io_);
    co_await raw.connect(server_->socket_path());
    co_await raw.write("AUTH\tx\tsmtp\tLOGIN\t-\t1\nAUTH\tx\tsmtp\tLOGIN\t-\t1\n");
    EXPECT_EQ(co_await raw.line(), "CONT\tx\t" + b64("Username:"));
    EXPECT_EQ(co_await raw.line(), std::nullopt);
  });
}

TEST(AuthServerSocket, StaleSocketIsReplacedOtherFilesAreNot) {
  TempDir dir;
  std::string path = dir.file("auth.sock");
  {  // a socket nobody listens on any more
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path.c_str());
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    close(fd);
  }
  asio::io_context io;
  dir.write("passwd", "");
  auto be = PasswdFileBackend::create(io.get_executor(), dir.file("passwd"), "/m");
  ServerSettings s;
  s.socket_path = path;
  {
    AuthServer server(io, be, s);
    EXPECT_NO_THROW(server.listen());
    AuthServer second(io, be, s);  // a live server is not replaced
    EXPECT_THROW(second.listen(), std::runtime_error);
    server.stop();
  }
  struct stat st {};
  EXPECT_NE(lstat(path.c_str(), &st), 0);  // removed on stop
  dir.write("auth.sock", "not a socket");
  AuthServer third(io, be, s);
  EXPECT_THROW(third.listen(), std::runtime_error);
  EXPECT_EQ(lstat(path.c_str(), &st), 0);  // and left alone
  be->shutdown();
}

TEST(AuthClientErrors, UnreachableAuthdIsTemporary) {
  TempDir dir;
  asio::io_context io;
  ac::AuthClient client(io.get_executor(), dir.file("missing.sock"), 5s);
  run_coro(io, [&]() -> awaitable<void> {
    // (a named ClientInfo: g++ 12 mishandles brace-initialized temporaries in co_await)
    ac::ClientInfo ci{"imap", "192.0.2.1", true};
    auto r = co_await client.login(ci, "alice", "pw");
    EXPECT_EQ(r.status, ac::AuthResult::Status::temp);
    bool temp = false;
    auto u = co_await client.lookup("alice", &temp);
    EXPECT_FALSE(u);
    EXPECT_TRUE(temp);
  });
}
