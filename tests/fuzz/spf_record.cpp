// Fuzz target: the SPF record parser and macro expander (RFC 7208 sections
// 4.6, 7) on arbitrary bytes. Must never crash, hang or grow without bound.
#include "mailauth/spf/macro.hpp"
#include "mailauth/spf/record.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace postern::spf;
  auto parsed = parse_record(text);
  MacroValues v;
  v.sender = "strong-bad@email.example.com";
  v.local_part = "strong-bad";
  v.sender_domain = v.domain = "email.example.com";
  v.ip_dotted = v.ip_readable = "192.0.2.3";
  v.ip_version = "in-addr";
  v.helo = "mx.example.org";
  v.validated = v.receiver = "unknown";
  v.timestamp = "0";
  if (parsed.record) {
    for (const auto& m : parsed.record->mechanisms)
      if (auto e = expand_macros(m.domain_spec, v, MacroContext::domain)) (void)finish_domain(*e);
    if (parsed.record->redirect) (void)expand_macros(*parsed.record->redirect, v, MacroContext::domain);
  }
  // The same bytes as an exp= explanation text.
  (void)expand_macros(text, v, MacroContext::explanation);
  (void)is_spf1_record(text);
  (void)valid_spf_domain(text);
  (void)IpAddress::parse(text.substr(0, 64));
  return 0;
}
