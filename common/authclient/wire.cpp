// authd protocol, client side (see wire.hpp). SASL payloads are RFC 4648
// base64 with "=" for empty, as in RFC 4954 section 4.
// Trust boundary: replies from authd are parsed strictly.
#include "common/authclient/wire.hpp"

#include <arpa/inet.h>

#include <vector>

#include "common/util/strings.hpp"

namespace postern::authclient::wire {
namespace {

bool token(std::string_view s, size_t max, bool upper) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s) {
    bool ok = (c >= '0' && c <= '9') || c == '-' || c == '_' || (upper ? (c >= 'A' && c <= 'Z') : (c >= 'a' && c <= 'z'));
    if (!ok) return false;
  }
  return true;
}

bool valid_id(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
          c == '_'))
      return false;
  return true;
}

bool is_ip(std::string_view s) {
  if (s.empty() || s.size() > 45) return false;
  std::string z(s);
  unsigned char b[16];
  return inet_pton(AF_INET, z.c_str(), b) == 1 || inet_pton(AF_INET6, z.c_str(), b) == 1;
}

bool valid_b64(std::string_view s) { return !s.empty() && util::base64_decode(s).has_value(); }

bool no_controls(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

}  // namespace

std::string format_version() { return "VERSION\t" + std::to_string(kVersion) + "\n"; }

std::optional<std::string> format_auth(std::string_view id, std::string_view service, std::string_view mechanism,
                                       std::string_view remote_ip, bool secured,
                                       const std::optional<std::string>& initial_b64) {
  if (!valid_id(id) || !token(service, 32, false) || !token(mechanism, 20, true)) return std::nullopt;
  std::string line = "AUTH\t";
  line.append(id).append("\t").append(service).append("\t").append(mechanism).append("\t");
  line.append(is_ip(remote_ip) ? remote_ip : std::string_view("-"));
  line.append(secured ? "\t1" : "\t0");
  if (initial_b64) {
    if (*initial_b64 != "=" && !valid_b64(*initial_b64)) return std::nullopt;
    line.append("\t").append(*initial_b64);
  }
  line += '\n';
  if (line.size() > kMaxLine) return std::nullopt;
  return line;
}

std::optional<std::string> format_cont(std::string_view id, std::string_view response_b64) {
  if (!valid_id(id)) return std::nullopt;
  std::string_view r = response_b64.empty() ? std::string_view("=") : response_b64;
  if (r != "=" && r != "*" && !valid_b64(r)) return std::nullopt;
  std::string line = "CONT\t";
  line.append(id).append("\t").append(r).append("\n");
  if (line.size() > kMaxLine) return std::nullopt;
  return line;
}

std::optional<std::string> format_lookup(std::string_view id, std::string_view name) {
  if (!valid_id(id) || name.empty() || name.size() > 320) return std::nullopt;
  for (unsigned char c : name)
    if (c <= 0x20 || c == 0x7f) return std::nullopt;
  std::string line = "LOOKUP\t";
  line.append(id).append("\t").append(name).append("\n");
  return line;
}

std::optional<Reply> parse_reply(std::string_view line) {
  if (line.size() + 1 > kMaxLine) return std::nullopt;
  for (unsigned char c : line)
    if (c == '\r' || c == '\n' || c == 0) return std::nullopt;
  auto f = util::split(line, '\t');
  for (auto& x : f)
    if (x.empty()) return std::nullopt;
  Reply r;
  std::string_view verb = f[0];
  if (verb == "VERSION") {
    if (f.size() < 2 || f[1].size() > 3) return std::nullopt;  // later versions may add fields
    for (char c : f[1]) {
      if (c < '0' || c > '9') return std::nullopt;
      r.version = r.version * 10 + (c - '0');
    }
    r.kind = Reply::Kind::version;
    return r;
  }
  if (f.size() < 2 || !valid_id(f[1])) return std::nullopt;
  r.id = f[1];
  if (verb == "OK" || verb == "USER") {
    r.kind = verb == "OK" ? Reply::Kind::ok : Reply::Kind::user;
    for (size_t i = 2; i < f.size(); ++i) {  // key=value; unknown keys are for later versions
      size_t eq = f[i].find('=');
      if (eq == std::string_view::npos || eq == 0) return std::nullopt;
      auto key = f[i].substr(0, eq);
      auto val = f[i].substr(eq + 1);
      if (key == "user") r.user = val;
      if (key == "home") r.home = val;
    }
    if (r.user.empty()) return std::nullopt;
    return r;
  }
  if (verb == "FAIL") {
    if (f.size() != 4) return std::nullopt;
    if (f[2] == "temp")
      r.kind = Reply::Kind::fail_temp;
    else if (f[2] == "auth")
      r.kind = Reply::Kind::fail_auth;
    else
      return std::nullopt;
    if (!no_controls(f[3])) return std::nullopt;
    r.reason = f[3];
    return r;
  }
  if (verb == "CONT") {
    if (f.size() != 3) return std::nullopt;
    if (f[2] != "=" && !valid_b64(f[2])) return std::nullopt;
    r.kind = Reply::Kind::cont;
    r.challenge = f[2] == "=" ? std::string() : std::string(f[2]);
    return r;
  }
  if (verb == "NOTFOUND") {
    if (f.size() != 2) return std::nullopt;
    r.kind = Reply::Kind::notfound;
    return r;
  }
  return std::nullopt;
}

}  // namespace postern::authclient::wire
