// The authd line protocol, server side (see protocol.hpp and
// docs/protocols/auth.md). SASL payloads are base64 (RFC 4648 section 4);
// "=" stands for an empty payload as in RFC 4954 section 4.
// Trust boundary: parses bytes from local daemons relaying network input.
#include "auth/protocol.hpp"

#include <arpa/inet.h>

#include <string>

#include "common/util/strings.hpp"

namespace postern::auth::protocol {

bool LineBuffer::feed(std::string_view bytes) {
  if (error_) return false;
  // Compact consumed bytes so the buffer never holds more than one line cap
  // of unconsumed data plus what was just read.
  if (pos_ > 0 && pos_ >= buf_.size() / 2) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  buf_.append(bytes);
  // A partial line (no LF yet) longer than the cap is an error now.
  std::string_view rest(buf_.data() + pos_, buf_.size() - pos_);
  size_t lf = rest.find('\n');
  while (lf != std::string_view::npos) {
    if (lf + 1 > kMaxLine) {
      error_ = true;
      return false;
    }
    rest.remove_prefix(lf + 1);
    lf = rest.find('\n');
  }
  if (rest.size() >= kMaxLine) {  // no room left for the LF
    error_ = true;
    return false;
  }
  return true;
}

LineBuffer::Status LineBuffer::next(std::string* line) {
  if (error_) return Status::error;
  std::string_view rest(buf_.data() + pos_, buf_.size() - pos_);
  size_t lf = rest.find('\n');
  if (lf == std::string_view::npos) return Status::need_more;
  if (lf + 1 > kMaxLine) {
    error_ = true;
    return Status::error;
  }
  line->assign(rest.substr(0, lf));
  pos_ += lf + 1;
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  }
  return Status::line;
}

static bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool valid_id(std::string_view s) {
  if (s.empty() || s.size() > kMaxId) return false;
  for (char c : s)
    if (!is_alnum(c) && c != '-' && c != '.' && c != '_') return false;
  return true;
}

bool valid_service(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  return true;
}

// RFC 4422 section 3.1: mechanism names are 1..20 of [A-Z0-9-_].
bool valid_mechanism(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  return true;
}

bool valid_remote_ip(std::string_view s) {
  if (s == "-") return true;
  if (s.empty() || s.size() > 45) return false;
  std::string z(s);
  unsigned char buf[16];
  return inet_pton(AF_INET, z.c_str(), buf) == 1 || inet_pton(AF_INET6, z.c_str(), buf) == 1;
}

// RFC 5321 section 4.5.3.1.3: a path is at most 256 octets; be generous.
bool valid_lookup_name(std::string_view s) {
  if (s.empty() || s.size() > 320) return false;
  for (unsigned char c : s)
    if (c <= 0x20 || c == 0x7f) return false;
  return true;
}

// A SASL payload field: "=" (empty) or non-empty base64 that decodes.
static std::optional<std::string> decode_payload(std::string_view f) {
  if (f == "=") return std::string();
  if (f.empty()) return std::nullopt;
  return util::base64_decode(f);
}

std::variant<Request, ParseError> parse_request(std::string_view line) {
  if (line.size() + 1 > kMaxLine) return ParseError{"line too long"};
  for (unsigned char c : line)
    if (c == '\r' || c == '\n' || c == 0) return ParseError{"control character in line"};
  auto f = util::split(line, '\t');
  for (auto& x : f)
    if (x.empty()) return ParseError{"empty field"};
  const std::string_view verb = f[0];

  if (verb == "VERSION") {
    if (f.size() != 2) return ParseError{"VERSION: wrong field count"};
    if (f[1].size() > 3) return ParseError{"VERSION: bad number"};
    int major = 0;
    for (char c : f[1]) {
      if (c < '0' || c > '9') return ParseError{"VERSION: bad number"};
      major = major * 10 + (c - '0');
    }
    return Request{VersionRequest{major}};
  }
  if (verb == "AUTH") {
    if (f.size() != 6 && f.size() != 7) return ParseError{"AUTH: wrong field count"};
    AuthRequest r;
    if (!valid_id(f[1])) return ParseError{"AUTH: bad id"};
    if (!valid_service(f[2])) return ParseError{"AUTH: bad service"};
    if (!valid_mechanism(f[3])) return ParseError{"AUTH: bad mechanism"};
    if (!valid_remote_ip(f[4])) return ParseError{"AUTH: bad remote address"};
    if (f[5] != "0" && f[5] != "1") return ParseError{"AUTH: bad secured flag"};
    r.id = f[1];
    r.service = f[2];
    r.mechanism = f[3];
    r.remote_ip = f[4];
    r.secured = f[5] == "1";
    if (f.size() == 7) {
      r.initial = decode_payload(f[6]);
      if (!r.initial) return ParseError{"AUTH: bad base64"};
    }
    return Request{std::move(r)};
  }
  if (verb == "CONT") {
    if (f.size() != 3) return ParseError{"CONT: wrong field count"};
    if (!valid_id(f[1])) return ParseError{"CONT: bad id"};
    ContRequest r;
    r.id = f[1];
    if (f[2] == "*") {
      r.cancel = true;
    } else {
      auto d = decode_payload(f[2]);
      if (!d) return ParseError{"CONT: bad base64"};
      r.response = std::move(*d);
    }
    return Request{std::move(r)};
  }
  if (verb == "LOOKUP") {
    if (f.size() != 3) return ParseError{"LOOKUP: wrong field count"};
    if (!valid_id(f[1])) return ParseError{"LOOKUP: bad id"};
    if (!valid_lookup_name(f[2])) return ParseError{"LOOKUP: bad name"};
    return Request{LookupRequest{std::string(f[1]), std::string(f[2])}};
  }
  return ParseError{"unknown verb"};
}

static std::string clean(std::string_view v) {
  std::string s(v);
  for (auto& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return s;
}

std::string format_version() { return "VERSION\t" + std::to_string(kVersion) + "\n"; }

static std::string user_fields(std::string_view user, std::string_view home) {
  std::string s = "\tuser=" + clean(user);
  if (!home.empty()) s += "\thome=" + clean(home);
  return s;
}

std::string format_ok(std::string_view id, std::string_view user, std::string_view home) {
  return "OK\t" + clean(id) + user_fields(user, home) + "\n";
}

std::string format_fail(std::string_view id, FailKind kind, std::string_view reason) {
  std::string r = clean(reason);
  if (r.empty()) r = "failed";
  return "FAIL\t" + clean(id) + (kind == FailKind::temp ? "\ttemp\t" : "\tauth\t") + r + "\n";
}

std::string format_cont(std::string_view id, std::string_view challenge) {
  std::string b = challenge.empty() ? std::string("=") : util::base64_encode(challenge);
  return "CONT\t" + clean(id) + "\t" + b + "\n";
}

std::string format_user(std::string_view id, std::string_view user, std::string_view home) {
  return "USER\t" + clean(id) + user_fields(user, home) + "\n";
}

std::string format_notfound(std::string_view id) { return "NOTFOUND\t" + clean(id) + "\n"; }

}  // namespace postern::auth::protocol
