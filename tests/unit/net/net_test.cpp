// The network core over real loopback sockets: bounded lines, timeouts,
// connection caps with the protocol's busy reply, STARTTLS with SNI, and the
// certificate reload that leaves open connections alone.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/log/log.hpp"
#include "common/net/server.hpp"
#include "common/tls/tls.hpp"

using namespace postern;
using namespace std::chrono_literals;
using asio::ip::tcp;

namespace {

struct TempDir {
  TempDir() {
    char t[] = "/tmp/postern-net-XXXXXX";
    path = mkdtemp(t);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string path;
};

config::Limits limits(std::chrono::seconds cmd = 30s) {
  config::Limits l;
  l.command_timeout = cmd;
  l.session_timeout = 60s;
  l.max_connections = 10;
  l.max_connections_per_ip = 2;
  return l;
}

// A line server: answers "len=<n>" per line, "toolong" for too long lines.
net::SessionFn line_echo(size_t max, std::vector<std::string>* log) {
  return [max, log](net::Connection& c, const net::ListenerSpec&) -> asio::awaitable<void> {
    co_await c.write("ready\r\n");
    for (;;) {
      std::string line;
      bool crlf = false;
      auto st = co_await c.read_line(line, max, &crlf);
      if (st == net::ReadStatus::timeout) {
        log->push_back("timeout");
        co_await c.write("bye timeout\r\n");
        co_return;
      }
      if (st == net::ReadStatus::eof) co_return;
      if (st == net::ReadStatus::too_long) {
        co_await c.write("toolong\r\n");
        continue;
      }
      if (line == "STARTTLS") {
        co_await c.write("go\r\n");
        if (!co_await c.start_tls()) co_return;
        co_await c.write("tls " + c.tls_sni() + "\r\n");
        continue;
      }
      co_await c.write("len=" + std::to_string(line.size()) + (crlf ? " crlf" : " lf") + "\r\n");
    }
  };
}

std::string read_line_blocking(tcp::socket& s, std::string& buf) {
  for (;;) {
    auto p = buf.find("\r\n");
    if (p != std::string::npos) {
      std::string l = buf.substr(0, p);
      buf.erase(0, p + 2);
      return l;
    }
    char tmp[4096];
    asio::error_code ec;
    size_t n = s.read_some(asio::buffer(tmp), ec);
    if (ec) return "<eof>";
    buf.append(tmp, n);
  }
}

}  // namespace

class NetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!spdlog::default_logger()) postern::log::init("test", "warn");
    spdlog::set_level(spdlog::level::warn);
  }
  // Starts the server on an io thread; returns the port.
  uint16_t start(net::ListenerSpec spec, net::SessionFn fn, std::shared_ptr<tls::TlsManager> tls = nullptr) {
    server = std::make_unique<net::Server>(io, tls);
    spec.endpoint = {"127.0.0.1", 0};
    uint16_t port = server->listen(spec, std::move(fn));
    guard.emplace(io.get_executor());
    thread = std::thread([this] { io.run(); });
    return port;
  }
  void TearDown() override {
    if (thread.joinable()) {
      asio::post(io, [this] { server->shutdown(); });
      guard.reset();
      io.stop();
      thread.join();
    }
  }
  asio::io_context io;
  std::unique_ptr<net::Server> server;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::thread thread;
};

TEST_F(NetTest, LinesAreBoundedAndTheSessionContinuesAfterATooLongLine) {
  std::vector<std::string> log;
  net::ListenerSpec spec;
  spec.limits = limits();
  uint16_t port = start(spec, line_echo(10, &log));
  asio::io_context cio;
  tcp::socket s(cio);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  std::string buf;
  EXPECT_EQ(read_line_blocking(s, buf), "ready");
  // 10 bytes is fine, 11 is too long (and 100k of garbage is discarded, not buffered),
  // a bare LF is reported as such, and the session still answers afterwards.
  std::string big(100000, 'x');
  asio::write(s, asio::buffer("0123456789\r\n01234567890\r\n" + big + "\r\nabc\nok\r\n"));
  EXPECT_EQ(read_line_blocking(s, buf), "len=10 crlf");
  EXPECT_EQ(read_line_blocking(s, buf), "toolong");
  EXPECT_EQ(read_line_blocking(s, buf), "toolong");
  EXPECT_EQ(read_line_blocking(s, buf), "len=3 lf");
  EXPECT_EQ(read_line_blocking(s, buf), "len=2 crlf");
}

TEST_F(NetTest, IdleClientIsTimedOut) {
  std::vector<std::string> log;
  net::ListenerSpec spec;
  spec.limits = limits(1s);
  uint16_t port = start(spec, line_echo(100, &log));
  asio::io_context cio;
  tcp::socket s(cio);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  std::string buf;
  EXPECT_EQ(read_line_blocking(s, buf), "ready");
  // Say nothing: the server must give up on its own and close.
  EXPECT_EQ(read_line_blocking(s, buf), "bye timeout");
  EXPECT_EQ(read_line_blocking(s, buf), "<eof>");
}

TEST_F(NetTest, PerAddressCapGetsTheBusyReply) {
  std::vector<std::string> log;
  net::ListenerSpec spec;
  spec.limits = limits();
  spec.busy_reply = "421 4.7.0 busy\r\n";
  uint16_t port = start(spec, line_echo(100, &log));
  asio::io_context cio;
  std::vector<std::unique_ptr<tcp::socket>> socks;
  std::string buf;
  for (int i = 0; i < 2; ++i) {
    socks.push_back(std::make_unique<tcp::socket>(cio));
    socks.back()->connect({asio::ip::make_address("127.0.0.1"), port});
    std::string b;
    EXPECT_EQ(read_line_blocking(*socks.back(), b), "ready");
  }
  tcp::socket third(cio);
  third.connect({asio::ip::make_address("127.0.0.1"), port});
  EXPECT_EQ(read_line_blocking(third, buf), "421 4.7.0 busy");
  EXPECT_EQ(read_line_blocking(third, buf), "<eof>");
  // Once one closes, a new connection is served again.
  socks[0]->close();
  socks.erase(socks.begin());
  for (int attempt = 0; attempt < 200; ++attempt) {
    tcp::socket again(cio);
    again.connect({asio::ip::make_address("127.0.0.1"), port});
    std::string b;
    std::string first = read_line_blocking(again, b);
    if (first == "ready") return;  // the server noticed the close
    ASSERT_EQ(first, "421 4.7.0 busy");
  }
  FAIL() << "the freed slot was never reused";
}

namespace {
// A TLS client: connect, STARTTLS, handshake with SNI, return the line after.
std::string starttls_client(uint16_t port, const std::string& sni, std::string* peer_cn) {
  asio::io_context cio;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  tcp::socket s(cio);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  std::string buf;
  if (read_line_blocking(s, buf) != "ready") return "no greeting";
  asio::write(s, asio::buffer(std::string("STARTTLS\r\n")));
  if (read_line_blocking(s, buf) != "go") return "no go";
  asio::ssl::stream<tcp::socket&> tls(s, ctx);
  SSL_set_tlsext_host_name(tls.native_handle(), sni.c_str());
  asio::error_code ec;
  tls.handshake(asio::ssl::stream_base::client, ec);
  if (ec) return "handshake: " + ec.message();
  X509* cert = SSL_get1_peer_certificate(tls.native_handle());
  char cn[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
  X509_free(cert);
  *peer_cn = cn;
  std::string tbuf;
  char tmp[512];
  while (tbuf.find("\r\n") == std::string::npos) {
    size_t n = tls.read_some(asio::buffer(tmp), ec);
    if (ec) return "read: " + ec.message();
    tbuf.append(tmp, n);
  }
  return tbuf.substr(0, tbuf.find("\r\n"));
}
}  // namespace

TEST_F(NetTest, StartTlsChoosesCertificateBySni) {
  TempDir d;
  tls::ensure_self_signed(d.path + "/a.pem", d.path + "/a.key", "mail.a.example");
  tls::ensure_self_signed(d.path + "/b.pem", d.path + "/b.key", "mail.b.example");
  config::TlsConfig tc;
  tc.certificates = {{d.path + "/a.pem", d.path + "/a.key"}, {d.path + "/b.pem", d.path + "/b.key"}};
  auto mgr = std::make_shared<tls::TlsManager>(tc);
  EXPECT_EQ(mgr->certificate_count(), 2u);
  std::vector<std::string> log;
  net::ListenerSpec spec;
  spec.limits = limits();
  uint16_t port = start(spec, line_echo(100, &log), mgr);
  std::string cn;
  EXPECT_EQ(starttls_client(port, "mail.b.example", &cn), "tls mail.b.example");
  EXPECT_EQ(cn, "mail.b.example");
  EXPECT_EQ(starttls_client(port, "mail.a.example", &cn), "tls mail.a.example");
  EXPECT_EQ(cn, "mail.a.example");
  EXPECT_EQ(starttls_client(port, "unknown.example", &cn), "tls unknown.example");
  EXPECT_EQ(cn, "mail.a.example");  // the default
}

TEST(Tls, RenewedCertificateIsPickedUpAndABrokenOneIsNot) {
  TempDir d;
  tls::ensure_self_signed(d.path + "/c.pem", d.path + "/c.key", "old.example");
  config::TlsConfig tc;
  tc.certificates = {{d.path + "/c.pem", d.path + "/c.key"}};
  tls::TlsManager mgr(tc);
  auto before = mgr.context();
  EXPECT_FALSE(mgr.reload_if_changed());
  // certbot renews: new files in place.
  std::filesystem::remove(d.path + "/c.pem");
  std::filesystem::remove(d.path + "/c.key");
  tls::ensure_self_signed(d.path + "/c.pem", d.path + "/c.key", "new.example");
  EXPECT_TRUE(mgr.reload_if_changed());
  auto after = mgr.context();
  EXPECT_NE(before.get(), after.get());
  // The old context is still valid for connections that hold it.
  EXPECT_NE(SSL_CTX_get0_certificate(before->native_handle()), nullptr);
  // A half-written renewal keeps the current certificate.
  { std::ofstream(d.path + "/c.pem") << "garbage"; }
  EXPECT_FALSE(mgr.reload_if_changed());
  EXPECT_EQ(mgr.context().get(), after.get());
}

TEST(Tls, MissingCertificateNamesTheFile) {
  config::TlsConfig tc;
  tc.certificates = {{"/nonexistent/fullchain.pem", "/nonexistent/privkey.pem"}};
  try {
    tls::TlsManager mgr(tc);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/fullchain.pem"), std::string::npos) << e.what();
  }
}

TEST_F(NetTest, LocalSocketKnowsThePeerUid) {
  TempDir d;
  std::string path = d.path + "/pickup.sock";
  { std::ofstream(path + ".x") << "x"; }
  server = std::make_unique<net::Server>(io, nullptr);
  net::ListenerSpec spec;
  spec.limits = limits();
  // Something that is not a socket is never replaced.
  EXPECT_THROW(server->listen_local(path + ".x", 0600, spec, nullptr), std::runtime_error);
  server->listen_local(path, 0666, spec, [](net::Connection& c, const net::ListenerSpec&) -> asio::awaitable<void> {
    co_await c.write("uid=" + std::to_string(c.peer_uid()) + (c.is_local() ? " local" : "") + "\r\n");
    std::string line;
    co_await c.read_line(line, 100);
    co_await c.write("got " + line + "\r\n");
  });
  guard.emplace(io.get_executor());
  thread = std::thread([this] { io.run(); });
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms(0666));
  asio::io_context cio;
  asio::local::stream_protocol::socket s(cio);
  s.connect(asio::local::stream_protocol::endpoint(path));
  asio::streambuf sb;
  asio::read_until(s, sb, "\r\n");
  std::string first{std::istreambuf_iterator<char>(&sb), {}};
  EXPECT_EQ(first, "uid=" + std::to_string(getuid()) + " local\r\n");
  asio::write(s, asio::buffer(std::string("hello\r\n")));
  asio::read_until(s, sb, "\r\n");
  std::string second{std::istreambuf_iterator<char>(&sb), {}};
  EXPECT_EQ(second, "got hello\r\n");
}
