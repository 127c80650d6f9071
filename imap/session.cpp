// The IMAP session coroutine (see session.hpp). RFC 9051 section 7.1.1
// (greeting with CAPABILITY), 6.2.1 (STARTTLS: buffered plaintext is dropped),
// 4.3 and RFC 7888 (literals: "+" continuation only for synchronizing ones;
// a literal over the limit is refused before it is sent, or -- for a
// non-synchronizing one the client sends anyway -- read and thrown away),
// 5.4 (autologout: "* BYE" after the inactivity timeout).
#include "imap/session.hpp"

#include "common/log/log.hpp"
#include "imap/commands.hpp"

namespace postern::imap {

namespace {

constexpr int kMaxBadCommands = 20;
// A non-synchronizing literal larger than this (times max_literal) is not
// drained: the session says BYE instead.
constexpr uint64_t kDrainFactor = 4;

class Session : public ClientIo {
 public:
  Session(net::Connection& conn, const SessionOptions& opts, authclient::AuthClient* auth)
      : conn_(conn), cfg_(*opts.cfg), ctx_{cfg_, *this, auth, opts.open_store} {
    ctx_.tls = conn.is_tls();
    ctx_.loopback = conn.remote_is_loopback();
    ctx_.remote_ip = conn.remote_ip();
    ctx_.conn_id = conn.id();
    ctx_.idle_poll = opts.idle_poll;
    ctx_.tls_available = opts.tls_available;
    if (!ctx_.open_store) {
      std::string root = cfg_.store.root;
      ctx_.open_store = [root](const std::string& user) { return store::MailStore::open(root, user); };
    }
  }

  awaitable<void> run() {
    if (!co_await send("* OK [CAPABILITY " + capabilities(ctx_) + "] Postern ready\r\n")) co_return;
    int bad_in_a_row = 0;
    while (!conn_.closed()) {
      conn_.restart_command_timer();
      std::string text;
      bool fatal = false;
      if (!co_await read_command(text, fatal)) {
        if (fatal) co_return;
        continue;  // answered already (e.g. literal too big)
      }
      auto parsed = parse_command(text);
      if (auto* err = std::get_if<ParseError>(&parsed)) {
        std::string tag = err->tag.empty() ? "*" : err->tag;
        if (!co_await send(tag + " BAD " + err->message + "\r\n")) co_return;
        if (++bad_in_a_row >= kMaxBadCommands) {
          co_await send("* BYE Too many invalid commands\r\n");
          co_return;
        }
        continue;
      }
      bad_in_a_row = 0;
      const Command& cmd = std::get<Command>(parsed);
      log::debug("{} command {}{}", conn_.id(), cmd.uid ? "UID " : "", cmd.spec->name);
      Reply reply = co_await dispatch(ctx_, cmd);
      if (io_failed_) {  // a handler's read hit EOF or the timeout
        if (last_status_ == net::ReadStatus::timeout) co_await send("* BYE Autologout; idle for too long\r\n");
        co_return;
      }
      if (!co_await send(reply.untagged + reply.tagged(cmd.tag))) co_return;
      if (reply.after == Reply::After::logout) {
        conn_.close();
        co_return;
      }
      if (reply.after == Reply::After::starttls) {
        // RFC 9051 section 6.2.1 / RFC 3207 section 4.2: nothing read before the handshake counts.
        conn_.discard_buffered_input();
        if (!co_await conn_.start_tls()) {
          log::info("{} STARTTLS handshake failed", conn_.id());
          co_return;
        }
        ctx_.tls = true;
      }
    }
  }

  awaitable<bool> send(std::string_view data) override { co_return co_await conn_.write(data); }

  awaitable<std::optional<std::string>> read_line() override {
    std::string line;
    auto st = co_await conn_.read_line(line, line_limit());
    if (st != net::ReadStatus::ok) {
      last_status_ = st;
      if (st != net::ReadStatus::too_long) io_failed_ = true;
      co_return std::nullopt;
    }
    co_return line;
  }

 private:
  size_t line_limit() const { return static_cast<size_t>(std::max(1024, cfg_.imap.max_line_length)); }

  // Collects one command's lines and literals into `text`. false: nothing to
  // run (answered, or `fatal` = the session must end).
  awaitable<bool> read_command(std::string& text, bool& fatal) {
    const uint64_t max_literal = cfg_.imap.max_literal;
    CommandAssembler as(max_literal, max_literal + 16 * line_limit());
    std::string line;
    for (;;) {
      auto st = co_await conn_.read_line(line, line_limit());
      if (!co_await check_read(st, fatal)) co_return false;
      auto step = as.add_line(line);
      using Kind = CommandAssembler::Step::Kind;
      if (step.kind == Kind::complete) break;
      if (step.kind == Kind::too_long) {
        co_await send("* BYE Command too long\r\n");
        fatal = true;
        co_return false;
      }
      if (step.kind == Kind::literal_too_big) {
        fatal = !co_await refuse_literal(as.first_line(), step);
        co_return false;
      }
      if (step.synchronizing && !co_await send("+ Ready for literal data\r\n")) {
        fatal = true;
        co_return false;
      }
      std::string lit;
      st = co_await conn_.read_exact(lit, step.literal_size);
      if (!co_await check_read(st, fatal)) co_return false;
      as.add_literal(lit);
    }
    text = as.text();
    co_return true;
  }

  // Handles a read status that is not ok. Returns true to go on.
  awaitable<bool> check_read(net::ReadStatus st, bool& fatal) {
    switch (st) {
      case net::ReadStatus::ok:
        co_return true;
      case net::ReadStatus::timeout:
        co_await send("* BYE Autologout; idle for too long\r\n");
        break;
      case net::ReadStatus::too_long:
        // The rest of the line was dropped; it may have announced a literal,
        // so the byte stream can no longer be trusted to be in step.
        co_await send("* BYE Line too long\r\n");
        break;
      case net::ReadStatus::eof:
        break;
    }
    fatal = true;
    co_return false;
  }

  // A literal over imap.max_literal: NO [TOOBIG] for APPEND (RFC 7889, RFC
  // 4469 section 3 / RFC 5530), BAD otherwise. A synchronizing literal is
  // never sent by the client; a non-synchronizing one is read and discarded
  // (RFC 7888 section 4), up to a bound. Returns false if the session must end.
  awaitable<bool> refuse_literal(const std::string& first_line, const CommandAssembler::Step& step) {
    auto tn = peek_tag_and_name(first_line);
    std::string tag = tn.tag.empty() ? "*" : tn.tag;
    std::string answer = (tn.name == "APPEND") ? tag + " NO [TOOBIG] Message too large\r\n"
                                               : tag + " BAD Literal too large\r\n";
    if (step.synchronizing) co_return co_await send(answer);
    uint64_t remaining = step.literal_size;
    if (remaining > kDrainFactor * std::max<uint64_t>(cfg_.imap.max_literal, 1 << 20)) {
      co_await send(answer + "* BYE Literal too large\r\n");
      co_return false;
    }
    // Drain the literal and the rest of the command (which may announce more non-synchronizing literals).
    for (int round = 0; round < 256; ++round) {
      while (remaining > 0) {
        std::string chunk;
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining, 64 * 1024));
        if (co_await conn_.read_exact(chunk, n) != net::ReadStatus::ok) co_return false;
        remaining -= n;
      }
      std::string line;
      if (co_await conn_.read_line(line, line_limit()) != net::ReadStatus::ok) co_return false;
      auto lit = trailing_literal(line);
      if (!lit) co_return co_await send(answer);
      if (lit->synchronizing || lit->size > kDrainFactor * std::max<uint64_t>(cfg_.imap.max_literal, 1 << 20)) {
        co_await send(answer + "* BYE Literal too large\r\n");
        co_return false;
      }
      remaining = lit->size;
    }
    co_return false;
  }

  net::Connection& conn_;
  const config::Config& cfg_;
  SessionContext ctx_;
  net::ReadStatus last_status_ = net::ReadStatus::ok;
  bool io_failed_ = false;
};

}  // namespace

asio::awaitable<void> run_session(net::Connection& conn, const SessionOptions& opts) {
  authclient::AuthClient auth(conn.executor(), opts.auth_socket.empty() ? opts.cfg->auth.socket : opts.auth_socket);
  Session s(conn, opts, &auth);
  try {
    co_await s.run();
  } catch (const std::exception& e) {
    log::error("{} imap session error: {}", conn.id(), e.what());
  }
}

}  // namespace postern::imap
