// Runs dmarc::evaluate to completion on a private io_context (test helper).
#pragma once

#include "mailauth/dmarc/evaluate.hpp"

#include <exception>
#include <optional>

namespace postern::dmarc::test {

inline Evaluation run_evaluate(dns::Resolver& r, Input in, Options opt = {}) {
  asio::io_context ctx;
  std::optional<Evaluation> out;
  std::exception_ptr error;
  asio::co_spawn(ctx, evaluate(r, std::move(in), std::move(opt)),
                 [&](std::exception_ptr ep, Evaluation e) {
                   if (ep) error = ep;
                   else out = std::move(e);
                 });
  ctx.run();
  if (error) std::rethrow_exception(error);
  return *out;
}

}  // namespace postern::dmarc::test
