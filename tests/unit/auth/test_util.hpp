// Helpers for the authd tests: temporary directories and running a
// coroutine to completion on an io_context (no threads, no sleeps).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <asio.hpp>
#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

// ASSERT_* returns, which a coroutine cannot: these co_return instead.
#define CO_ASSERT_TRUE(c)      \
  do {                         \
    EXPECT_TRUE(c);            \
    if (!(c)) co_return;       \
  } while (0)
#define CO_ASSERT_EQ(a, b)     \
  do {                         \
    EXPECT_EQ(a, b);           \
    if (!((a) == (b))) co_return; \
  } while (0)

namespace postern::auth::test {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/postern-auth-XXXXXX";
    char* p = mkdtemp(tmpl);
    if (!p) throw std::runtime_error("mkdtemp failed");
    path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream(file(name), std::ios::binary | std::ios::trunc) << text;
  }

 private:
  std::string path_;
};

// Runs the coroutine made by f() until it finishes (or `limit` passes, which
// fails the test rather than hanging it); rethrows its exception.
template <class F>
void run_coro(asio::io_context& io, F f, std::chrono::seconds limit = std::chrono::seconds(60)) {
  bool done = false;
  std::exception_ptr err;
  asio::co_spawn(io, f(), [&](std::exception_ptr e) {
    err = e;
    done = true;
    io.stop();
  });
  io.restart();
  io.run_for(limit);
  io.restart();
  ASSERT_TRUE(done) << "coroutine did not finish";
  if (err) std::rethrow_exception(err);
}

}  // namespace postern::auth::test
