// Bounded TTL + LRU cache of DNS answers (see cache.hpp). RFC 1035 3.2.1,
// RFC 2308 section 5 (negative answers cached for at most a few minutes).
// Trust boundary: network TTLs are capped.
#include "common/dns/cache.hpp"

#include <algorithm>

namespace postern::dns {

AnswerCache::Key AnswerCache::key(const std::string& name, RType type) {
  return std::to_string(static_cast<int>(type)) + "/" + name;
}

std::optional<Answer> AnswerCache::get(const std::string& name, RType type, Clock::time_point now) {
  auto it = map_.find(key(name, type));
  if (it == map_.end()) return std::nullopt;
  if (now >= it->second.expires) {
    lru_.erase(it->second.lru);
    map_.erase(it);
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  Answer a = it->second.answer;
  a.ttl = uint32_t(std::chrono::duration_cast<std::chrono::seconds>(it->second.expires - now).count());
  return a;
}

void AnswerCache::put(const std::string& name, RType type, const Answer& answer, Clock::time_point now) {
  if (capacity_ == 0) return;
  if (answer.status != Status::ok && answer.status != Status::nxdomain && answer.status != Status::nodata) return;
  if (answer.bogus || answer.ttl == 0) return;
  auto cap = answer.status == Status::ok ? max_ttl_ : negative_ttl_;
  auto ttl = std::min<std::chrono::seconds>(std::chrono::seconds(answer.ttl), cap);
  Key k = key(name, type);
  if (auto it = map_.find(k); it != map_.end()) {
    lru_.erase(it->second.lru);
    map_.erase(it);
  }
  while (map_.size() >= capacity_ && !lru_.empty()) {
    map_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(k);
  map_.emplace(std::move(k), Entry{answer, now + ttl, lru_.begin()});
}

void AnswerCache::clear() {
  map_.clear();
  lru_.clear();
}

}  // namespace postern::dns
