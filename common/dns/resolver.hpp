// DNS lookups for mail: the abstract Resolver every user of DNS codes
// against (SPF, DKIM, DMARC, MX routing, DANE), with a result type that keeps
// temporary failures apart from "does not exist" (NXDOMAIN) and "no records
// of that type" (NODATA), and carries the DNSSEC state.
// The real implementation is on libunbound (unbound_resolver.hpp); unit tests
// of pure logic use StaticResolver (static_resolver.hpp).
#pragma once

#include <asio.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace postern::dns {

using asio::awaitable;

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

class Resolver {
 public:
  virtual ~Resolver() = default;
  // name: a domain name (with or without trailing dot). Never throws for DNS
  // failures; they are reported in Answer::status.
  virtual awaitable<Answer> query(std::string name, RType type) = 0;
};

}  // namespace postern::dns
