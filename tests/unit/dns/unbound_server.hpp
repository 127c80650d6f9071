// Test helper: a real DNS server for tests. Starts Debian's unbound
// (/usr/sbin/unbound) on 127.0.0.1 and a free high port in a temporary
// directory, serving a small static zone (test.example, unsigned) and a
// DNSSEC-signed auth zone (secure.example, made by make_signed_zone.py), and
// waits until it answers by polling with a real UDP query. Stopped (SIGTERM)
// and cleaned up by the destructor. Used by the DNS and the SPF tests.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#ifndef POSTERN_UNBOUND_BINARY
#define POSTERN_UNBOUND_BINARY "/usr/sbin/unbound"
#endif

namespace postern::dns::test {

constexpr const char* unbound_binary = POSTERN_UNBOUND_BINARY;  // Debian package unbound

// A free port on 127.0.0.1 for both UDP and TCP (the server binds both).
inline uint16_t free_port() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    int u = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (::bind(u, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
        ::getsockname(u, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
      ::close(u);
      continue;
    }
    int t = ::socket(AF_INET, SOCK_STREAM, 0);
    bool ok = ::bind(t, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
    ::close(t);
    ::close(u);
    if (ok && ntohs(sa.sin_port) > 1024) return ntohs(sa.sin_port);
  }
  return 0;
}

// Sends one DNS query for name/A and waits up to wait_ms for any reply with
// our id: the server's readiness probe.
inline bool probe(uint16_t port, const std::string& name, int wait_ms) {
  std::string q = std::string("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12);
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    q += char(dot - start);
    q += name.substr(start, dot - start);
    start = dot + 1;
  }
  q += std::string("\x00\x00\x01\x00\x01", 5);
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::sendto(fd, q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  pollfd p{fd, POLLIN, 0};
  bool ok = false;
  if (::poll(&p, 1, wait_ms) == 1) {
    unsigned char buf[512];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    ok = n >= 12 && buf[0] == 0x12 && buf[1] == 0x34 && (buf[3] & 0x0f) == 0;
  }
  ::close(fd);
  return ok;
}

class UnboundServer {
 public:
  bool start(std::string& error) {
    char tmpl[] = "/tmp/postern-dns-test-XXXXXX";
    if (!::mkdtemp(tmpl)) return error = "mkdtemp failed", false;
    dir_ = tmpl;
    for (int attempt = 0; attempt < 3 && pid_ <= 0; ++attempt) {
      port_ = free_port();
      if (!port_) return error = "no free port", false;
      // A DNSSEC-signed zone (fresh Ed25519 key) made by dnspython.
      std::string cmd = "/usr/bin/python3 " POSTERN_SOURCE_DIR "/tests/unit/dns/make_signed_zone.py " + dir_;
      signed_zone_ = std::system(cmd.c_str()) == 0;
      write_config();
      pid_ = ::fork();
      if (pid_ == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive a crashed test
        std::string log = dir_ + "/unbound.log";
        FILE* f = std::freopen(log.c_str(), "w", stderr);
        (void)f;
        ::dup2(2, 1);
        std::string conf = dir_ + "/unbound.conf";
        ::execl(unbound_binary, unbound_binary, "-d", "-c", conf.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
      }
      // Readiness: poll with a real query (each probe waits up to 100 ms);
      // stop early if the server died (e.g. the port was taken meanwhile).
      for (int i = 0; i < 300; ++i) {
        if (probe(port_, "ready.test.example", 100)) return true;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = 0;
          break;
        }
      }
      stop_process();
    }
    std::ifstream log(dir_ + "/unbound.log");
    std::stringstream ss;
    ss << log.rdbuf();
    error = "unbound did not start: " + ss.str();
    return false;
  }
  ~UnboundServer() {
    stop_process();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  uint16_t port() const { return port_; }
  const std::string& dir() const { return dir_; }
  bool signed_zone() const { return signed_zone_; }

 private:
  void stop_process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    pid_ = 0;
  }
  void write_config() {
    std::ofstream c(dir_ + "/unbound.conf");
    c << "server:\n"
         "  interface: 127.0.0.1\n"
         "  port: " << port_ << "\n"
         "  do-ip6: no\n"
         "  do-daemonize: no\n"
         "  username: \"\"\n"
         "  chroot: \"\"\n"
         "  directory: \"" << dir_ << "\"\n"
         "  pidfile: \"" << dir_ << "/unbound.pid\"\n"
         "  use-syslog: no\n"
         "  logfile: \"\"\n"
         "  verbosity: 1\n"
         "  num-threads: 1\n"
         "  access-control: 127.0.0.0/8 allow\n"
         "  module-config: \"iterator\"\n"
         "  local-zone: \"test.example.\" static\n"
         "  local-data: \"test.example. 300 IN SOA ns.test.example. hostmaster.test.example. 1 3600 600 86400 60\"\n"
         "  local-data: \"ready.test.example. 300 IN A 127.0.0.1\"\n"
         "  local-data: \"www.test.example. 300 IN A 192.0.2.10\"\n"
         "  local-data: \"www.test.example. 300 IN A 192.0.2.11\"\n"
         "  local-data: \"www.test.example. 300 IN AAAA 2001:db8::10\"\n"
         "  local-data: \"test.example. 300 IN MX 10 mx1.test.example.\"\n"
         "  local-data: \"test.example. 300 IN MX 20 MX2.Test.Example.\"\n"
         "  local-data: 'test.example. 300 IN TXT \"v=spf1 ip4:192.0.2.0/24\" \" -all\"'\n"
         "  local-data: 'test.example. 300 IN TXT \"hello world\"'\n"
         "  local-data: \"nullmx.test.example. 300 IN MX 0 .\"\n"
         "  local-data: \"mx1.test.example. 300 IN A 192.0.2.25\"\n"
         // SPF policies for the SPF-over-real-DNS tests.
         "  local-data: 'spf.test.example. 300 IN TXT \"v=spf1 mx:test.example a:www.test.example\" "
         "\" include:inc.test.example exists:%{ir}.allow.test.example -all\"'\n"
         "  local-data: 'inc.test.example. 300 IN TXT \"v=spf1 ip6:2001:db8:1::/48 -all\"'\n"
         "  local-data: \"7.100.51.198.allow.test.example. 300 IN A 127.0.0.2\"\n"
         "  local-data: 'spf2.test.example. 300 IN TXT \"v=spf1 -all\"'\n"
         "  local-data: 'spf2.test.example. 300 IN TXT \"v=spf1 +all\"'\n"
         "  local-data: \"_25._tcp.mx1.test.example. 300 IN TLSA 3 1 1 "
         "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"\n"
         // Not a documentation range: libunbound itself answers NXDOMAIN for
         // the reverse zones of RFC 5737 / RFC 1918 networks (its default local zones).
         "  local-zone: \"0.0.11.in-addr.arpa.\" static\n"
         "  local-data-ptr: \"11.0.0.17 www.test.example.\"\n"
         "auth-zone:\n"
         "  name: \"secure.example.\"\n"
         "  zonefile: \"" << dir_ << "/secure.example.zone\"\n"
         "  for-downstream: yes\n"
         "  for-upstream: no\n"
         "remote-control:\n"
         "  control-enable: no\n";
  }

  std::string dir_;
  uint16_t port_ = 0;
  pid_t pid_ = 0;
  bool signed_zone_ = false;
};


// A UDP socket on 127.0.0.1 that never answers: an upstream that times out.
class SilentUdpPort {
 public:
  SilentUdpPort() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 &&
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len) == 0)
      port_ = ntohs(sa.sin_port);
  }
  ~SilentUdpPort() { ::close(fd_); }
  SilentUdpPort(const SilentUdpPort&) = delete;
  SilentUdpPort& operator=(const SilentUdpPort&) = delete;
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

}  // namespace postern::dns::test
