// The passwd-file backend: parsing, crypt_r verification of yescrypt and
// SHA-512 hashes generated here, lookups, and reload on change.
#include <crypt.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "auth/passwd_file.hpp"
#include "test_util.hpp"

using namespace postern::auth;
using postern::auth::test::run_coro;
using postern::auth::test::TempDir;

namespace {

std::string make_hash(const char* prefix, const std::string& password) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (!crypt_gensalt_rn(prefix, 0, nullptr, 0, setting, sizeof setting)) return {};
  crypt_data data{};
  const char* h = crypt_r(password.c_str(), setting, &data);
  return h && h[0] != '*' ? std::string(h) : std::string();
}

Credentials creds(const std::string& user, const std::string& pw) {
  Credentials c;
  c.user = user;
  c.password = pw;
  return c;
}

}  // namespace

TEST(AuthPasswdFile, Parse) {
  auto p = parse_passwd_file(
      "# comment\n"
      "\n"
      "alice:$6$salt$hash\n"
      "Bob:$y$j9T$x$y:/srv/mail/bob\r\n"
      "broken line\n"
      "carol::/x\n"
      "dave:$6$a$b:relative\n"
      "alice:$6$other$dup\n"
      "bad user:$6$a$b\n");
  ASSERT_EQ(p.entries.size(), 2u);
  EXPECT_EQ(p.entries.at("alice").hash, "$6$salt$hash");
  EXPECT_EQ(p.entries.at("alice").home, "");
  EXPECT_EQ(p.entries.at("bob").home, "/srv/mail/bob");
  EXPECT_EQ(p.warnings.size(), 5u);
  for (auto& w : p.warnings) EXPECT_EQ(w.find("$6$"), std::string::npos) << w;  // hashes never in messages
}

TEST(AuthPasswdFile, VerifySha512AndYescrypt) {
  std::string sha = make_hash("$6$", "correct horse");
  std::string yes = make_hash("$y$", "battery staple");
  ASSERT_EQ(sha.substr(0, 3), "$6$");
  ASSERT_EQ(yes.substr(0, 3), "$y$");
  EXPECT_TRUE(verify_crypt("correct horse", sha));
  EXPECT_FALSE(verify_crypt("correct horsE", sha));
  EXPECT_FALSE(verify_crypt("", sha));
  EXPECT_TRUE(verify_crypt("battery staple", yes));
  EXPECT_FALSE(verify_crypt("battery stapl", yes));
  EXPECT_FALSE(verify_crypt("x", "!locked"));
  EXPECT_FALSE(verify_crypt("x", "*"));
  EXPECT_FALSE(verify_crypt("x", "plaintext"));
}

TEST(AuthPasswdFile, BackendAuthenticatesLooksUpAndReloads) {
  TempDir dir;
  std::string path = dir.file("passwd");
  dir.write("passwd", "alice:" + make_hash("$6$", "pw-alice") + "\nbob:" + make_hash("$y$", "pw-bob") +
                          ":/srv/mail/bob\n");
  asio::io_context io;
  auto be = PasswdFileBackend::create(io.get_executor(), path, "/var/lib/postern/mail");
  EXPECT_EQ(be->size(), 2u);
  run_coro(io, [&]() -> asio::awaitable<void> {
    auto ok = co_await be->authenticate("alice", creds("alice", "pw-alice"), "imap", "192.0.2.1");
    EXPECT_EQ(ok.status, AuthOutcome::Status::ok);
    EXPECT_EQ(ok.user, "alice");
    EXPECT_EQ(ok.home, "/var/lib/postern/mail/alice");
    auto bob = co_await be->authenticate("bob", creds("bob", "pw-bob"), "imap", "192.0.2.1");
    EXPECT_EQ(bob.status, AuthOutcome::Status::ok);
    EXPECT_EQ(bob.home, "/srv/mail/bob");
    auto wrong = co_await be->authenticate("alice", creds("alice", "pw-bob"), "imap", "192.0.2.1");
    EXPECT_EQ(wrong.status, AuthOutcome::Status::fail);
    EXPECT_EQ(wrong.reason, "wrong password");
    auto unknown = co_await be->authenticate("zed", creds("zed", "pw"), "imap", "192.0.2.1");
    EXPECT_EQ(unknown.status, AuthOutcome::Status::fail);
    auto l = co_await be->lookup("bob");
    EXPECT_EQ(l.status, LookupOutcome::Status::found);
    EXPECT_EQ(l.home, "/srv/mail/bob");
    EXPECT_EQ((co_await be->lookup("carol")).status, LookupOutcome::Status::notfound);
  });

  // Replace the file (new mtime): carol appears, alice's password changes.
  dir.write("passwd", "alice:" + make_hash("$6$", "new-alice") + "\ncarol:" + make_hash("$6$", "pw-carol") + "\n");
  struct timespec times[2] = {{0, UTIME_OMIT}, {1700000000, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  run_coro(io, [&]() -> asio::awaitable<void> {
    EXPECT_EQ((co_await be->lookup("carol")).status, LookupOutcome::Status::found);
    EXPECT_EQ((co_await be->lookup("bob")).status, LookupOutcome::Status::notfound);
    auto old = co_await be->authenticate("alice", creds("alice", "pw-alice"), "smtp", "-");
    EXPECT_EQ(old.status, AuthOutcome::Status::fail);
    auto fresh = co_await be->authenticate("alice", creds("alice", "new-alice"), "smtp", "-");
    EXPECT_EQ(fresh.status, AuthOutcome::Status::ok);
  });
  be->shutdown();
}

TEST(AuthPasswdFile, MissingFileIsTemporary) {
  TempDir dir;
  asio::io_context io;
  auto be = PasswdFileBackend::create(io.get_executor(), dir.file("absent"), "/m");
  run_coro(io, [&]() -> asio::awaitable<void> {
    auto r = co_await be->authenticate("alice", creds("alice", "pw"), "smtp", "-");
    EXPECT_EQ(r.status, AuthOutcome::Status::temp);
    EXPECT_EQ((co_await be->lookup("alice")).status, LookupOutcome::Status::temp);
  });
  be->shutdown();
}
