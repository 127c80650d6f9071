// Fuzz target: IMAP command assembly and parsing (imap/parser.hpp) plus the
// mailbox-name helpers, on arbitrary client bytes. Input is split into lines
// at CRLF; announced literals take their bytes from the input, as the
// session would read them.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "imap/mailbox_name.hpp"
#include "imap/mutf7.hpp"
#include "imap/parser.hpp"

using namespace postern::imap;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t pos = 0;
  while (pos < in.size()) {
    CommandAssembler as(4096, 16384);
    bool done = false;
    while (!done && pos < in.size()) {
      size_t eol = in.find("\r\n", pos);
      std::string_view line = in.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
      pos = eol == std::string_view::npos ? in.size() : eol + 2;
      auto step = as.add_line(line);
      switch (step.kind) {
        case CommandAssembler::Step::Kind::complete:
          done = true;
          break;
        case CommandAssembler::Step::Kind::need_literal: {
          size_t n = static_cast<size_t>(std::min<uint64_t>(step.literal_size, in.size() - pos));
          as.add_literal(in.substr(pos, n));
          pos += n;
          break;
        }
        default:
          return 0;
      }
    }
    auto r = parse_command(as.text());
    if (auto* c = std::get_if<Command>(&r)) {
      if (auto* m = std::get_if<MailboxArgs>(&c->args)) {
        if (auto name = mailbox_from_wire(m->mailbox)) (void)mailbox_to_wire(*name);
      }
      if (auto* l = std::get_if<ListArgs>(&c->args)) {
        for (auto& p : l->patterns) (void)list_match("INBOX/Archive/2024", l->reference + p);
      }
    }
    (void)peek_tag_and_name(as.first_line());
  }
  if (auto d = mutf7_decode(in)) (void)mutf7_encode(*d);
  return 0;
}
