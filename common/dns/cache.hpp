// A bounded cache of DNS answers in front of the network resolver: entries
// expire after their TTL (capped), the least recently used entry goes first
// when the cache is full. Temporary failures are never cached.
// Trust boundary: holds answers from the network; a TTL from the network is
// capped so a hostile server cannot pin an entry forever.
// RFC 1035 section 3.2.1 (TTL), RFC 2308 section 5 (negative caching).
#pragma once

#include "common/dns/resolver.hpp"

#include <chrono>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace postern::dns {

class AnswerCache {
 public:
  using Clock = std::chrono::steady_clock;
  explicit AnswerCache(size_t capacity, std::chrono::seconds max_ttl = std::chrono::hours(24),
                       std::chrono::seconds negative_ttl = std::chrono::minutes(5))
      : capacity_(capacity), max_ttl_(max_ttl), negative_ttl_(negative_ttl) {}

  // The answer if present and not expired; its ttl is the time left.
  std::optional<Answer> get(const std::string& name, RType type, Clock::time_point now);
  // Stores ok / nxdomain / nodata answers with a TTL > 0; ignores the rest.
  void put(const std::string& name, RType type, const Answer& answer, Clock::time_point now);
  size_t size() const { return map_.size(); }
  void clear();

 private:
  using Key = std::string;  // "<type>/<name>"
  struct Entry {
    Answer answer;
    Clock::time_point expires;
    std::list<Key>::iterator lru;
  };
  static Key key(const std::string& name, RType type);

  size_t capacity_;
  std::chrono::seconds max_ttl_, negative_ttl_;
  std::list<Key> lru_;  // front = most recently used
  std::unordered_map<Key, Entry> map_;
};

}  // namespace postern::dns
