// Configuration loading: defaults, the shipped reference file, and the
// "file:line: key: problem" errors an administrator sees.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "common/config/config.hpp"

using namespace postern::config;

namespace {
std::string error_of(const std::string& text) {
  try {
    load_string(text, "/etc/postern/postern.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

// The reference file with every "# key = value" and "# [[table]]" line uncommented.
std::string uncommented_reference() {
  std::ifstream in(std::string(POSTERN_SOURCE_DIR) + "/conf/postern.toml");
  std::string line, out;
  std::regex kv(R"(^# ([a-z_]+ *= *.*?)( +#.*)?$)");
  std::regex tbl(R"(^# (\[\[[a-z_.]+\]\])$)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, tbl) || std::regex_match(line, m, kv))
      out += m[1].str() + "\n";
    else if (!line.empty() && line[0] == '[')
      out += line + "\n";
  }
  return out;
}
}  // namespace

TEST(Config, DefaultsAreSafe) {
  Config c = load_string("[server]\nhostname = \"mail.example.org\"\n");
  EXPECT_EQ(c.server.hostname, "mail.example.org");
  EXPECT_TRUE(c.server.domains.empty());
  EXPECT_EQ(c.store.root, "/var/lib/postern/mail");
  EXPECT_EQ(c.auth.socket, "/run/postern/auth.sock");
  EXPECT_EQ(c.auth.backend, "pam");
  ASSERT_EQ(c.tls.certificates.size(), 1u);
  EXPECT_EQ(c.tls.certificates[0].cert, "/etc/letsencrypt/live/mail.example.org/fullchain.pem");
  EXPECT_EQ(c.tls.certificates[0].key, "/etc/letsencrypt/live/mail.example.org/privkey.pem");
  EXPECT_EQ(c.tls.min_version, "1.2");
  EXPECT_EQ(c.smtp.listen_mx.at(0).port, 25);
  EXPECT_EQ(c.imap.listen_tls.at(0).port, 993);
  EXPECT_EQ(c.mailauth.authserv_id, "mail.example.org");
  EXPECT_FALSE(c.is_our_domain("example.org"));
}

TEST(Config, ReferenceFileDocumentsEveryKeyWithItsDefault) {
  std::string text = uncommented_reference();
  ASSERT_NE(text.find("max_connections_per_ip"), std::string::npos);
  Config r = load_string(text, "conf/postern.toml");
  Config d = load_string("[server]\nhostname = \"mail.example.org\"\n");
  EXPECT_EQ(r.log.level, d.log.level);
  EXPECT_EQ(r.store.root, d.store.root);
  EXPECT_EQ(r.auth.failure_delay_base, d.auth.failure_delay_base);
  EXPECT_EQ(r.auth.failure_delay_max, d.auth.failure_delay_max);
  EXPECT_EQ(r.auth.workers, d.auth.workers);
  EXPECT_EQ(r.smtp.max_message_size, d.smtp.max_message_size);
  EXPECT_EQ(r.smtp.limits.command_timeout, d.smtp.limits.command_timeout);
  EXPECT_EQ(r.smtp.limits.session_timeout, d.smtp.limits.session_timeout);
  EXPECT_EQ(r.imap.max_literal, d.imap.max_literal);
  EXPECT_EQ(r.imap.limits.command_timeout, d.imap.limits.command_timeout);
  EXPECT_EQ(r.imap.limits.max_connections, d.imap.limits.max_connections);
  EXPECT_EQ(r.dns.timeout, d.dns.timeout);
  EXPECT_EQ(r.tls.reload_check, d.tls.reload_check);
  ASSERT_EQ(r.mailauth.dkim_keys.size(), 1u);
  EXPECT_EQ(r.mailauth.dkim_keys[0].algorithm, "rsa-sha256");
}

TEST(Config, UnknownKeyNamesFileLineAndKey) {
  EXPECT_EQ(error_of("[server]\nhostname = \"a.example\"\n\n[smtp]\nmax_mesage_size = 10\n"),
            "/etc/postern/postern.toml:5: smtp.max_mesage_size: unknown key");
  EXPECT_EQ(error_of("[sever]\nx = 1\n"), "/etc/postern/postern.toml:1: sever: unknown key");
}

TEST(Config, WrongTypesAndValues) {
  EXPECT_EQ(error_of("[smtp]\nmax_recipients = \"many\"\n"),
            "/etc/postern/postern.toml:2: smtp.max_recipients: must be an integer");
  EXPECT_EQ(error_of("[smtp]\nmax_recipients = 0\n"),
            "/etc/postern/postern.toml:2: smtp.max_recipients: must be between 1 and 100000, not 0");
  EXPECT_EQ(error_of("[auth]\nbackend = \"ldap\"\n"),
            "/etc/postern/postern.toml:2: auth.backend: must be \"pam\" or \"passwd-file\"");
  EXPECT_EQ(error_of("[log]\nlevel = \"loud\"\n"),
            "/etc/postern/postern.toml:2: log.level: must be one of trace, debug, info, warn, error");
  EXPECT_EQ(error_of("[imap]\ncommand_timeout = \"5 weeks\"\n"),
            "/etc/postern/postern.toml:2: imap.command_timeout: unknown unit ' weeks' (use ms, s, m, h, d)");
  EXPECT_EQ(error_of("[smtp]\nlisten_mx = [\"127.0.0.1\"]\n"),
            "/etc/postern/postern.toml:2: smtp.listen_mx: '127.0.0.1': expected address:port");
  EXPECT_EQ(error_of("[server]\ndomains = [\"exa mple.org\"]\n"),
            "/etc/postern/postern.toml:2: server.domains: 'exa mple.org' is not a valid domain");
  EXPECT_EQ(error_of("[server]\nstate_dir = \"relative\"\n"),
            "/etc/postern/postern.toml:2: server.state_dir: must be an absolute path");
  EXPECT_EQ(error_of("[tls]\nmin_version = \"1.0\"\n"),
            "/etc/postern/postern.toml:2: tls.min_version: must be \"1.2\" or \"1.3\"");
}

TEST(Config, SyntaxErrorNamesLine) {
  std::string e = error_of("[server]\nhostname = \n");
  EXPECT_EQ(e.rfind("/etc/postern/postern.toml:2: ", 0), 0u) << e;
}

TEST(Config, UnitsAndEndpoints) {
  Config c = load_string(
      "[smtp]\nmax_message_size = \"10M\"\ncommand_timeout = \"2m\"\n"
      "listen_mx = [\"127.0.0.1:2525\", \"[::1]:2526\", \":2527\"]\n"
      "[auth]\nfailure_delay_base = \"250ms\"\n"
      "[server]\ndomains = [\"Example.ORG\"]\n"
      "[dns]\nupstreams = [\"127.0.0.1@5353\"]\n");
  EXPECT_EQ(c.smtp.max_message_size, 10u << 20);
  EXPECT_EQ(c.smtp.limits.command_timeout, std::chrono::seconds(120));
  ASSERT_EQ(c.smtp.listen_mx.size(), 3u);
  EXPECT_EQ(c.smtp.listen_mx[1].address, "::1");
  EXPECT_EQ(c.smtp.listen_mx[1].to_string(), "[::1]:2526");
  EXPECT_EQ(c.smtp.listen_mx[2].address, "0.0.0.0");
  EXPECT_EQ(c.auth.failure_delay_base, std::chrono::milliseconds(250));
  EXPECT_TRUE(c.is_our_domain("example.org"));
  EXPECT_TRUE(c.is_our_domain("EXAMPLE.org"));
  EXPECT_EQ(c.dns.upstreams.at(0).port, 5353);
}

TEST(Config, MissingFileIsAnError) {
  try {
    load_file("/nonexistent/postern.toml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/postern.toml: cannot read: No such file or directory");
  }
}
