// `postern dkim ...`: DKIM key generation and the DNS record to publish.
// Trust boundary: run by the administrator on the server.
#pragma once

namespace CLI {
class App;
}

namespace postern::admin {

// Adds the "dkim" subcommand (keygen, record) to the `postern` command.
void add_dkim_commands(CLI::App& app);

}  // namespace postern::admin
