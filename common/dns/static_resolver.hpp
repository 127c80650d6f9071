// StaticResolver: an in-memory zone behind the Resolver interface, for unit
// tests of code that does DNS (SPF, DKIM, DMARC, MX routing) without a network.
// Trust boundary: none; the zone is written by the test itself.
// Semantics of a real recursive resolver (RFC 1034 section 3.6.2, RFC 2308):
// unknown names give NXDOMAIN, known names without the type give NODATA,
// CNAMEs are followed (a chain or loop longer than 8 gives temperror), and a
// name marked as timing out gives temperror for every type it has no records of.
#pragma once

#include "common/dns/names.hpp"
#include "common/dns/resolver.hpp"

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postern::dns {

class StaticResolver : public Resolver {
 public:
  void add_a(std::string_view name, std::string_view address);
  void add_aaaa(std::string_view name, std::string_view address);
  void add_mx(std::string_view name, uint16_t preference, std::string_view host);
  // One TXT record made of one or several character-strings.
  void add_txt(std::string_view name, std::vector<std::string> strings);
  void add_txt(std::string_view name, std::string_view text);
  void add_ptr(std::string_view name, std::string_view target);
  void add_cname(std::string_view name, std::string_view target);
  void add_ns(std::string_view name, std::string_view target);
  void add_tlsa(std::string_view name, TlsaRecord record);
  // Every query for a type this name has no records of times out (temperror).
  void set_timeout(std::string_view name);
  // Queries for this name and type time out.
  void set_timeout(std::string_view name, RType type);
  // Marks a name as existing (so other types give NODATA, not NXDOMAIN).
  void add_name(std::string_view name);
  void set_ttl(uint32_t ttl) { ttl_ = ttl; }

  awaitable<Answer> query(std::string name, RType type) override;
  // Synchronous form of query(), used by the coroutine and by tests.
  Answer lookup(std::string_view name, RType type) const;

  // Every query seen, in order (lowercased name, type): lets tests assert
  // what was (and was not) looked up, e.g. SPF's lookup limits.
  const std::vector<std::pair<std::string, RType>>& queries() const { return queries_; }
  void clear_queries() { queries_.clear(); }

 private:
  struct Node {
    std::vector<std::vector<std::string>> txt;
    std::vector<std::string> a, aaaa, ptr, ns;
    std::vector<MxRecord> mx;
    std::vector<TlsaRecord> tlsa;
    std::string cname;
    bool timeout_all = false;
    std::set<RType> timeout_types;
  };
  Node& node(std::string_view name);
  static bool fill(const Node& n, RType type, Answer& out);

  std::map<std::string, Node> zone_;
  std::vector<std::pair<std::string, RType>> queries_;
  uint32_t ttl_ = 300;
};

}  // namespace postern::dns
