// The one configuration file (/etc/postern/postern.toml), parsed and checked.
// Trust boundary: the file is written by the administrator but may be wrong;
// every unknown key, wrong type or bad value is a ConfigError naming
// file:line: key. Every key has a default that is safe on the public Internet.
// conf/postern.toml is the commented reference of every key below.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace postern::config {

// "file:line: key: what is wrong"
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class TlsMode { none, starttls, implicit };

struct Endpoint {
  std::string address;  // "127.0.0.1", "::", "0.0.0.0"
  uint16_t port = 0;
  std::string to_string() const;
};
// Parses "host:port", "[v6]:port" or ":port" (all addresses). Throws std::invalid_argument.
Endpoint parse_endpoint(const std::string& s);

struct Certificate {
  std::string cert;  // PEM chain
  std::string key;   // PEM private key
};

struct LogConfig {
  std::string level = "info";  // trace debug info warn error
};

struct TlsConfig {
  // Default: Let's Encrypt layout for server.hostname. More entries are chosen by SNI.
  std::vector<Certificate> certificates;
  std::string min_version = "1.2";  // "1.2" or "1.3"
  std::string ciphers = "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20";
  std::chrono::seconds reload_check{60};  // how often cert files are checked for change
  bool dev_self_signed = false;           // development only: generate one if missing
};

struct ServerConfig {
  std::string hostname;               // default: the machine's FQDN (gethostname)
  std::vector<std::string> domains;   // domains we receive mail for (lowercase)
  std::string state_dir = "/var/lib/postern";
  std::string spool_dir = "/var/spool/postern";
  std::string runtime_dir = "/run/postern";
};

struct StoreConfig {
  std::string root;  // default: <state_dir>/mail ; one folder per user
};

struct AuthConfig {
  std::string socket;                // default: <runtime_dir>/auth.sock
  std::string backend = "pam";       // "pam" or "passwd-file"
  std::string pam_service = "postern";
  std::string passwd_file = "/etc/postern/passwd";  // user:crypt-hash[:home]
  uint32_t min_uid = 1000;           // PAM backend: accounts below are not mail users
  std::string require_group;         // PAM backend: if set, user must be in this group
  int workers = 2;                   // PAM worker processes
  int worker_max_requests = 500;     // a worker is recycled after this many
  std::chrono::milliseconds failure_delay_base{500};
  std::chrono::milliseconds failure_delay_max{15000};
  std::chrono::seconds request_timeout{30};  // a PAM conversation that takes longer fails temp
};

struct Limits {
  int max_connections = 1000;
  int max_connections_per_ip = 20;
  std::chrono::seconds command_timeout{300};
  std::chrono::seconds session_timeout{3600};
};

struct SmtpConfig {
  std::vector<Endpoint> listen_mx{{"0.0.0.0", 25}};
  std::vector<Endpoint> listen_submission{{"0.0.0.0", 587}};   // STARTTLS + AUTH
  std::vector<Endpoint> listen_submissions{{"0.0.0.0", 465}};  // implicit TLS + AUTH
  std::string pickup_socket;  // local submission (postern-sendmail); default <runtime_dir>/pickup.sock
  std::string aliases_file = "/etc/postern/aliases";  // "local: user[, user...]"; missing file = none
  uint64_t max_message_size = 50ull * 1024 * 1024;
  int max_recipients = 100;
  int max_line_length = 4096;  // command lines (RFC 5321 says at least 512)
  Limits limits;
};

struct ImapConfig {
  std::vector<Endpoint> listen{{"0.0.0.0", 143}};
  std::vector<Endpoint> listen_tls{{"0.0.0.0", 993}};
  bool allow_plaintext_auth_loopback = true;  // LOGIN without TLS only from 127/8, ::1
  uint64_t max_literal = 64ull * 1024 * 1024;
  int max_line_length = 65536;
  Limits limits{.max_connections = 5000, .max_connections_per_ip = 50,
                .command_timeout = std::chrono::seconds(1800),
                .session_timeout = std::chrono::seconds(24 * 3600)};
};

struct DnsConfig {
  std::vector<Endpoint> upstreams;  // "address@port" entries; empty = /etc/resolv.conf
  // DNSSEC root key; "" = no validation. Off by default: behind a resolver
  // that strips DNSSEC records every answer would be bogus (a temperror), so
  // turn it on (/usr/share/dns/root.key) with a validating-capable upstream.
  std::string trust_anchor_file;
  std::chrono::seconds timeout{10};
  int cache_entries = 10000;
};

struct DkimKey {
  std::string domain;
  std::string selector;
  std::string algorithm = "rsa-sha256";  // or "ed25519-sha256"
  std::string key_file;                  // PEM private key, mode 0600/0640
};

struct MailAuthConfig {
  std::string authserv_id;          // default: server.hostname
  bool dkim_sign = true;            // sign mail from submission / sendmail
  std::vector<DkimKey> dkim_keys;   // [[mailauth.dkim_keys]]
  bool verify = true;               // SPF/DKIM/DMARC on port 25
  bool dmarc_enforce = true;        // false: record results but accept everything
};

struct Config {
  std::string path;  // the file it was read from ("" = built-in defaults)
  LogConfig log;
  ServerConfig server;
  TlsConfig tls;
  StoreConfig store;
  AuthConfig auth;
  SmtpConfig smtp;
  ImapConfig imap;
  DnsConfig dns;
  MailAuthConfig mailauth;
  bool is_our_domain(std::string_view domain) const;  // case-insensitive
};

// Reads and validates a file. Throws ConfigError("file:line: key: problem").
Config load_file(const std::string& path);
// Same, from text (path is used in messages only).
Config load_string(const std::string& text, const std::string& path = "<string>");

}  // namespace postern::config
