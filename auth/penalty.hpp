// Brute-force penalties: a failed authentication is answered after a delay
// that doubles with each recent failure from the same remote network and for
// the same user name, up to a cap; counts decay by one per decay interval
// without failures. Successes are never delayed. Pure arithmetic over
// explicit time points (the server waits with an asio timer).
// Trust boundary: keys (addresses, user names) come from the network via
// smtpd/imapd; the tables are bounded.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

namespace postern::auth {

struct PenaltyPolicy {
  std::chrono::milliseconds base{500};
  std::chrono::milliseconds max{15000};
  std::chrono::seconds decay{300};  // one failure forgotten per interval
  size_t max_entries = 65536;       // per table
};

class Penalties {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Penalties(PenaltyPolicy p = {}) : policy_(p) {}
  void set_policy(const PenaltyPolicy& p) { policy_ = p; }
  const PenaltyPolicy& policy() const { return policy_; }

  // Records one failure and returns how long to wait before answering it:
  // base * 2^(n-1) where n is the larger of the two recent-failure counts
  // (this failure included), capped at policy.max.
  std::chrono::milliseconds record_failure(std::string_view remote_ip, std::string_view user,
                                           Clock::time_point now);
  unsigned failures_for_address(std::string_view remote_ip, Clock::time_point now) const;
  unsigned failures_for_user(std::string_view user, Clock::time_point now) const;
  size_t size() const { return by_addr_.size() + by_user_.size(); }

  // The delay for the n-th recent failure (n >= 1); 0 for n == 0.
  static std::chrono::milliseconds delay_for(unsigned n, const PenaltyPolicy& p);
  // IPv4 addresses count individually, IPv6 by /64 (one subscriber's
  // network); "-" and unparsable strings are their own key.
  static std::string address_key(std::string_view remote_ip);

 private:
  struct Entry {
    unsigned count = 0;
    Clock::time_point last;
  };
  using Table = std::unordered_map<std::string, Entry>;
  unsigned effective(const Entry& e, Clock::time_point now) const;
  unsigned bump(Table& t, const std::string& key, Clock::time_point now);
  void prune(Table& t, Clock::time_point now);
  unsigned lookup(const Table& t, const std::string& key, Clock::time_point now) const;

  PenaltyPolicy policy_;
  Table by_addr_;
  Table by_user_;
};

}  // namespace postern::auth
