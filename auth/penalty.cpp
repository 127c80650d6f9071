// Failure penalties (see penalty.hpp).
// Trust boundary: bounded tables keyed by network-supplied strings.
#include "auth/penalty.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <iterator>

#include "common/util/strings.hpp"

namespace postern::auth {

std::chrono::milliseconds Penalties::delay_for(unsigned n, const PenaltyPolicy& p) {
  if (n == 0 || p.base.count() <= 0) return std::chrono::milliseconds(0);
  auto d = p.base;
  for (unsigned i = 1; i < n && d < p.max; ++i) d *= 2;
  return d < p.max ? d : p.max;
}

std::string Penalties::address_key(std::string_view remote_ip) {
  std::string s(remote_ip);
  unsigned char b[16];
  if (inet_pton(AF_INET6, s.c_str(), b) == 1) {
    // IPv4-mapped addresses count as the IPv4 address.
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(mapped, mapped + 12, b)) {
      char v4[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, b + 12, v4, sizeof v4);
      return v4;
    }
    char out[64];
    std::snprintf(out, sizeof out, "%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", b[0], b[1], b[2], b[3], b[4],
                  b[5], b[6], b[7]);
    return out;
  }
  return s;
}

unsigned Penalties::effective(const Entry& e, Clock::time_point now) const {
  if (policy_.decay.count() <= 0 || now <= e.last) return e.count;
  auto periods = (now - e.last) / policy_.decay;
  if (periods >= static_cast<decltype(periods)>(e.count)) return 0;
  return e.count - static_cast<unsigned>(periods);
}

unsigned Penalties::lookup(const Table& t, const std::string& key, Clock::time_point now) const {
  auto it = t.find(key);
  return it == t.end() ? 0 : effective(it->second, now);
}

void Penalties::prune(Table& t, Clock::time_point now) {
  if (t.size() < policy_.max_entries) return;
  for (auto it = t.begin(); it != t.end();)
    it = effective(it->second, now) == 0 ? t.erase(it) : std::next(it);
  // Still full (a wide attack): forget arbitrary entries down to 3/4.
  for (auto it = t.begin(); it != t.end() && t.size() > policy_.max_entries * 3 / 4;) it = t.erase(it);
}

unsigned Penalties::bump(Table& t, const std::string& key, Clock::time_point now) {
  auto it = t.find(key);
  if (it == t.end()) {
    prune(t, now);
    it = t.emplace(key, Entry{}).first;
  }
  Entry& e = it->second;
  unsigned n = effective(e, now);
  if (n < 1000) ++n;
  e.count = n;
  e.last = now;
  return n;
}

std::chrono::milliseconds Penalties::record_failure(std::string_view remote_ip, std::string_view user,
                                                    Clock::time_point now) {
  unsigned a = bump(by_addr_, address_key(remote_ip), now);
  unsigned u = user.empty() ? 0 : bump(by_user_, util::to_lower(user), now);
  return delay_for(a > u ? a : u, policy_);
}

unsigned Penalties::failures_for_address(std::string_view remote_ip, Clock::time_point now) const {
  return lookup(by_addr_, address_key(remote_ip), now);
}

unsigned Penalties::failures_for_user(std::string_view user, Clock::time_point now) const {
  return lookup(by_user_, util::to_lower(user), now);
}

}  // namespace postern::auth
