// The hook through which mail authentication (SPF, DKIM, DMARC, issue 3) will
// act on each message at the end of DATA, before anything is delivered.
// A filter sees the envelope and the message bytes and may reject the
// message, prepend header fields (Authentication-Results), and choose the
// target mailbox per recipient (INBOX or Junk for DMARC quarantine).
// Trust boundary: the message is untrusted; the filter is our code.
#pragma once

#include <asio.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtp/protocol.hpp"
#include "smtp/reply.hpp"

namespace postern::smtp {

struct FilterInput {
  const Envelope& envelope;
  std::string_view message;  // as received: CRLF line ends, dot-unstuffed, no trace headers yet
  Mode mode;
  std::string remote_ip;
  std::string auth_user;  // "" unless authenticated (submission)
  bool tls = false;
  std::string connection_id;
};

struct FilterVerdict {
  std::optional<Reply> reject;         // e.g. 550 5.7.1 DMARC policy: nothing is delivered
  std::string prepend;                 // header lines, each ending in CRLF, put above Received:
  std::vector<std::string> mailboxes;  // per recipient (index of envelope.rcpts); missing/"" = INBOX
  std::optional<std::string> rewritten_message;  // store this instead (e.g. forged A-R removed)
};

// Called once per message; empty function = accept everything unchanged.
// The FilterInput (and what it refers to) stays alive until the awaitable completes.
using MessageFilter = std::function<asio::awaitable<FilterVerdict>(const FilterInput&)>;

}  // namespace postern::smtp
