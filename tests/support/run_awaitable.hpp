// Test support: runs a coroutine to completion on an io_context and returns
// its result (rethrowing its exception), so unit tests of coroutine APIs read
// like tests of plain functions. Shared by every tests/unit/<area>.
#pragma once

#include <asio.hpp>

#include <exception>
#include <optional>
#include <utility>

namespace postern::test {

// On a given io_context (restarted first, so it may be reused across calls).
template <class T>
T run(asio::io_context& io, asio::awaitable<T> a) {
  std::optional<T> out;
  std::exception_ptr err;
  asio::co_spawn(io, std::move(a), [&](std::exception_ptr e, T v) {
    err = e;
    if (!e) out = std::move(v);
  });
  io.restart();
  io.run();
  if (err) std::rethrow_exception(err);
  return std::move(*out);
}

// On a fresh io_context.
template <class T>
T run(asio::awaitable<T> a) {
  asio::io_context io;
  return run(io, std::move(a));
}

}  // namespace postern::test
