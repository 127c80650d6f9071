// DNS rdata decoding (see wire.hpp). RFC 1035 sections 3.3 and 5.1,
// RFC 3596 section 2.2, RFC 6698 section 2.1, RFC 7505 (null MX).
// Trust boundary: network bytes; bounds-checked throughout.
#include "common/dns/wire.hpp"

#include <arpa/inet.h>

namespace postern::dns::wire {

namespace {

// Reads an uncompressed name starting at pos; advances pos past it.
std::optional<std::string> read_name(Bytes b, size_t& pos) {
  std::string out;
  size_t total = 0;
  while (true) {
    if (pos >= b.size()) return std::nullopt;
    uint8_t len = b[pos++];
    if (len == 0) break;
    if (len > 63) return std::nullopt;  // compression pointer or reserved label type
    if (pos + len > b.size()) return std::nullopt;
    total += len + 1u;
    if (total > 255) return std::nullopt;  // RFC 1035 2.3.4
    if (!out.empty()) out += '.';
    for (size_t i = 0; i < len; ++i) {
      uint8_t c = b[pos + i];
      if (c >= 'A' && c <= 'Z') c = uint8_t(c - 'A' + 'a');
      if (c > 0x20 && c < 0x7f && c != '.' && c != '\\') {
        out += char(c);
      } else {
        char buf[5];
        buf[0] = '\\';
        buf[1] = char('0' + c / 100);
        buf[2] = char('0' + (c / 10) % 10);
        buf[3] = char('0' + c % 10);
        buf[4] = 0;
        out += buf;
      }
    }
    pos += len;
  }
  return out;
}

}  // namespace

std::optional<std::string> parse_a(Bytes rdata) {
  if (rdata.size() != 4) return std::nullopt;
  char buf[INET_ADDRSTRLEN];
  if (!inet_ntop(AF_INET, rdata.data(), buf, sizeof buf)) return std::nullopt;
  return std::string(buf);
}

std::optional<std::string> parse_aaaa(Bytes rdata) {
  if (rdata.size() != 16) return std::nullopt;
  char buf[INET6_ADDRSTRLEN];
  if (!inet_ntop(AF_INET6, rdata.data(), buf, sizeof buf)) return std::nullopt;
  return std::string(buf);
}

std::optional<std::string> parse_txt(Bytes rdata) {
  std::string out;
  size_t pos = 0;
  while (pos < rdata.size()) {
    uint8_t len = rdata[pos++];
    if (pos + len > rdata.size()) return std::nullopt;
    out.append(reinterpret_cast<const char*>(rdata.data() + pos), len);
    pos += len;
  }
  return out;
}

std::optional<std::string> parse_name_rdata(Bytes rdata) {
  size_t pos = 0;
  auto name = read_name(rdata, pos);
  if (!name || pos != rdata.size()) return std::nullopt;
  return name;
}

std::optional<MxRecord> parse_mx(Bytes rdata) {
  if (rdata.size() < 3) return std::nullopt;
  MxRecord mx;
  mx.preference = uint16_t(rdata[0] << 8 | rdata[1]);
  size_t pos = 2;
  auto host = read_name(rdata, pos);
  if (!host || pos != rdata.size()) return std::nullopt;
  mx.host = std::move(*host);
  return mx;
}

std::optional<TlsaRecord> parse_tlsa(Bytes rdata) {
  if (rdata.size() < 3) return std::nullopt;
  TlsaRecord t;
  t.usage = rdata[0];
  t.selector = rdata[1];
  t.matching_type = rdata[2];
  t.data.assign(reinterpret_cast<const char*>(rdata.data() + 3), rdata.size() - 3);
  return t;
}

bool add_rdata(Answer& a, RType type, Bytes rdata) {
  switch (type) {
    case RType::A:
      if (auto v = parse_a(rdata)) return a.addrs.push_back(*v), true;
      return false;
    case RType::AAAA:
      if (auto v = parse_aaaa(rdata)) return a.addrs.push_back(*v), true;
      return false;
    case RType::TXT:
      if (auto v = parse_txt(rdata)) return a.txt.push_back(*v), true;
      return false;
    case RType::MX:
      if (auto v = parse_mx(rdata)) return a.mx.push_back(*v), true;
      return false;
    case RType::PTR:
    case RType::NS:
    case RType::CNAME:
      if (auto v = parse_name_rdata(rdata)) return a.names.push_back(*v), true;
      return false;
    case RType::TLSA:
      if (auto v = parse_tlsa(rdata)) return a.tlsa.push_back(*v), true;
      return false;
  }
  return false;
}

}  // namespace postern::dns::wire
