// Logging: spdlog to stderr, one line per event. journald adds timestamps and
// the unit name. Every line about a connection carries its id ("c=1a2b").
// Never pass passwords or AUTH payloads to these functions.
#pragma once

#include <spdlog/spdlog.h>

#include <string>
#include <string_view>

namespace postern::log {

// Sets up the default logger for a daemon ("smtpd", "imapd", ...) and level
// ("trace".."error"); throws std::invalid_argument on an unknown level.
void init(std::string_view program, std::string_view level);
void set_level(std::string_view level);

// Short unique connection id, e.g. "c7f3a91": process-unique, hex.
std::string new_connection_id();

using spdlog::debug;
using spdlog::error;
using spdlog::info;
using spdlog::trace;
using spdlog::warn;

}  // namespace postern::log
