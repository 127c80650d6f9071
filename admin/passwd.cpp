// `postern passwd add|hash` (see passwd.hpp). The file format is the one the
// passwd-file backend of postern-authd reads (docs/protocols/auth.md).
#include "admin/passwd.hpp"

#include <crypt.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "common/config/config.hpp"

namespace postern::admin {

std::string hash_password(const std::string& password) {
  char* salt = crypt_gensalt_ra("$y$", 0, nullptr, 0);
  if (!salt) throw std::runtime_error("crypt_gensalt failed");
  crypt_data data{};
  char* h = crypt_r(password.c_str(), salt, &data);
  free(salt);
  if (!h || h[0] == '*') throw std::runtime_error("crypt failed");
  return h;
}

static bool valid_user(const std::string& u) {
  if (u.empty() || u.size() > 64) return false;
  for (char c : u)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
  return true;
}

void passwd_set(const std::string& file, const std::string& user, const std::string& hash, const std::string& home) {
  if (!valid_user(user)) throw std::runtime_error("invalid user name '" + user + "'");
  std::string out;
  {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind(user + ":", 0) == 0) continue;
      out += line + "\n";
    }
  }
  out += user + ":" + hash + (home.empty() ? "" : ":" + home) + "\n";
  std::string tmp = file + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0640);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp);
  bool ok = ::write(fd, out.data(), out.size()) == static_cast<ssize_t>(out.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), file.c_str()) != 0) throw std::runtime_error("cannot write " + file);
}

static std::string read_password() {
  bool tty = isatty(0);
  termios old{};
  if (tty) {
    std::cerr << "Password: " << std::flush;
    tcgetattr(0, &old);
    termios t = old;
    t.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(0, TCSANOW, &t);
  }
  std::string pw;
  std::getline(std::cin, pw);
  if (tty) {
    tcsetattr(0, TCSANOW, &old);
    std::cerr << "\n";
  }
  if (pw.empty()) throw std::runtime_error("empty password");
  return pw;
}

void add_passwd_commands(CLI::App& app, std::string& config_path) {
  auto* pw = app.add_subcommand("passwd", "manage the passwd-file backend");
  pw->require_subcommand(1);
  auto* add = pw->add_subcommand("add", "add or replace a user; the password is read from stdin");
  static std::string user, file, home;
  add->add_option("user", user, "user name")->required();
  add->add_option("--file", file, "passwd file (default: auth.passwd_file from the configuration)");
  add->add_option("--home", home, "mail directory (default: <store root>/<user>)");
  add->callback([&config_path] {
    try {
      std::string f = file;
      if (f.empty()) f = config::load_file(config_path).auth.passwd_file;
      passwd_set(f, user, hash_password(read_password()), home);
      std::cout << "user " << user << " set in " << f << "\n";
    } catch (const std::exception& e) {
      std::cerr << "postern passwd add: " << e.what() << "\n";
      throw CLI::RuntimeError(1);
    }
  });
  pw->add_subcommand("hash", "print a yescrypt hash of the password read from stdin")->callback([] {
    try {
      std::cout << hash_password(read_password()) << "\n";
    } catch (const std::exception& e) {
      std::cerr << "postern passwd hash: " << e.what() << "\n";
      throw CLI::RuntimeError(1);
    }
  });
}

}  // namespace postern::admin
