// DNS lookups for mail: the abstract Resolver every user of DNS codes
// against (SPF, DKIM, DMARC, MX routing, DANE), with a result type that keeps
// temporary failures apart from "does not exist" (NXDOMAIN) and "no records
// of that type" (NODATA), and carries the DNSSEC state.
// The real implementation is on libunbound (unbound_resolver.hpp); unit tests
// of pure logic use StaticResolver (static_resolver.hpp). The answer types
// themselves live in types.hpp (no Asio), included here.
#pragma once

#include "common/dns/types.hpp"

#include <asio.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace postern::dns {

using asio::awaitable;

class Resolver {
 public:
  virtual ~Resolver() = default;
  // name: a domain name (with or without trailing dot). Never throws for DNS
  // failures; they are reported in Answer::status.
  virtual awaitable<Answer> query(std::string name, RType type) = 0;
};

}  // namespace postern::dns
