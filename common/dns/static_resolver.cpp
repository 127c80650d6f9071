// StaticResolver: in-memory zone for tests (see static_resolver.hpp).
// Trust boundary: none (test data). Follows RFC 1034 section 3.6.2 for CNAMEs
// and RFC 2308 for the NXDOMAIN / NODATA distinction.
#include "common/dns/static_resolver.hpp"

namespace postern::dns {

StaticResolver::Node& StaticResolver::node(std::string_view name) { return zone_[normalize_name(name)]; }

void StaticResolver::add_a(std::string_view name, std::string_view address) { node(name).a.emplace_back(address); }
void StaticResolver::add_aaaa(std::string_view name, std::string_view address) {
  node(name).aaaa.emplace_back(address);
}
void StaticResolver::add_mx(std::string_view name, uint16_t preference, std::string_view host) {
  node(name).mx.push_back(MxRecord{preference, normalize_name(host)});
}
void StaticResolver::add_txt(std::string_view name, std::vector<std::string> strings) {
  node(name).txt.push_back(std::move(strings));
}
void StaticResolver::add_txt(std::string_view name, std::string_view text) {
  node(name).txt.push_back({std::string(text)});
}
void StaticResolver::add_ptr(std::string_view name, std::string_view target) {
  node(name).ptr.push_back(normalize_name(target));
}
void StaticResolver::add_cname(std::string_view name, std::string_view target) {
  node(name).cname = normalize_name(target);
}
void StaticResolver::add_ns(std::string_view name, std::string_view target) {
  node(name).ns.push_back(normalize_name(target));
}
void StaticResolver::add_tlsa(std::string_view name, TlsaRecord record) { node(name).tlsa.push_back(std::move(record)); }
void StaticResolver::set_timeout(std::string_view name) { node(name).timeout_all = true; }
void StaticResolver::set_timeout(std::string_view name, RType type) { node(name).timeout_types.insert(type); }
void StaticResolver::add_name(std::string_view name) { node(name); }

bool StaticResolver::fill(const Node& n, RType type, Answer& out) {
  switch (type) {
    case RType::A: out.addrs = n.a; break;
    case RType::AAAA: out.addrs = n.aaaa; break;
    case RType::MX: out.mx = n.mx; break;
    case RType::TXT:
      for (const auto& strings : n.txt) {
        std::string joined;
        for (const auto& s : strings) joined += s;
        out.txt.push_back(std::move(joined));
      }
      break;
    case RType::PTR: out.names = n.ptr; break;
    case RType::NS: out.names = n.ns; break;
    case RType::CNAME:
      if (!n.cname.empty()) out.names = {n.cname};
      break;
    case RType::TLSA: out.tlsa = n.tlsa; break;
  }
  return !out.addrs.empty() || !out.mx.empty() || !out.txt.empty() || !out.names.empty() || !out.tlsa.empty();
}

Answer StaticResolver::lookup(std::string_view name_in, RType type) const {
  Answer out;
  out.ttl = ttl_;
  if (!valid_query_name(name_in)) {
    out.status = Status::permerror;
    out.error = "invalid domain name";
    return out;
  }
  std::string name = normalize_name(name_in);
  // RFC 1034 section 3.6.2: follow CNAMEs for every other type; bound the chain.
  for (int hop = 0; hop <= 8; ++hop) {
    auto it = zone_.find(name);
    if (it == zone_.end()) {
      out.status = Status::nxdomain;
      return out;
    }
    const Node& n = it->second;
    if (n.timeout_types.count(type)) {
      out.status = Status::temperror;
      out.error = "timeout";
      return out;
    }
    if (!n.cname.empty() && type != RType::CNAME) {
      name = n.cname;
      continue;
    }
    if (fill(n, type, out)) {
      out.status = Status::ok;
    } else if (n.timeout_all) {
      out.status = Status::temperror;
      out.error = "timeout";
    } else {
      out.status = Status::nodata;
    }
    return out;
  }
  out.status = Status::temperror;
  out.error = "CNAME chain too long";
  return out;
}

awaitable<Answer> StaticResolver::query(std::string name, RType type) {
  queries_.emplace_back(normalize_name(name), type);
  co_return lookup(name, type);
}

}  // namespace postern::dns
