// Shared daemon start-up (see daemon_start.hpp).
#include "common/config/daemon_start.hpp"

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>

#include "common/log/log.hpp"

namespace postern::config {

DaemonStart::DaemonStart(std::string program, std::string description)
    : program_(std::move(program)), description_(std::move(description)) {}

std::optional<int> DaemonStart::parse(int argc, char** argv) {
  CLI::App app{program_ + ": " + description_};
  app.add_option("-c,--config", path_, "configuration file")->capture_default_str();
  app.add_flag("--check-config", check_only_, "validate the configuration and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return check([this] { cfg_ = load_file(path_); }) ? std::nullopt : std::optional<int>(kExitConfig);
}

bool DaemonStart::check(const std::function<void()>& step) {
  try {
    step();
    return true;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", program_.c_str(), e.what());
    return false;
  }
}

std::optional<int> DaemonStart::finish(std::string_view log_name) {
  if (check_only_) {
    std::printf("%s: %s: configuration OK\n", program_.c_str(), path_.c_str());
    return 0;
  }
  if (!check([&] { log::init(log_name, cfg_.log.level); })) return kExitConfig;
  std::signal(SIGPIPE, SIG_IGN);
  return std::nullopt;
}

}  // namespace postern::config
