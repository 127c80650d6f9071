// TLS contexts (see tls.hpp). One asio::ssl::context per certificate; the
// first is the default and carries the SNI callback that switches a
// handshake to the context whose certificate names match the requested host.
// Policy: TLS 1.2 minimum (configurable to 1.3), no compression, no
// renegotiation, server cipher preference, ECDHE/DHE AEAD ciphers only
// (RFC 8996 deprecates TLS 1.0/1.1; RFC 7525 recommendations).
#include "common/tls/tls.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "common/log/log.hpp"
#include "common/util/strings.hpp"

namespace postern::tls {

struct TlsManager::Loaded {
  std::vector<std::shared_ptr<asio::ssl::context>> contexts;
  std::vector<std::vector<std::string>> names;  // lowercase DNS names per context
  std::vector<std::pair<std::string, int64_t>> mtimes;
};

namespace {

std::string openssl_error() {
  unsigned long e = ERR_get_error();
  if (!e) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

int64_t mtime_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

std::vector<std::string> certificate_names(SSL_CTX* ctx) {
  std::vector<std::string> out;
  X509* cert = SSL_CTX_get0_certificate(ctx);
  if (!cert) return out;
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (sans) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, i);
      if (gn->type == GEN_DNS) {
        auto* s = gn->d.dNSName;
        out.push_back(util::to_lower(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                                 static_cast<size_t>(ASN1_STRING_length(s)))));
      }
    }
    GENERAL_NAMES_free(sans);
  }
  char cn[256];
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn) > 0)
    out.push_back(util::to_lower(cn));
  return out;
}

bool name_matches(const std::string& pattern, const std::string& host) {
  if (pattern == host) return true;
  if (pattern.size() > 2 && pattern[0] == '*' && pattern[1] == '.') {
    auto dot = host.find('.');
    return dot != std::string::npos && host.substr(dot) == pattern.substr(1);
  }
  return false;
}

int sni_callback(SSL* ssl, int*, void* arg) {
  auto* loaded = static_cast<TlsManager::Loaded*>(arg);
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (!name) return SSL_TLSEXT_ERR_OK;  // default certificate
  std::string host = util::to_lower(name);
  for (size_t i = 0; i < loaded->contexts.size(); ++i)
    for (auto& n : loaded->names[i])
      if (name_matches(n, host)) {
        if (i != 0) SSL_set_SSL_CTX(ssl, loaded->contexts[i]->native_handle());
        return SSL_TLSEXT_ERR_OK;
      }
  return SSL_TLSEXT_ERR_OK;  // unknown name: default certificate (clients decide)
}

}  // namespace

TlsManager::TlsManager(const config::TlsConfig& cfg) : cfg_(cfg) { current_ = load(cfg); }

std::shared_ptr<TlsManager::Loaded> TlsManager::load(const config::TlsConfig& cfg) const {
  if (cfg.certificates.empty()) throw std::runtime_error("tls: no certificates configured");
  auto l = std::make_shared<Loaded>();
  for (auto& c : cfg.certificates) {
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    SSL_CTX* h = ctx->native_handle();
    SSL_CTX_set_min_proto_version(h, cfg.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION);
    SSL_CTX_set_options(h, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                               SSL_OP_NO_TICKET);
    if (SSL_CTX_set_cipher_list(h, cfg.ciphers.c_str()) != 1)
      throw std::runtime_error("tls.ciphers: no usable cipher in '" + cfg.ciphers + "'");
    if (SSL_CTX_use_certificate_chain_file(h, c.cert.c_str()) != 1)
      throw std::runtime_error("tls: certificate " + c.cert + ": " + openssl_error());
    if (SSL_CTX_use_PrivateKey_file(h, c.key.c_str(), SSL_FILETYPE_PEM) != 1)
      throw std::runtime_error("tls: key " + c.key + ": " + openssl_error());
    if (SSL_CTX_check_private_key(h) != 1)
      throw std::runtime_error("tls: key " + c.key + " does not match certificate " + c.cert);
    l->names.push_back(certificate_names(h));
    l->contexts.push_back(ctx);
    l->mtimes.push_back({c.cert, mtime_of(c.cert)});
    l->mtimes.push_back({c.key, mtime_of(c.key)});
  }
  SSL_CTX_set_tlsext_servername_callback(l->contexts[0]->native_handle(), sni_callback);
  SSL_CTX_set_tlsext_servername_arg(l->contexts[0]->native_handle(), l.get());
  return l;
}

std::shared_ptr<asio::ssl::context> TlsManager::context() const {
  std::lock_guard lock(mu_);
  // Aliasing: the connection keeps the whole Loaded set (and so every SNI
  // context) alive for as long as it uses the default context.
  return std::shared_ptr<asio::ssl::context>(current_, current_->contexts[0].get());
}

bool TlsManager::reload_if_changed() {
  std::shared_ptr<Loaded> cur;
  config::TlsConfig cfg;
  {
    std::lock_guard lock(mu_);
    cur = current_;
    cfg = cfg_;
  }
  bool changed = false;
  for (auto& [path, mt] : cur->mtimes) changed = changed || mtime_of(path) != mt;
  if (!changed) return false;
  try {
    auto fresh = load(cfg);
    std::lock_guard lock(mu_);
    current_ = fresh;
    return true;
  } catch (const std::exception& e) {
    // A renewal may be half-written: keep serving the old certificates.
    log::error("TLS reload failed, keeping the current certificates: {}", e.what());
    std::lock_guard lock(mu_);
    current_->mtimes.clear();
    for (auto& [path, mt] : cur->mtimes) current_->mtimes.push_back({path, mt});
    return false;
  }
}

void TlsManager::reload(const config::TlsConfig& cfg) {
  auto fresh = load(cfg);
  std::lock_guard lock(mu_);
  current_ = fresh;
  cfg_ = cfg;
}

size_t TlsManager::certificate_count() const {
  std::lock_guard lock(mu_);
  return current_->contexts.size();
}

std::shared_ptr<TlsManager> make_manager(const config::Config& cfg) {
  if (cfg.tls.dev_self_signed && !cfg.tls.certificates.empty())
    ensure_self_signed(cfg.tls.certificates[0].cert, cfg.tls.certificates[0].key, cfg.server.hostname);
  return std::make_shared<TlsManager>(cfg.tls);
}

void ensure_self_signed(const std::string& cert_path, const std::string& key_path, const std::string& hostname) {
  if (std::filesystem::exists(cert_path) && std::filesystem::exists(key_path)) return;
  // Several daemons may start at once: one generates, the others wait.
  auto dir = std::filesystem::path(key_path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir);
  int lock = ::open((key_path + ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600);
  if (lock >= 0) ::flock(lock, LOCK_EX);
  struct Unlock {
    int fd;
    ~Unlock() {
      if (fd >= 0) ::close(fd);
    }
  } unlock{lock};
  if (std::filesystem::exists(cert_path) && std::filesystem::exists(key_path)) return;
  log::warn("**********************************************************************");
  log::warn("DEVELOPMENT ONLY: generating a self-signed certificate for {}", hostname);
  log::warn("Mail clients will warn about it. Use a real certificate in production.");
  log::warn("**********************************************************************");
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  if (!pkey) throw std::runtime_error("self-signed: key generation failed: " + openssl_error());
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), static_cast<long>(time(nullptr)));
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 3650L * 24 * 3600);
  X509_set_pubkey(x, pkey);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(hostname.c_str()), -1,
                             -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, x, x, nullptr, nullptr, 0);
  std::string san = "DNS:" + hostname + ",DNS:localhost,IP:127.0.0.1,IP:::1";
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, san.c_str());
  if (ext) {
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(x, pkey, EVP_sha256());
  mode_t old = umask(077);
  FILE* kf = std::fopen(key_path.c_str(), "w");
  umask(old);
  if (!kf) throw std::runtime_error("self-signed: cannot write " + key_path);
  PEM_write_PrivateKey(kf, pkey, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(kf);
  FILE* cf = std::fopen(cert_path.c_str(), "w");
  if (!cf) throw std::runtime_error("self-signed: cannot write " + cert_path);
  PEM_write_X509(cf, x);
  std::fclose(cf);
  X509_free(x);
  EVP_PKEY_free(pkey);
}

}  // namespace postern::tls
