// The real postern-authd binary as a subprocess: configuration check exit
// codes, sd_notify READY=1 once listening (awaited on a NOTIFY_SOCKET, no
// sleeps), a login through the socket, SIGHUP reload, SIGTERM clean exit.
#include <crypt.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/authclient/authclient.hpp"
#include "test_util.hpp"

using namespace std::chrono_literals;
using postern::auth::test::run_coro;
using postern::auth::test::TempDir;
namespace ac = postern::authclient;

namespace {

const std::string kAuthd = std::string(POSTERN_BINARY_DIR) + "/auth/postern-authd";

pid_t spawn(const std::vector<std::string>& args, const std::string& notify_socket) {
  pid_t pid = fork();
  if (pid == 0) {
    if (!notify_socket.empty()) setenv("NOTIFY_SOCKET", notify_socket.c_str(), 1);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(kAuthd.c_str()));
    for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(kAuthd.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

// Waits (bounded) for a datagram on the notify socket containing `what`.
bool await_notify(int fd, const std::string& what) {
  for (int i = 0; i < 20; ++i) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 1000) <= 0) continue;
    char buf[512];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n > 0 && std::string(buf, n).find(what) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST(AuthDaemon, CheckConfigExitCodes) {
  TempDir dir;
  dir.write("good.toml", "[auth]\nbackend = \"passwd-file\"\n");
  dir.write("bad.toml", "[auth]\nbackend = \"ldap\"\n");
  EXPECT_EQ(wait_exit(spawn({"--config", dir.file("good.toml"), "--check-config"}, "")), 0);
  EXPECT_EQ(wait_exit(spawn({"--config", dir.file("bad.toml"), "--check-config"}, "")), 78);
  EXPECT_EQ(wait_exit(spawn({"--config", dir.file("missing.toml"), "--check-config"}, "")), 78);
}

TEST(AuthDaemon, ServesReloadsAndExitsCleanly) {
  TempDir dir;
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  ASSERT_TRUE(crypt_gensalt_rn("$6$", 0, nullptr, 0, setting, sizeof setting));
  crypt_data cd{};
  dir.write("passwd", std::string("alice:") + crypt_r("s3cret", setting, &cd) + "\n");
  dir.write("postern.toml", "[server]\nruntime_dir = \"" + dir.path() + "\"\nstate_dir = \"" + dir.path() +
                                "/state\"\n[auth]\nbackend = \"passwd-file\"\npasswd_file = \"" + dir.file("passwd") +
                                "\"\nfailure_delay_base = \"100ms\"\n");
  int nfd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::snprintf(sa.sun_path, sizeof sa.sun_path, "%s", dir.file("notify").c_str());
  ASSERT_EQ(bind(nfd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);

  pid_t pid = spawn({"--config", dir.file("postern.toml")}, dir.file("notify"));
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(await_notify(nfd, "READY=1"));
  struct stat st {};
  ASSERT_EQ(lstat(dir.file("auth.sock").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);

  asio::io_context io;
  ac::AuthClient client(io.get_executor(), dir.file("auth.sock"), 10s);
  ac::ClientInfo ci{"smtp", "203.0.113.4", true};
  run_coro(io, [&]() -> asio::awaitable<void> {
    auto ok = co_await client.login(ci, "alice", "s3cret");
    EXPECT_EQ(ok.status, ac::AuthResult::Status::ok);
    EXPECT_EQ(ok.home, dir.path() + "/state/mail/alice");
    auto bad = co_await client.login(ci, "alice", "guess");
    EXPECT_EQ(bad.status, ac::AuthResult::Status::fail);
  });

  kill(pid, SIGHUP);
  EXPECT_TRUE(await_notify(nfd, "READY=1"));  // RELOADING=1, then READY=1 again
  run_coro(io, [&]() -> asio::awaitable<void> {
    auto u = co_await client.lookup("alice");
    EXPECT_TRUE(u.has_value());
  });

  kill(pid, SIGTERM);
  EXPECT_EQ(wait_exit(pid), 0);
  EXPECT_NE(lstat(dir.file("auth.sock").c_str(), &st), 0);  // removed on exit
  close(nfd);
}
