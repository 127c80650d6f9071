// Logging setup (see log.hpp).
#include "common/log/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <stdexcept>

namespace postern::log {

static spdlog::level::level_enum parse_level(std::string_view level) {
  if (level == "trace") return spdlog::level::trace;
  if (level == "debug") return spdlog::level::debug;
  if (level == "info") return spdlog::level::info;
  if (level == "warn") return spdlog::level::warn;
  if (level == "error") return spdlog::level::err;
  throw std::invalid_argument("unknown log level '" + std::string(level) + "'");
}

void init(std::string_view program, std::string_view level) {
  auto logger = spdlog::stderr_logger_mt(std::string(program));
  // journald stamps time itself; on a terminal the time helps.
  if (isatty(2))
    logger->set_pattern("%H:%M:%S.%e %n %^%l%$: %v");
  else
    logger->set_pattern("%n %l: %v");
  spdlog::set_default_logger(logger);
  set_level(level);
}

void set_level(std::string_view level) { spdlog::set_level(parse_level(level)); }

std::string new_connection_id() {
  static std::atomic<uint32_t> counter{0};
  uint32_t n = counter.fetch_add(1) + 1;
  char buf[24];
  std::snprintf(buf, sizeof buf, "c%x.%x", static_cast<unsigned>(getpid()) & 0xffff, n);
  return buf;
}

}  // namespace postern::log
