// `postern`: the administrator's command. Subcommands:
//   postern check-config          validate /etc/postern/postern.toml
//   postern passwd add USER       add/replace a user in the passwd-file backend
//   postern passwd hash           print a crypt(3) hash of a password from stdin
//   postern dkim keygen ...       DKIM keys and the DNS record to publish
//   postern version
// Trust boundary: run by the administrator; passwords are read from stdin
// (never from argv, where ps(1) would show them) and never printed.
#include <CLI/CLI.hpp>

#include <iostream>

#include "admin/passwd.hpp"
#include "common/config/config.hpp"
#ifdef POSTERN_HAVE_DKIM_CMD
#include "admin/cmd_dkim.hpp"
#endif

int main(int argc, char** argv) {
  CLI::App app{"postern: administer the Postern mail server"};
  app.require_subcommand(1);
  std::string config_path = "/etc/postern/postern.toml";
  app.add_option("--config", config_path, "configuration file")->capture_default_str();

  app.add_subcommand("version", "print the version")->callback([] { std::cout << "postern " POSTERN_VERSION "\n"; });

  app.add_subcommand("check-config", "check the configuration file and exit")->callback([&] {
    try {
      auto cfg = postern::config::load_file(config_path);
      std::cout << config_path << ": ok (hostname " << cfg.server.hostname << ", " << cfg.server.domains.size()
                << " domain(s))\n";
    } catch (const postern::config::ConfigError& e) {
      std::cerr << e.what() << "\n";
      throw CLI::RuntimeError(2);
    }
  });

  postern::admin::add_passwd_commands(app, config_path);
#ifdef POSTERN_HAVE_DKIM_CMD
  postern::admin::add_dkim_commands(app);
#endif

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
