// Helpers for the SPF tests: run a coroutine to completion on a private
// io_context (StaticResolver never suspends, so this is deterministic).
#pragma once

#include <asio.hpp>

#include <exception>
#include <optional>
#include "tests/support/run_awaitable.hpp"

namespace postern::spf::test {

using postern::test::run;

}  // namespace postern::spf::test
