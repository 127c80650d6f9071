// The start-up every daemon shares: `--config PATH` and `--check-config`
// parsed from argv, the configuration loaded, extra start-up checks run, and
// errors printed as "<program>: file:line: key: problem" with exit status 78
// (EX_CONFIG, which systemd's ExecStartPre reports as a configuration error).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/config/config.hpp"

namespace postern::config {

constexpr int kExitConfig = 78;  // EX_CONFIG

class DaemonStart {
 public:
  // program: "postern-smtpd"; description: the --help line.
  DaemonStart(std::string program, std::string description);
  // Parses argv and loads the configuration. Returns an exit status when
  // main() should return now (--help, a usage error, a configuration error).
  std::optional<int> parse(int argc, char** argv);
  // Runs a start-up check that throws on a problem (a key file, an aliases
  // file). Returns false after printing "<program>: <what()>".
  bool check(const std::function<void()>& step);
  // Call after the checks: with --check-config prints "configuration OK" and
  // returns 0; otherwise sets up logging as `log_name` and ignores SIGPIPE
  // (nullopt: go on).
  std::optional<int> finish(std::string_view log_name);

  Config& config() { return cfg_; }
  const std::string& config_path() const { return path_; }
  const std::string& program() const { return program_; }

 private:
  std::string program_, description_;
  std::string path_ = "/etc/postern/postern.toml";
  bool check_only_ = false;
  Config cfg_;
};

}  // namespace postern::config
