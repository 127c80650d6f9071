// Fuzz target: SMTP command lines through the parser and the protocol state
// machine (RFC 5321 4.1). Input: lines separated by LF; lookups are answered
// alternately found / not found / temporary failure. Must never crash, hang
// or grow without bound.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "smtp/protocol.hpp"

using namespace postern::smtp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (int mode = 0; mode < 2; ++mode) {
    ProtocolOptions o;
    o.mode = mode == 0 ? Mode::mx : Mode::submission;
    o.hostname = "mx.example.org";
    o.max_message_size = 1000;
    o.max_recipients = 3;
    o.tls_available = true;
    o.is_our_domain = [](std::string_view d) { return d == "example.org"; };
    Protocol p(o);
    int n = 0;
    size_t pos = 0;
    while (pos <= in.size()) {
      size_t nl = in.find('\n', pos);
      std::string_view line = in.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
      Action a = p.on_line(line);
      for (int depth = 0; a.kind == ActionKind::lookup && depth < 2; ++depth) {
        int k = n++ % 3;
        a = p.on_lookup_result(k == 0 ? std::optional<std::string>("user") : std::nullopt, k == 2);
      }
      if (a.kind == ActionKind::auth) a = p.on_auth_result(n++ % 2 ? AuthOutcome::ok : AuthOutcome::fail, "user");
      if (a.kind == ActionKind::starttls) p.on_tls_started();
      if (a.kind == ActionKind::data) p.data_done();
      (void)a.reply.to_wire();
      if (a.kind == ActionKind::quit || a.kind == ActionKind::close) break;
      if (nl == std::string_view::npos) break;
      pos = nl + 1;
    }
  }
  return 0;
}
