// TLS contexts: one per configured certificate, chosen by SNI; TLS 1.2
// minimum, a modern cipher list; certificate files re-read when they change
// on disk (a certbot renewal) without touching open connections (they keep
// the context they started with).
#pragma once

#include <asio/ssl.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/config/config.hpp"

namespace postern::tls {

class TlsManager {
 public:
  // Loads every certificate now; throws std::runtime_error naming the file on failure.
  explicit TlsManager(const config::TlsConfig& cfg);
  // The context for new connections (SNI switches to another inside the handshake).
  std::shared_ptr<asio::ssl::context> context() const;
  // Re-reads certificate files if their mtime changed; returns true if reloaded.
  // A failed reload keeps the old certificates and logs the error.
  bool reload_if_changed();
  // Forces a reload with new settings (SIGHUP).
  void reload(const config::TlsConfig& cfg);
  size_t certificate_count() const;

  struct Loaded;  // the certificates of one (re)load; public for the SNI callback

 private:
  std::shared_ptr<Loaded> load(const config::TlsConfig& cfg) const;
  mutable std::mutex mu_;
  std::shared_ptr<Loaded> current_;
  config::TlsConfig cfg_;
};

// The TLS manager a daemon uses: with tls.dev_self_signed, the first
// certificate is generated if missing (development setup only).
std::shared_ptr<TlsManager> make_manager(const config::Config& cfg);

// Development only: writes a self-signed certificate + key for `hostname` to
// the given paths if they do not exist (logs a loud warning).
void ensure_self_signed(const std::string& cert_path, const std::string& key_path, const std::string& hostname);

}  // namespace postern::tls
