// What postern-smtpd builds from its configuration at start and on SIGHUP:
// the UnboundResolver ([dns]), the DKIM signer ([[mailauth.dkim_keys]], every
// key file read and checked now, so a bad key stops the start with a message
// naming the file) and the filter on top of them.
// Trust boundary: configuration and key files are the administrator's.
#include "smtp/mailauth/mailauth_filter.hpp"

#include "common/dns/unbound_resolver.hpp"

#include <stdexcept>

namespace postern::smtp::mailauth {

std::shared_ptr<dns::Resolver> make_resolver(asio::any_io_executor executor, const config::Config& cfg) {
  try {
    return std::make_shared<dns::UnboundResolver>(executor, dns::UnboundOptions::from_config(cfg.dns));
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("dns: ") + e.what());
  }
}

std::shared_ptr<const dkim::Signer> load_signer(const config::Config& cfg) {
  if (!cfg.mailauth.dkim_sign || cfg.mailauth.dkim_keys.empty()) return nullptr;
  try {
    return std::make_shared<const dkim::Signer>(dkim::Signer::from_config(cfg.mailauth.dkim_keys));
  } catch (const std::exception& e) {
    // KeyError's text starts with the key file's path.
    throw std::runtime_error(std::string("mailauth.dkim_keys: ") + e.what());
  }
}

MessageFilter make_daemon_filter(asio::any_io_executor executor, const config::Config& cfg) {
  return make_mailauth_filter(cfg, make_resolver(executor, cfg), load_signer(cfg));
}

}  // namespace postern::smtp::mailauth
