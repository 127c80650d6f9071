// Fuzz target for the authd line protocol: arbitrary bytes through the
// server's line splitter and request parser, the SASL state machine fed with
// whatever parsed, and the client's reply parser; the server's formatted
// replies must always parse on the client.
// Trust boundary: everything here is attacker-controlled input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <variant>

#include "auth/protocol.hpp"
#include "auth/sasl.hpp"
#include "common/authclient/wire.hpp"

namespace proto = postern::auth::protocol;
namespace wire = postern::authclient::wire;
using postern::auth::SaslMachine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  proto::LineBuffer lb;
  // Feed in uneven pieces so the splitter sees lines cut anywhere.
  size_t pos = 0, step = 1;
  std::string line;
  std::optional<SaslMachine> sasl;
  while (pos < in.size()) {
    size_t n = std::min(step, in.size() - pos);
    bool ok = lb.feed(in.substr(pos, n));
    pos += n;
    step = step * 3 % 17 + 1;
    if (!ok) {
      if (lb.next(&line) != proto::LineBuffer::Status::error) abort();
      break;
    }
    while (lb.next(&line) == proto::LineBuffer::Status::line) {
      if (line.size() >= proto::kMaxLine) abort();
      (void)wire::parse_reply(line);
      auto r = proto::parse_request(line);
      if (!std::holds_alternative<proto::Request>(r)) continue;
      auto& req = std::get<proto::Request>(r);
      if (auto* a = std::get_if<proto::AuthRequest>(&req)) {
        if (!proto::valid_id(a->id)) abort();
        auto mech = SaslMachine::mechanism_from_name(a->mechanism);
        if (mech) {
          sasl.emplace(*mech);
          sasl->start(a->initial);
        }
        // Replies we would send about it parse on the client side.
        for (const std::string& out : {proto::format_fail(a->id, proto::FailKind::auth, line),
                                       proto::format_cont(a->id, line), proto::format_ok(a->id, a->service, "/h")}) {
          if (out.back() != '\n') abort();
          if (!wire::parse_reply(std::string_view(out).substr(0, out.size() - 1))) abort();
        }
      } else if (auto* c = std::get_if<proto::ContRequest>(&req)) {
        if (sasl && !c->cancel) sasl->respond(c->response);
      }
    }
  }
  return 0;
}
