// UnboundResolver: the real Resolver, on libunbound, driven by the Asio event
// loop without any blocking call: queries go out with ub_resolve_async(), the
// context's file descriptor is watched with stream_descriptor::async_wait()
// and drained with ub_process(); each query completes when its callback runs
// or its timer fires (then ub_cancel()). A bounded TTL cache sits in front.
// Trust boundary: answers come from the network (the configured upstreams or
// the system resolvers); rdata is decoded by the bounds-checked code in
// wire.hpp; DNSSEC validation (RFC 4033-4035) is done by libunbound when a
// trust anchor file is configured, and its verdict is reported per answer.
// Threading: use from one thread (the io_context's); not thread-safe.
#pragma once

#include "common/config/config.hpp"
#include "common/dns/resolver.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace postern::dns {

struct UnboundOptions {
  // "address@port" or "address" (port 53); empty = the system's resolvers
  // from resolv_conf.
  std::vector<std::string> upstreams;
  std::string resolv_conf = "/etc/resolv.conf";
  // DNSSEC trust anchor (DS/DNSKEY lines, e.g. /usr/share/dns/root.key);
  // ignored when empty or missing (answers are then never "secure").
  std::string trust_anchor_file;
  std::chrono::milliseconds timeout{10000};  // per query; then temperror
  size_t cache_entries = 10000;              // 0 disables the cache

  // From the [dns] section of the configuration.
  static UnboundOptions from_config(const config::DnsConfig& dns);
};

class UnboundResolver : public Resolver {
 public:
  // Throws std::runtime_error when libunbound rejects the setup (bad
  // upstream address, unreadable trust anchor, ...).
  UnboundResolver(asio::any_io_executor executor, UnboundOptions options);
  ~UnboundResolver() override;
  UnboundResolver(const UnboundResolver&) = delete;
  UnboundResolver& operator=(const UnboundResolver&) = delete;

  awaitable<Answer> query(std::string name, RType type) override;

  // For tests and statistics.
  size_t cache_size() const;
  size_t network_queries() const;  // queries handed to libunbound
  bool validating() const;         // a trust anchor was loaded

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace postern::dns
