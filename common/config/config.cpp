// Loading and checking postern.toml (see config.hpp). Every key is read by
// name from a known table; whatever is left over is an unknown key and an
// error. Messages have the form "file:line: key: what is wrong".
#include "common/config/config.hpp"

#include <netdb.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "common/util/strings.hpp"

namespace postern::config {

std::string Endpoint::to_string() const {
  if (address.find(':') != std::string::npos) return "[" + address + "]:" + std::to_string(port);
  return address + ":" + std::to_string(port);
}

Endpoint parse_endpoint(const std::string& s) {
  Endpoint e;
  std::string host, port;
  if (!s.empty() && s[0] == '[') {
    auto close = s.find(']');
    if (close == std::string::npos || close + 1 >= s.size() || s[close + 1] != ':')
      throw std::invalid_argument("expected [address]:port");
    host = s.substr(1, close - 1);
    port = s.substr(close + 2);
  } else {
    auto colon = s.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument("expected address:port");
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
    if (host.find(':') != std::string::npos) throw std::invalid_argument("an IPv6 address needs brackets: [::1]:port");
  }
  unsigned v = 0;
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
  if (ec != std::errc() || p != port.data() + port.size() || port.empty() || v > 65535)
    throw std::invalid_argument("bad port '" + port + "'");
  e.address = host.empty() ? "0.0.0.0" : host;
  e.port = static_cast<uint16_t>(v);
  return e;
}

bool Config::is_our_domain(std::string_view domain) const {
  for (auto& d : server.domains)
    if (util::iequals(d, domain)) return true;
  return false;
}

namespace {

std::string machine_fqdn() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  addrinfo hints{};
  hints.ai_flags = AI_CANONNAME;
  addrinfo* res = nullptr;
  std::string out = name;
  if (getaddrinfo(name, nullptr, &hints, &res) == 0 && res) {
    if (res->ai_canonname && std::string_view(res->ai_canonname).find('.') != std::string_view::npos)
      out = res->ai_canonname;
    freeaddrinfo(res);
  }
  return util::to_lower(out);
}

bool valid_hostname(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  for (auto label : util::split(h, '.')) {
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-')) return false;
  }
  return true;
}

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  [[noreturn]] void fail(const toml::node* n, const std::string& key, const std::string& what) const {
    std::ostringstream o;
    o << path_;
    if (n && n->source().begin.line) o << ":" << n->source().begin.line;
    o << ": " << key << ": " << what;
    throw ConfigError(o.str());
  }

  // Unknown keys in table `t` (named `prefix`) are errors.
  void only(const toml::table& t, const std::string& prefix, std::initializer_list<std::string_view> known) const {
    for (auto& [k, v] : t) {
      bool ok = false;
      for (auto kn : known) ok = ok || kn == k.str();
      if (!ok) fail(&v, join(prefix, std::string(k.str())), "unknown key");
    }
  }

  static std::string join(const std::string& prefix, const std::string& key) {
    return prefix.empty() ? key : prefix + "." + key;
  }

  const toml::table* table(const toml::table& t, const std::string& prefix, std::string_view key) const {
    auto* n = t.get(key);
    if (!n) return nullptr;
    if (!n->is_table()) fail(n, join(prefix, std::string(key)), "must be a table");
    return n->as_table();
  }

  void str(const toml::table& t, const std::string& prefix, std::string_view key, std::string& out) const {
    auto* n = t.get(key);
    if (!n) return;
    if (!n->is_string()) fail(n, join(prefix, std::string(key)), "must be a string");
    out = n->as_string()->get();
  }

  void boolean(const toml::table& t, const std::string& prefix, std::string_view key, bool& out) const {
    auto* n = t.get(key);
    if (!n) return;
    if (!n->is_boolean()) fail(n, join(prefix, std::string(key)), "must be true or false");
    out = n->as_boolean()->get();
  }

  template <class Int>
  void integer(const toml::table& t, const std::string& prefix, std::string_view key, Int& out, int64_t lo,
               int64_t hi) const {
    auto* n = t.get(key);
    if (!n) return;
    if (!n->is_integer()) fail(n, join(prefix, std::string(key)), "must be an integer");
    int64_t v = n->as_integer()->get();
    if (v < lo || v > hi)
      fail(n, join(prefix, std::string(key)),
           "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", not " + std::to_string(v));
    out = static_cast<Int>(v);
  }

  // "30s", "5m", "2h", "1d", "250ms", or an integer number of seconds.
  void duration_ms(const toml::table& t, const std::string& prefix, std::string_view key,
                   std::chrono::milliseconds& out, std::chrono::milliseconds lo) const {
    auto* n = t.get(key);
    if (!n) return;
    std::string k = join(prefix, std::string(key));
    int64_t ms = 0;
    if (n->is_integer()) {
      ms = n->as_integer()->get() * 1000;
    } else if (n->is_string()) {
      const std::string& s = n->as_string()->get();
      int64_t v = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      std::string unit(p, s.data() + s.size());
      if (ec != std::errc() || p == s.data()) fail(n, k, "must be a duration like \"30s\", \"5m\", \"1h\"");
      if (unit == "ms") ms = v;
      else if (unit == "s" || unit.empty()) ms = v * 1000;
      else if (unit == "m") ms = v * 60'000;
      else if (unit == "h") ms = v * 3'600'000;
      else if (unit == "d") ms = v * 86'400'000;
      else fail(n, k, "unknown unit '" + unit + "' (use ms, s, m, h, d)");
    } else {
      fail(n, k, "must be a duration like \"30s\"");
    }
    if (ms < lo.count() || ms > int64_t(365) * 86'400'000) fail(n, k, "duration out of range");
    out = std::chrono::milliseconds(ms);
  }

  void duration_s(const toml::table& t, const std::string& prefix, std::string_view key, std::chrono::seconds& out) const {
    std::chrono::milliseconds ms = out;
    duration_ms(t, prefix, key, ms, std::chrono::seconds(1));
    out = std::chrono::duration_cast<std::chrono::seconds>(ms);
  }

  // "50M", "10k", "1G", or an integer number of bytes.
  void size(const toml::table& t, const std::string& prefix, std::string_view key, uint64_t& out, uint64_t lo,
            uint64_t hi) const {
    auto* n = t.get(key);
    if (!n) return;
    std::string k = join(prefix, std::string(key));
    uint64_t v = 0;
    if (n->is_integer()) {
      if (n->as_integer()->get() < 0) fail(n, k, "must not be negative");
      v = static_cast<uint64_t>(n->as_integer()->get());
    } else if (n->is_string()) {
      const std::string& s = n->as_string()->get();
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      std::string unit = util::to_upper(std::string(p, s.data() + s.size()));
      if (ec != std::errc() || p == s.data()) fail(n, k, "must be a size like \"50M\"");
      if (unit == "K" || unit == "KB" || unit == "KIB") v <<= 10;
      else if (unit == "M" || unit == "MB" || unit == "MIB") v <<= 20;
      else if (unit == "G" || unit == "GB" || unit == "GIB") v <<= 30;
      else if (!unit.empty() && unit != "B") fail(n, k, "unknown unit '" + unit + "' (use K, M, G)");
    } else {
      fail(n, k, "must be a size like \"50M\"");
    }
    if (v < lo || v > hi) fail(n, k, "size out of range");
    out = v;
  }

  std::vector<std::string> strings(const toml::table& t, const std::string& prefix, std::string_view key,
                                   bool* present = nullptr) const {
    std::vector<std::string> out;
    auto* n = t.get(key);
    if (present) *present = n != nullptr;
    if (!n) return out;
    std::string k = join(prefix, std::string(key));
    if (!n->is_array()) fail(n, k, "must be a list of strings");
    for (auto& e : *n->as_array()) {
      if (!e.is_string()) fail(&e, k, "must be a list of strings");
      out.push_back(e.as_string()->get());
    }
    return out;
  }

  void endpoints(const toml::table& t, const std::string& prefix, std::string_view key, std::vector<Endpoint>& out) const {
    bool present = false;
    auto list = strings(t, prefix, key, &present);
    if (!present) return;
    out.clear();
    auto* n = t.get(key);
    for (auto& s : list) {
      try {
        out.push_back(parse_endpoint(s));
      } catch (const std::invalid_argument& e) {
        fail(n, join(prefix, std::string(key)), "'" + s + "': " + e.what());
      }
    }
  }

  void limits(const toml::table& t, const std::string& prefix, Limits& l) const {
    integer(t, prefix, "max_connections", l.max_connections, 1, 1'000'000);
    integer(t, prefix, "max_connections_per_ip", l.max_connections_per_ip, 1, 1'000'000);
    duration_s(t, prefix, "command_timeout", l.command_timeout);
    duration_s(t, prefix, "session_timeout", l.session_timeout);
  }

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

const std::set<std::string_view> kLevels = {"trace", "debug", "info", "warn", "error"};

Config parse(const toml::table& root, const std::string& path) {
  Reader r(path);
  Config c;
  c.path = path;
  r.only(root, "", {"log", "server", "tls", "store", "auth", "smtp", "imap", "dns", "mailauth"});

  if (auto* t = r.table(root, "", "log")) {
    r.only(*t, "log", {"level"});
    r.str(*t, "log", "level", c.log.level);
    if (!kLevels.count(c.log.level)) r.fail(t->get("level"), "log.level", "must be one of trace, debug, info, warn, error");
  }

  const toml::table empty;
  auto* server = r.table(root, "", "server");
  const toml::table& s = server ? *server : empty;
  r.only(s, "server", {"hostname", "domains", "state_dir", "spool_dir", "runtime_dir"});
  r.str(s, "server", "hostname", c.server.hostname);
  if (c.server.hostname.empty()) c.server.hostname = machine_fqdn();
  c.server.hostname = util::to_lower(c.server.hostname);
  if (!valid_hostname(c.server.hostname))
    r.fail(s.get("hostname"), "server.hostname", "'" + c.server.hostname + "' is not a valid host name");
  for (auto& d : r.strings(s, "server", "domains")) {
    auto ld = util::to_lower(d);
    if (!valid_hostname(ld)) r.fail(s.get("domains"), "server.domains", "'" + d + "' is not a valid domain");
    c.server.domains.push_back(ld);
  }
  r.str(s, "server", "state_dir", c.server.state_dir);
  r.str(s, "server", "spool_dir", c.server.spool_dir);
  r.str(s, "server", "runtime_dir", c.server.runtime_dir);
  for (auto [key, val] : {std::pair{"state_dir", &c.server.state_dir}, {"spool_dir", &c.server.spool_dir},
                          {"runtime_dir", &c.server.runtime_dir}})
    if (val->empty() || (*val)[0] != '/') r.fail(s.get(key), std::string("server.") + key, "must be an absolute path");

  auto* tls = r.table(root, "", "tls");
  const toml::table& tt = tls ? *tls : empty;
  r.only(tt, "tls", {"certificates", "min_version", "ciphers", "reload_check", "dev_self_signed"});
  r.str(tt, "tls", "min_version", c.tls.min_version);
  if (c.tls.min_version != "1.2" && c.tls.min_version != "1.3")
    r.fail(tt.get("min_version"), "tls.min_version", "must be \"1.2\" or \"1.3\"");
  r.str(tt, "tls", "ciphers", c.tls.ciphers);
  r.duration_s(tt, "tls", "reload_check", c.tls.reload_check);
  r.boolean(tt, "tls", "dev_self_signed", c.tls.dev_self_signed);
  if (auto* n = tt.get("certificates")) {
    if (!n->is_array_of_tables()) r.fail(n, "tls.certificates", "must be an array of tables [[tls.certificates]]");
    for (auto& e : *n->as_array()) {
      auto& ct = *e.as_table();
      r.only(ct, "tls.certificates", {"cert", "key"});
      Certificate cert;
      r.str(ct, "tls.certificates", "cert", cert.cert);
      r.str(ct, "tls.certificates", "key", cert.key);
      if (cert.cert.empty() || cert.key.empty()) r.fail(&e, "tls.certificates", "each entry needs cert and key");
      c.tls.certificates.push_back(cert);
    }
  } else {
    std::string le = "/etc/letsencrypt/live/" + c.server.hostname + "/";
    c.tls.certificates.push_back({le + "fullchain.pem", le + "privkey.pem"});
  }

  if (auto* t = r.table(root, "", "store")) {
    r.only(*t, "store", {"root"});
    r.str(*t, "store", "root", c.store.root);
  }
  if (c.store.root.empty()) c.store.root = c.server.state_dir + "/mail";

  if (auto* t = r.table(root, "", "auth")) {
    r.only(*t, "auth", {"socket", "backend", "pam_service", "passwd_file", "min_uid", "require_group", "workers",
                        "worker_max_requests", "failure_delay_base", "failure_delay_max", "request_timeout"});
    r.str(*t, "auth", "socket", c.auth.socket);
    r.str(*t, "auth", "backend", c.auth.backend);
    if (c.auth.backend != "pam" && c.auth.backend != "passwd-file")
      r.fail(t->get("backend"), "auth.backend", "must be \"pam\" or \"passwd-file\"");
    r.str(*t, "auth", "pam_service", c.auth.pam_service);
    r.str(*t, "auth", "passwd_file", c.auth.passwd_file);
    r.integer(*t, "auth", "min_uid", c.auth.min_uid, 0, 4294967294LL);
    r.str(*t, "auth", "require_group", c.auth.require_group);
    r.integer(*t, "auth", "workers", c.auth.workers, 1, 64);
    r.integer(*t, "auth", "worker_max_requests", c.auth.worker_max_requests, 1, 1'000'000);
    r.duration_ms(*t, "auth", "failure_delay_base", c.auth.failure_delay_base, std::chrono::milliseconds(0));
    r.duration_ms(*t, "auth", "failure_delay_max", c.auth.failure_delay_max, std::chrono::milliseconds(0));
    r.duration_s(*t, "auth", "request_timeout", c.auth.request_timeout);
  }
  if (c.auth.socket.empty()) c.auth.socket = c.server.runtime_dir + "/auth.sock";

  if (auto* t = r.table(root, "", "smtp")) {
    r.only(*t, "smtp", {"listen_mx", "listen_submission", "listen_submissions", "pickup_socket", "aliases_file", "max_message_size", "max_recipients",
                        "max_line_length", "max_connections", "max_connections_per_ip", "command_timeout",
                        "session_timeout"});
    r.endpoints(*t, "smtp", "listen_mx", c.smtp.listen_mx);
    r.endpoints(*t, "smtp", "listen_submission", c.smtp.listen_submission);
    r.endpoints(*t, "smtp", "listen_submissions", c.smtp.listen_submissions);
    r.str(*t, "smtp", "pickup_socket", c.smtp.pickup_socket);
    r.str(*t, "smtp", "aliases_file", c.smtp.aliases_file);
    r.size(*t, "smtp", "max_message_size", c.smtp.max_message_size, 1024, 2ull << 30);
    r.integer(*t, "smtp", "max_recipients", c.smtp.max_recipients, 1, 100'000);
    r.integer(*t, "smtp", "max_line_length", c.smtp.max_line_length, 512, 1 << 20);
    r.limits(*t, "smtp", c.smtp.limits);
  }

  if (c.smtp.pickup_socket.empty()) c.smtp.pickup_socket = c.server.runtime_dir + "/pickup.sock";

  if (auto* t = r.table(root, "", "imap")) {
    r.only(*t, "imap", {"listen", "listen_tls", "allow_plaintext_auth_loopback", "max_literal", "max_line_length",
                        "max_connections", "max_connections_per_ip", "command_timeout", "session_timeout"});
    r.endpoints(*t, "imap", "listen", c.imap.listen);
    r.endpoints(*t, "imap", "listen_tls", c.imap.listen_tls);
    r.boolean(*t, "imap", "allow_plaintext_auth_loopback", c.imap.allow_plaintext_auth_loopback);
    r.size(*t, "imap", "max_literal", c.imap.max_literal, 1024, 2ull << 30);
    r.integer(*t, "imap", "max_line_length", c.imap.max_line_length, 1024, 1 << 24);
    r.limits(*t, "imap", c.imap.limits);
  }

  if (auto* t = r.table(root, "", "dns")) {
    r.only(*t, "dns", {"upstreams", "trust_anchor_file", "timeout", "cache_entries"});
    auto* n = t->get("upstreams");
    for (auto& u : r.strings(*t, "dns", "upstreams")) {
      // "address@port" (unbound's forward syntax) or a bare address (port 53)
      Endpoint e;
      auto at = u.find('@');
      e.address = u.substr(0, at);
      unsigned port = 53;
      if (at != std::string::npos) {
        auto ps = u.substr(at + 1);
        auto [p, ec] = std::from_chars(ps.data(), ps.data() + ps.size(), port);
        if (ec != std::errc() || p != ps.data() + ps.size() || port == 0 || port > 65535)
          r.fail(n, "dns.upstreams", "'" + u + "': bad port");
      }

      if (e.address.empty()) r.fail(n, "dns.upstreams", "'" + u + "': expected address@port");
      e.port = static_cast<uint16_t>(port);
      c.dns.upstreams.push_back(e);
    }
    r.str(*t, "dns", "trust_anchor_file", c.dns.trust_anchor_file);
    r.duration_s(*t, "dns", "timeout", c.dns.timeout);
    r.integer(*t, "dns", "cache_entries", c.dns.cache_entries, 0, 10'000'000);
  }

  if (auto* t = r.table(root, "", "mailauth")) {
    r.only(*t, "mailauth", {"authserv_id", "dkim_sign", "dkim_keys", "verify", "dmarc_enforce"});
    r.str(*t, "mailauth", "authserv_id", c.mailauth.authserv_id);
    r.boolean(*t, "mailauth", "dkim_sign", c.mailauth.dkim_sign);
    r.boolean(*t, "mailauth", "verify", c.mailauth.verify);
    r.boolean(*t, "mailauth", "dmarc_enforce", c.mailauth.dmarc_enforce);
    if (auto* n = t->get("dkim_keys")) {
      if (!n->is_array_of_tables()) r.fail(n, "mailauth.dkim_keys", "must be an array of tables [[mailauth.dkim_keys]]");
      for (auto& e : *n->as_array()) {
        auto& kt = *e.as_table();
        const std::string p = "mailauth.dkim_keys";
        r.only(kt, p, {"domain", "selector", "algorithm", "key_file"});
        DkimKey k;
        r.str(kt, p, "domain", k.domain);
        r.str(kt, p, "selector", k.selector);
        r.str(kt, p, "algorithm", k.algorithm);
        r.str(kt, p, "key_file", k.key_file);
        k.domain = util::to_lower(k.domain);
        if (!valid_hostname(k.domain)) r.fail(&e, p + ".domain", "missing or not a valid domain");
        if (k.selector.empty() || !valid_hostname(k.selector)) r.fail(&e, p + ".selector", "missing or invalid");
        if (k.algorithm != "rsa-sha256" && k.algorithm != "ed25519-sha256")
          r.fail(kt.get("algorithm"), p + ".algorithm", "must be \"rsa-sha256\" or \"ed25519-sha256\"");
        if (k.key_file.empty()) r.fail(&e, p + ".key_file", "missing");
        c.mailauth.dkim_keys.push_back(k);
      }
    }
  }
  if (c.mailauth.authserv_id.empty()) c.mailauth.authserv_id = c.server.hostname;
  return c;
}

}  // namespace

Config load_string(const std::string& text, const std::string& path) {
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    std::ostringstream o;
    o << path << ":" << e.source().begin.line << ": " << e.description();
    throw ConfigError(o.str());
  }
  return parse(root, path);
}

Config load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot read: " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  return load_string(ss.str(), path);
}

}  // namespace postern::config
