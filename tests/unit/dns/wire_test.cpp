// DNS rdata decoding (RFC 1035 3.3, RFC 3596, RFC 6698), byte by byte,
// including truncated and hostile inputs.
#include "common/dns/wire.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace postern::dns::wire {
namespace {

std::vector<uint8_t> b(std::initializer_list<int> v) {
  std::vector<uint8_t> out;
  for (int x : v) out.push_back(uint8_t(x));
  return out;
}
std::vector<uint8_t> s(std::string_view text) { return {text.begin(), text.end()}; }

TEST(DnsWire, Addresses) {
  EXPECT_EQ(*parse_a(b({192, 0, 2, 1})), "192.0.2.1");
  EXPECT_FALSE(parse_a(b({192, 0, 2})));
  EXPECT_FALSE(parse_a(b({192, 0, 2, 1, 5})));
  auto six = b({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  EXPECT_EQ(*parse_aaaa(six), "2001:db8::1");
  six.pop_back();
  EXPECT_FALSE(parse_aaaa(six));
}

TEST(DnsWire, TxtConcatenatesCharacterStrings) {
  auto r = s("\x06v=spf1\x05 -all");
  EXPECT_EQ(*parse_txt(r), "v=spf1 -all");
  EXPECT_EQ(*parse_txt(s(std::string_view("\x00", 1))), "");
  EXPECT_FALSE(parse_txt(s("\x07v=spf1")));  // length runs past the end
  std::vector<uint8_t> big;
  big.push_back(255);
  big.insert(big.end(), 255, 'a');
  big.push_back(1);
  big.push_back('b');
  EXPECT_EQ(parse_txt(big)->size(), 256u);
}

TEST(DnsWire, Names) {
  std::vector<uint8_t> name = {3, 'W', 'w', 'W', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g', 0};
  EXPECT_EQ(*parse_name_rdata(name), "www.example.org");
  EXPECT_EQ(*parse_name_rdata(b({0})), "");  // the root
  EXPECT_FALSE(parse_name_rdata(b({3, 'w', 'w'})));          // truncated label
  EXPECT_FALSE(parse_name_rdata(b({3, 'w', 'w', 'w'})));     // no terminating root
  EXPECT_FALSE(parse_name_rdata(b({0xc0, 0x0c})));           // compression pointer
  EXPECT_FALSE(parse_name_rdata(b({1, 'a', 0, 0})));         // trailing garbage
  std::vector<uint8_t> odd = {3, 'a', '.', ' ', 0};
  EXPECT_EQ(*parse_name_rdata(odd), "a\\046\\032");  // RFC 1035 5.1 escapes
  std::vector<uint8_t> longname;
  for (int i = 0; i < 5; ++i) {
    longname.push_back(63);
    longname.insert(longname.end(), 63, 'x');
  }
  longname.push_back(0);
  EXPECT_FALSE(parse_name_rdata(longname));  // > 255 octets
}

TEST(DnsWire, MxAndNullMx) {
  std::vector<uint8_t> mx = {0, 10, 2, 'm', 'x', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'o', 'r', 'g', 0};
  auto r = parse_mx(mx);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->preference, 10);
  EXPECT_EQ(r->host, "mx.example.org");
  auto null_mx = parse_mx(b({0, 0, 0}));  // RFC 7505
  ASSERT_TRUE(null_mx);
  EXPECT_EQ(null_mx->host, "");
  EXPECT_FALSE(parse_mx(b({0, 10})));
}

TEST(DnsWire, Tlsa) {
  auto t = parse_tlsa(b({3, 1, 1, 0xde, 0xad, 0xbe, 0xef}));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->usage, 3);
  EXPECT_EQ(t->selector, 1);
  EXPECT_EQ(t->matching_type, 1);
  EXPECT_EQ(t->data, std::string("\xde\xad\xbe\xef"));
  EXPECT_FALSE(parse_tlsa(b({3, 1})));
}

TEST(DnsWire, AddRdataByType) {
  Answer a;
  EXPECT_TRUE(add_rdata(a, RType::A, b({10, 0, 0, 1})));
  EXPECT_FALSE(add_rdata(a, RType::A, b({10, 0})));
  EXPECT_TRUE(add_rdata(a, RType::PTR, b({1, 'h', 0})));
  EXPECT_EQ(a.addrs, std::vector<std::string>{"10.0.0.1"});
  EXPECT_EQ(a.names, std::vector<std::string>{"h"});
}

}  // namespace
}  // namespace postern::dns::wire
