// DKIM verification of received mail: one result per DKIM-Signature field.
// Trust boundary: the message and the DNS answers are both untrusted; every
// count is bounded (signatures, header fields, tags, record size).
// RFC 6376 6 (verifier actions), 6.1.1 (signature validation), 6.1.2 (key
// retrieval), 6.1.3 (hash and signature checks), 3.5 l= / t= / x=,
// 3.6.1 key records; RFC 8301 (RSA >= 1024 bits, no rsa-sha1); RFC 8463
// (ed25519-sha256); RFC 8601 2.7.1 (result names); RFC 6008 (header.b).
#pragma once

#include "common/dns/resolver.hpp"

#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::dkim {

// RFC 8601 2.7.1 result values for the "dkim" method.
enum class Result { none, pass, fail, policy, neutral, temperror, permerror };
std::string_view to_string(Result r);

struct SignatureResult {
  Result result = Result::permerror;
  std::string reason;      // why it is not a pass (empty on pass)
  std::string domain;      // d= (header.d), lowercase
  std::string selector;    // s= (header.s)
  std::string algorithm;   // a= (header.a) as written
  std::string identity;    // i= (header.i), default "@d"
  std::string header_b;    // first 8 characters of b= (RFC 6008)
  bool testing = false;    // the key record says t=y: treat as unsigned
  std::optional<uint64_t> length;  // l=, when the signature covers only part of the body
};

struct VerifyOptions {
  size_t max_signatures = 10;                    // further signatures are not checked
  std::chrono::seconds clock_skew{300};          // for t= in the future and x= just passed
  std::optional<std::time_t> now;                // default: the current time
  int min_rsa_bits = 1024;                       // RFC 8301 3.2
};

// Verifies every DKIM-Signature field (top to bottom, up to the limit).
// Returns an empty vector for a message without signatures (dkim=none).
// `message` must stay alive until the returned awaitable has started (it is
// parsed and hashed before the first DNS query). Key records are queried
// concurrently (each name once) on the caller's executor, which must not run
// handlers in parallel (one thread, or a strand) - Postern's model.
asio::awaitable<std::vector<SignatureResult>> verify(dns::Resolver& resolver, std::string_view message,
                                                     VerifyOptions options = {});

}  // namespace postern::dkim
