// ID (RFC 2971), ENABLE (RFC 5161), NAMESPACE (RFC 2342), IDLE (RFC 2177).
// IDLE reports new mail by polling the store: every ctx.idle_poll seconds an
// Asio timer re-reads the selected mailbox's counters (one cheap index query)
// and, when they changed, its message list; updates are written at once.
// Deliveries come from another process (postern-smtpd) through the SQLite
// index, so polling is the simple, correct first version; a later one can
// wake on an inotify watch of the index instead.
// Trust boundary: ID parameters come from the client and are only logged
// (bounded, sanitized).
#include "common/log/log.hpp"
#include "common/util/strings.hpp"
#include "imap/commands.hpp"

namespace postern::imap {

awaitable<Reply> cmd_id(SessionContext& ctx, const Command& cmd) {
  const auto& a = cmd.as<IdArgs>();
  std::string client;
  for (auto& [k, v] : a.params) {
    if (!v || client.size() > 200) continue;
    if (util::iequals(k, "name") || util::iequals(k, "version")) {
      for (char c : v->substr(0, 64)) client += (c >= 0x20 && c < 0x7f) ? c : '?';
      client += ' ';
    }
  }
  if (!client.empty()) log::info("{} client id: {}", ctx.conn_id, client);
  Reply r = Reply::ok("ID completed");
  r.untagged = "* ID (\"name\" \"Postern\" \"vendor\" \"Postern\")\r\n";
  co_return r;
}

awaitable<Reply> cmd_enable(SessionContext& ctx, const Command& cmd) {
  // Only extensions that change server behaviour when enabled and that we offer.
  std::string enabled;
  for (auto& cap : cmd.as<EnableArgs>().capabilities) {
    if (cap == "CONDSTORE" && enabled.find(" CONDSTORE") == std::string::npos) {
      ctx.condstore = true;
      enabled += " CONDSTORE";
    } else if (cap == "QRESYNC" && !ctx.qresync) {  // RFC 7162 section 3.2.3: implies CONDSTORE
      if (ctx.selected) continue;  // must be enabled before SELECT
      ctx.qresync = true;
      ctx.condstore = true;
      enabled += " QRESYNC";
    }
  }
  Reply r = Reply::ok("ENABLE completed");
  r.untagged = "* ENABLED" + enabled + "\r\n";
  co_return r;
}

awaitable<Reply> cmd_namespace(SessionContext&, const Command&) {
  Reply r = Reply::ok("NAMESPACE completed");
  r.untagged = "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n";  // personal only, "/" delimiter
  co_return r;
}

awaitable<Reply> cmd_idle(SessionContext& ctx, const Command&) {
  if (!co_await ctx.io.send("+ idling\r\n")) co_return Reply::bad("Connection lost");
  auto ex = co_await asio::this_coro::executor;
  struct Shared {
    explicit Shared(asio::any_io_executor e) : timer(e), finished(e) {}
    asio::steady_timer timer, finished;
    bool stop = false, running = true;
  };
  auto sh = std::make_shared<Shared>(ex);
  // Any update owed from before IDLE goes out first.
  std::string pending = ctx.selected ? mailbox_updates(ctx, true) : std::string();
  if (!pending.empty() && !co_await ctx.io.send(pending)) co_return Reply::bad("Connection lost");
  asio::co_spawn(
      ex,
      [sh, &ctx]() -> awaitable<void> {
        while (!sh->stop) {
          sh->timer.expires_after(ctx.idle_poll);
          asio::error_code ec;
          co_await sh->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
          if (sh->stop) break;
          std::string upd;
          try {
            upd = mailbox_updates(ctx, true);
          } catch (const std::exception& e) {
            log::warn("{} IDLE poll failed: {}", ctx.conn_id, e.what());
          }
          if (!upd.empty() && !co_await ctx.io.send(upd)) break;
        }
        sh->running = false;
        sh->finished.cancel();
      },
      asio::detached);

  auto line = co_await ctx.io.read_line();
  sh->stop = true;
  sh->timer.cancel();
  if (sh->running) {  // wait for the poller to leave (it may be mid-write)
    sh->finished.expires_at(asio::steady_timer::time_point::max());
    asio::error_code ec;
    co_await sh->finished.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (!line) co_return Reply::bad("IDLE aborted");
  if (!util::iequals(*line, "DONE")) co_return Reply::bad("Expected DONE");
  co_return Reply::ok("IDLE terminated");
}

}  // namespace postern::imap
