// The PAM backend: worker processes (fork, socketpair, framing), recycling,
// replacement of a dead worker, account lookups, and (under libpam_wrapper,
// see CMakeLists.txt: the ctest auth_pam_wrapper) real PAM conversations
// through pam_matrix.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>

#include "auth/pam_backend.hpp"
#include "auth/server.hpp"
#include "common/authclient/authclient.hpp"
#include "test_util.hpp"

using namespace postern::auth;
using namespace std::chrono_literals;
using postern::auth::test::run_coro;
using postern::auth::test::TempDir;
using asio::awaitable;
namespace ac = postern::authclient;

namespace {

PamBackendSettings settings(int max_requests = 500, uint32_t min_uid = 1000) {
  PamBackendSettings s;
  s.worker.pam_service = "postern";
  s.worker.min_uid = min_uid;
  s.workers = 2;
  s.max_requests = max_requests;
  s.request_timeout = 10s;
  s.store_root = "/var/lib/postern/mail";
  return s;
}

Credentials creds(const std::string& u, const std::string& p) {
  Credentials c;
  c.user = u;
  c.password = p;
  return c;
}

bool under_pam_wrapper() {
  const char* w = std::getenv("PAM_WRAPPER");
  return w && std::string(w) == "1" && std::getenv("PAM_WRAPPER_SERVICE_DIR");
}

}  // namespace

// Lookups run in the workers too (NSS may block): no PAM needed for these.
TEST(PamWorkers, LookupsRecyclingAndDeadWorker) {
  asio::io_context io;
  auto be = PamBackend::create(io.get_executor(), settings(/*max_requests=*/3));
  EXPECT_EQ(be->workers_started(), 2);
  run_coro(io, [&]() -> awaitable<void> {
    auto n = co_await be->lookup("nobody");
    EXPECT_EQ(n.status, LookupOutcome::Status::found);
    EXPECT_EQ(n.home, "/var/lib/postern/mail/nobody");
    EXPECT_EQ((co_await be->lookup("root")).status, LookupOutcome::Status::notfound);  // uid < min_uid
    EXPECT_EQ((co_await be->lookup("no-such-user-xyz")).status, LookupOutcome::Status::notfound);
    for (int i = 0; i < 10; ++i) EXPECT_EQ((co_await be->lookup("nobody")).status, LookupOutcome::Status::found);
  });
  // 13 requests with max 3 per worker: at least 4 recyclings happened.
  EXPECT_GE(be->workers_started(), 2 + 4);

  // Kill the idle workers: the next requests answer temp once per dead
  // worker at most, the pool replaces them, and service continues.
  for (pid_t pid : be->worker_pids()) kill(pid, SIGKILL);
  run_coro(io, [&]() -> awaitable<void> {
    int temps = 0;
    for (int i = 0; i < 4; ++i) {
      auto r = co_await be->lookup("nobody");
      if (r.status == LookupOutcome::Status::temp) ++temps;
      else EXPECT_EQ(r.status, LookupOutcome::Status::found);
    }
    EXPECT_GE(temps, 1);
    EXPECT_LE(temps, 2);
    EXPECT_EQ((co_await be->lookup("nobody")).status, LookupOutcome::Status::found);
  });
  be->shutdown();
}

// A worker that hangs (here: stopped with SIGSTOP) is killed after
// auth.request_timeout; the request answers temp and a fresh worker serves.
TEST(PamWorkers, HungWorkerTimesOutAndIsReplaced) {
  asio::io_context io;
  auto s = settings();
  s.request_timeout = 300ms;
  auto be = PamBackend::create(io.get_executor(), s);
  auto pids = be->worker_pids();
  ASSERT_EQ(pids.size(), 2u);
  pid_t stopped = pids.back();  // the idle worker the next request gets
  kill(stopped, SIGSTOP);
  run_coro(io, [&]() -> awaitable<void> {
    auto t0 = std::chrono::steady_clock::now();
    auto first = co_await be->lookup("nobody");
    EXPECT_EQ(first.status, LookupOutcome::Status::temp);
    EXPECT_GE(std::chrono::steady_clock::now() - t0, 300ms);
    EXPECT_EQ((co_await be->lookup("nobody")).status, LookupOutcome::Status::found);
  });
  for (pid_t pid : be->worker_pids()) EXPECT_NE(pid, stopped);
  EXPECT_EQ(be->workers_started(), 3);
  be->shutdown();
}

TEST(PamWorkers, ConcurrentRequestsQueueForWorkers) {
  asio::io_context io;
  auto be = PamBackend::create(io.get_executor(), settings(2));
  int found = 0;
  for (int i = 0; i < 8; ++i)
    asio::co_spawn(io, [&]() -> awaitable<void> {
      if ((co_await be->lookup("nobody")).status == LookupOutcome::Status::found) ++found;
    }, asio::detached);
  run_coro(io, [&]() -> awaitable<void> {
    asio::steady_timer t(io);
    while (found < 8) {  // the spawned lookups finish in any order
      t.expires_after(10ms);
      co_await t.async_wait(asio::use_awaitable);
    }
  }, 30s);
  EXPECT_EQ(found, 8);
  be->shutdown();
}

TEST(PamWrapper, Authenticate) {
  if (!under_pam_wrapper()) GTEST_SKIP() << "runs under libpam_wrapper (ctest auth_pam_wrapper)";
  asio::io_context io;
  auto be = PamBackend::create(io.get_executor(), settings(2));
  run_coro(io, [&]() -> awaitable<void> {
    auto ok = co_await be->authenticate("nobody", creds("nobody", "nobody-secret"), "imap", "192.0.2.1");
    EXPECT_EQ(ok.status, AuthOutcome::Status::ok) << ok.reason;
    EXPECT_EQ(ok.user, "nobody");
    EXPECT_EQ(ok.home, "/var/lib/postern/mail/nobody");
    auto wrong = co_await be->authenticate("nobody", creds("nobody", "guess"), "imap", "192.0.2.1");
    EXPECT_EQ(wrong.status, AuthOutcome::Status::fail);
    auto unknown = co_await be->authenticate("no-such-user-xyz", creds("no-such-user-xyz", "x"), "imap", "-");
    EXPECT_EQ(unknown.status, AuthOutcome::Status::fail);
    // Right password, but root is not a mail account (uid < auth.min_uid).
    auto root = co_await be->authenticate("root", creds("root", "root-secret"), "smtp", "-");
    EXPECT_EQ(root.status, AuthOutcome::Status::fail);
    // Recycling after 2 requests: many more still work.
    for (int i = 0; i < 6; ++i) {
      auto again = co_await be->authenticate("nobody", creds("nobody", "nobody-secret"), "smtp", "-");
      EXPECT_EQ(again.status, AuthOutcome::Status::ok) << again.reason;
    }
  });
  EXPECT_GE(be->workers_started(), 2 + 4);
  be->shutdown();
}

TEST(PamWrapper, MinUidZeroAdmitsRoot) {
  if (!under_pam_wrapper()) GTEST_SKIP() << "runs under libpam_wrapper (ctest auth_pam_wrapper)";
  asio::io_context io;
  auto be = PamBackend::create(io.get_executor(), settings(500, 0));
  run_coro(io, [&]() -> awaitable<void> {
    auto root = co_await be->authenticate("root", creds("root", "root-secret"), "smtp", "-");
    EXPECT_EQ(root.status, AuthOutcome::Status::ok) << root.reason;
  });
  be->shutdown();
}

// The whole path: AuthClient -> socket -> server -> PAM worker -> pam_matrix.
TEST(PamWrapper, ThroughTheSocket) {
  if (!under_pam_wrapper()) GTEST_SKIP() << "runs under libpam_wrapper (ctest auth_pam_wrapper)";
  TempDir dir;
  asio::io_context io;
  auto be = PamBackend::create(io.get_executor(), settings(2));
  ServerSettings s;
  s.socket_path = dir.file("auth.sock");
  s.penalty.base = 50ms;
  AuthServer server(io, be, s);
  server.listen();
  ac::AuthClient client(io.get_executor(), s.socket_path, 20s);
  ac::ClientInfo ci{"imap", "192.0.2.5", true};
  run_coro(io, [&]() -> awaitable<void> {
    auto ok = co_await client.login(ci, "nobody", "nobody-secret");
    EXPECT_EQ(ok.status, ac::AuthResult::Status::ok) << ok.reason;
    EXPECT_EQ(ok.user, "nobody");
    auto bad = co_await client.login(ci, "nobody", "wrong");
    EXPECT_EQ(bad.status, ac::AuthResult::Status::fail);
    auto unknown = co_await client.login(ci, "ghost", "x");
    EXPECT_EQ(unknown.status, ac::AuthResult::Status::fail);
    for (int i = 0; i < 5; ++i) {  // across several worker recyclings
      auto again = co_await client.login(ci, "nobody", "nobody-secret");
      EXPECT_EQ(again.status, ac::AuthResult::Status::ok) << again.reason;
    }
    auto u = co_await client.lookup("nobody");
    CO_ASSERT_TRUE(u);
    EXPECT_EQ(u->user, "nobody");
  });
  server.stop();
  be->shutdown();
}
