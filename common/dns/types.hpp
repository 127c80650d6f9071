// The data of DNS answers, shared by every resolver and every user of DNS:
// record types, the status that keeps temporary failures apart from NXDOMAIN
// and NODATA (RFC 2308), and the decoded records. Plain types, no I/O, no
// Asio (so pure parsers and fuzz targets can use them).
// Trust boundary: an Answer holds network data; its producers bound it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace postern::dns {

enum class RType : uint16_t { A = 1, NS = 2, CNAME = 5, PTR = 12, MX = 15, TXT = 16, AAAA = 28, TLSA = 52 };

enum class Status {
  ok,         // records present
  nxdomain,   // the name does not exist
  nodata,     // the name exists, no records of this type
  temperror,  // timeout, SERVFAIL, network trouble: try again later
  permerror,  // a malformed name or answer
};

struct MxRecord {
  uint16_t preference = 0;
  std::string host;  // lowercase, no trailing dot; "" for a null MX (RFC 7505)
};

struct TlsaRecord {
  uint8_t usage = 0, selector = 0, matching_type = 0;
  std::string data;  // raw bytes
};

struct Answer {
  Status status = Status::temperror;
  bool secure = false;  // DNSSEC validated (AD)
  bool bogus = false;   // DNSSEC validation failed
  uint32_t ttl = 0;
  std::vector<std::string> txt;    // TXT: each record's character-strings concatenated
  std::vector<std::string> addrs;  // A/AAAA: textual addresses
  std::vector<MxRecord> mx;        // MX, in answer order
  std::vector<std::string> names;  // PTR/NS/CNAME targets: lowercase, no trailing dot
  std::vector<TlsaRecord> tlsa;
  std::string error;               // human-readable reason for temperror/permerror
};

}  // namespace postern::dns
