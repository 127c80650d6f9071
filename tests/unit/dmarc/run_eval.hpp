// Runs dmarc::evaluate to completion on a private io_context (test helper).
#pragma once

#include "mailauth/dmarc/evaluate.hpp"
#include "tests/support/run_awaitable.hpp"

namespace postern::dmarc::test {

inline Evaluation run_evaluate(dns::Resolver& r, Input in, Options opt = {}) {
  return postern::test::run(evaluate(r, std::move(in), std::move(opt)));
}

}  // namespace postern::dmarc::test
