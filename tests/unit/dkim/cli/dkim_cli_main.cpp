// Test driver: a `postern` with only the dkim subcommands.
#include "admin/cmd_dkim.hpp"

#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"postern (dkim commands only, for tests)"};
  app.require_subcommand(1);
  postern::admin::add_dkim_commands(app);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
