// `postern dkim keygen` and `postern dkim record`.
// Trust boundary: the administrator's command line; the private key is
// written with mode 0600 and never over an existing file.
// RFC 6376 3.6.1 and 3.6.2.2 (the TXT record, strings of <= 255 octets),
// RFC 8463 4.2 (ed25519 keys), RFC 8301 3.2 (RSA key sizes).
#include "admin/cmd_dkim.hpp"

#include "mailauth/dkim/crypto.hpp"
#include "mailauth/dkim/keygen.hpp"
#include "mailauth/dkim/signature.hpp"

#include "common/util/strings.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>

namespace postern::admin {

namespace {

struct KeygenOptions {
  std::string domain, selector, type = "rsa", out;
  int bits = 2048;
};

struct RecordOptions {
  std::string domain, selector, key;
};

void check_names(const std::string& domain, const std::string& selector) {
  if (!dkim::valid_domain(domain)) throw CLI::ValidationError("--domain", "not a domain name: " + domain);
  if (!dkim::valid_domain(selector, true))
    throw CLI::ValidationError("--selector", "not a valid selector: " + selector);
}

void print_config_hint(const std::string& domain, const std::string& selector, dkim::KeyType t,
                       const std::string& path) {
  std::cerr << "# add to /etc/postern/postern.toml:\n"
            << "[[mailauth.dkim_keys]]\n"
            << "domain = \"" << domain << "\"\n"
            << "selector = \"" << selector << "\"\n"
            << "algorithm = \"" << (t == dkim::KeyType::rsa ? "rsa-sha256" : "ed25519-sha256") << "\"\n"
            << "key_file = \"" << path << "\"\n";
}

void run_keygen(const KeygenOptions& o) {
  std::string domain = util::to_lower(o.domain);
  check_names(domain, o.selector);
  dkim::KeyType t = o.type == "ed25519" ? dkim::KeyType::ed25519 : dkim::KeyType::rsa;
  std::string out = o.out.empty() ? domain + "." + o.selector + ".pem" : o.out;
  if (std::filesystem::exists(std::filesystem::symlink_status(out))) {
    std::cerr << "postern dkim keygen: " << out << " already exists; not overwriting a key\n";
    throw CLI::RuntimeError(1);
  }
  dkim::Pkey key = dkim::generate_key(t, o.bits);
  try {
    dkim::write_private_key_file(out, dkim::private_key_pem(key.get()));
  } catch (const std::exception& e) {
    std::cerr << "postern dkim keygen: " << e.what() << "\n";
    throw CLI::RuntimeError(1);
  }
  std::string abs = std::filesystem::absolute(out).string();
  std::cerr << "wrote the private key to " << abs << " (mode 0600); publish this record:\n";
  std::cout << dkim::zone_record(domain, o.selector, dkim::key_record_text(key.get())) << std::endl;
  print_config_hint(domain, o.selector, t, abs);
}

void run_record(const RecordOptions& o) {
  std::string domain = util::to_lower(o.domain);
  check_names(domain, o.selector);
  try {
    dkim::Pkey key = dkim::load_private_key_file(o.key);
    std::cout << dkim::zone_record(domain, o.selector, dkim::key_record_text(key.get())) << "\n";
  } catch (const std::exception& e) {
    std::cerr << "postern dkim record: " << e.what() << "\n";
    throw CLI::RuntimeError(1);
  }
}

}  // namespace

void add_dkim_commands(CLI::App& app) {
  CLI::App* dkim = app.add_subcommand("dkim", "DKIM signing keys and their DNS records");
  dkim->require_subcommand(1);

  auto kg = std::make_shared<KeygenOptions>();
  CLI::App* keygen = dkim->add_subcommand(
      "keygen", "Generate a signing key (mode 0600) and print the DNS TXT record to publish");
  keygen->add_option("--domain", kg->domain, "Signing domain (d=), e.g. example.org")->required();
  keygen->add_option("--selector", kg->selector, "Selector (s=), e.g. 2026a")->required();
  keygen->add_option("--type", kg->type, "Key type")->check(CLI::IsMember({"rsa", "ed25519"}))->capture_default_str();
  keygen->add_option("--bits", kg->bits, "RSA key size")->check(CLI::Range(1024, 8192))->capture_default_str();
  keygen->add_option("--out", kg->out, "Private key file to create (default: <domain>.<selector>.pem)");
  keygen->callback([kg] { run_keygen(*kg); });

  auto rec = std::make_shared<RecordOptions>();
  CLI::App* record = dkim->add_subcommand("record", "Print the DNS TXT record for an existing private key");
  record->add_option("--domain", rec->domain, "Signing domain (d=)")->required();
  record->add_option("--selector", rec->selector, "Selector (s=)")->required();
  record->add_option("--key", rec->key, "Private key file (PEM)")->required();
  record->callback([rec] { run_record(*rec); });
}

}  // namespace postern::admin
