// A tiny in-memory Resolver for DMARC tests (until common/dns's
// StaticResolver is available): answers from a map, NXDOMAIN otherwise, and
// records every query so tests can check what was (not) looked up.
#pragma once

#include "common/dns/resolver.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

// g++ 12 -O2: false -Wmismatched-new-delete on asio awaitable frames.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace postern::dmarc::test {

class FakeResolver : public dns::Resolver {
 public:
  void add_txt(const std::string& name, const std::string& txt) {
    auto& a = answers_[{lower(name), dns::RType::TXT}];
    a.status = dns::Status::ok;
    a.txt.push_back(txt);
    names_[lower(name)] = true;
  }
  void add_a(const std::string& name, const std::string& addr) {
    auto& a = answers_[{lower(name), dns::RType::A}];
    a.status = dns::Status::ok;
    a.addrs.push_back(addr);
    names_[lower(name)] = true;
  }
  void add_mx(const std::string& name, const std::string& host) {
    auto& a = answers_[{lower(name), dns::RType::MX}];
    a.status = dns::Status::ok;
    a.mx.push_back({10, host});
    names_[lower(name)] = true;
  }
  void set_status(const std::string& name, dns::RType t, dns::Status s) {
    auto& a = answers_[{lower(name), t}];
    a.status = s;
    a.error = s == dns::Status::temperror ? "SERVFAIL (test)" : "";
  }

  asio::awaitable<dns::Answer> query(std::string name, dns::RType type) override {
    std::string n = lower(name);
    if (!n.empty() && n.back() == '.') n.pop_back();
    queries_.push_back({n, type});
    auto it = answers_.find({n, type});
    if (it != answers_.end()) co_return it->second;
    dns::Answer a;
    a.status = names_.count(n) ? dns::Status::nodata : dns::Status::nxdomain;
    co_return a;
  }

  const std::vector<std::pair<std::string, dns::RType>>& queries() const { return queries_; }

 private:
  static std::string lower(std::string s) {
    for (auto& c : s)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
  }
  std::map<std::pair<std::string, dns::RType>, dns::Answer> answers_;
  std::map<std::string, bool> names_;
  std::vector<std::pair<std::string, dns::RType>> queries_;
};

}  // namespace postern::dmarc::test

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11
#pragma GCC diagnostic pop
#endif
