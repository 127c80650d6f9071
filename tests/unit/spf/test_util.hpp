// Helpers for the SPF tests: run a coroutine to completion on a private
// io_context (StaticResolver never suspends, so this is deterministic).
#pragma once

#include <asio.hpp>

#include <exception>
#include <optional>

namespace postern::spf::test {

template <class T>
T run(asio::awaitable<T> a) {
  asio::io_context io;
  std::optional<T> out;
  std::exception_ptr err;
  asio::co_spawn(io, std::move(a), [&](std::exception_ptr e, T v) {
    err = e;
    if (!e) out = std::move(v);
  });
  io.run();
  if (err) std::rethrow_exception(err);
  return std::move(*out);
}

}  // namespace postern::spf::test
