// SMTP session driver (see session.hpp): RFC 5321 section 3 and 4.1.1.4
// (DATA), 4.4 (trace fields at final delivery), RFC 2920 section 3.2
// (buffered replies flushed before blocking), RFC 3207 section 4.2 (state
// and buffered input discarded at STARTTLS), RFC 4954 section 4 (AUTH
// exchange, "*" cancels, 12288-octet lines), RFC 3030 (BDAT chunks).
// Trust boundary: bytes from the connection are untrusted; the Protocol and
// DataReader validate them. AUTH payloads are never logged.
#include "smtp/session.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <map>

#include "common/log/log.hpp"
#include "common/net/server.hpp"
#include "common/store/store.hpp"
#include "smtp/data_reader.hpp"
#include "smtp/trace_headers.hpp"

namespace postern::smtp {

namespace {

constexpr size_t kAuthLineMax = 12288;  // RFC 4954 section 4
constexpr int kMaxAuthRounds = 4;
constexpr size_t kMaxPendingReplies = 16 * 1024;

class Session {
 public:
  Session(net::Connection& conn, const SessionContext& ctx)
      : conn_(conn), ctx_(ctx), cfg_(*ctx.config), proto_(options(conn, ctx)) {}

  asio::awaitable<void> run() {
    log::debug("{} session from [{}]:{} mode={}{}", conn_.id(), conn_.remote_ip(), conn_.remote_port(),
               mode_name(ctx_.mode), conn_.is_tls() ? " tls" : "");
    if (ctx_.mode == Mode::pickup) {
      if (proto_.options().local_user.empty()) {
        log::warn("{} pickup: uid {} has no user name, refused", conn_.id(), conn_.peer_uid());
        co_await finish(Reply(421, "4.7.0", proto_.options().hostname + " Cannot identify local user, closing"));
        co_return;
      }
      log::debug("{} pickup uid={} user={}", conn_.id(), conn_.peer_uid(), proto_.options().local_user);
    }
    out_ += proto_.greeting().to_wire();
    size_t max_line = static_cast<size_t>(std::max(cfg_.smtp.max_line_length, 512));
    for (;;) {
      // RFC 2920 3.2: replies are sent before a read that may block.
      // (co_await is kept out of compound conditions: g++ 12 miscompiles some.)
      // The pending replies are bounded too: a client that pipelines without
      // reading gets them pushed (and blocks on its own full window).
      if (!conn_.has_buffered_input() || out_.size() > kMaxPendingReplies) {
        bool ok = co_await flush();
        if (!ok) break;
      }
      std::string line;
      bool crlf = true;
      auto st = co_await conn_.read_line(line, max_line, &crlf);
      if (st == net::ReadStatus::eof) break;
      if (st == net::ReadStatus::timeout) {
        co_await finish(proto_.timeout_reply());
        break;
      }
      Action a;
      if (st == net::ReadStatus::too_long)
        a = proto_.on_line_too_long();
      else if (!crlf)
        a = proto_.on_bare_lf();
      else
        a = proto_.on_line(line);
      bool go_on = co_await perform(std::move(a));
      if (!go_on) break;
    }
    conn_.close();
    log::debug("{} session end, messages={}", conn_.id(), messages_);
  }

 private:
  static ProtocolOptions options(net::Connection& conn, const SessionContext& ctx) {
    const auto& cfg = *ctx.config;
    ProtocolOptions o;
    o.mode = ctx.mode;
    o.hostname = cfg.server.hostname.empty() ? "localhost" : cfg.server.hostname;
    o.max_message_size = cfg.smtp.max_message_size;
    o.max_recipients = cfg.smtp.max_recipients;
    o.tls_available = ctx.tls_available;
    o.tls_active = conn.is_tls();
    auto cfgp = ctx.config;
    o.is_our_domain = [cfgp](std::string_view d) { return cfgp->is_our_domain(d); };
    if (ctx.mode == Mode::pickup) {
      o.tls_available = false;
      o.default_domain = cfg.server.domains.empty() ? o.hostname : cfg.server.domains.front();
      std::optional<LocalUser> u;
      long uid = conn.is_local() ? conn.peer_uid() : -1;
      if (uid >= 0) {
        try {
          u = ctx.resolve_uid ? ctx.resolve_uid(uid) : local_user_for_uid(uid);
        } catch (const std::exception& e) {
          log::warn("{} pickup: uid {} lookup failed: {}", conn.id(), uid, e.what());
        }
      }
      if (u) {
        o.local_user = u->name;
        o.trusted = u->trusted;
      }
    }
    return o;
  }

  asio::awaitable<bool> flush() {
    if (out_.empty()) co_return true;
    std::string w;
    w.swap(out_);
    bool ok = co_await conn_.write(w);
    co_return ok;
  }

  // Sends a last reply and closes.
  asio::awaitable<void> finish(Reply r) {  // by value: lives in this frame
    out_ += r.to_wire();
    co_await flush();
    conn_.close();
  }

  // Runs one protocol action; false ends the session.
  asio::awaitable<bool> perform(Action a) {
    bool ok = true;
    if (a.kind == ActionKind::reply) {
      if (a.reply.code >= 400) log::debug("{} reply {}", conn_.id(), a.reply.text());
      out_ += a.reply.to_wire();
    } else if (a.kind == ActionKind::lookup) {
      Action next = co_await lookup(a.lookup_key);
      ok = co_await perform(std::move(next));
    } else if (a.kind == ActionKind::auth) {
      ok = co_await authenticate(a);
    } else if (a.kind == ActionKind::bdat) {
      ok = co_await bdat(a);
    } else if (a.kind == ActionKind::data) {
      out_ += a.reply.to_wire();
      ok = co_await flush();
      if (ok) ok = co_await data();
    } else if (a.kind == ActionKind::starttls) {
      out_ += a.reply.to_wire();
      ok = co_await flush();
      // Connection::start_tls discards any plaintext pipelined after STARTTLS.
      if (ok) ok = co_await conn_.start_tls();
      if (ok) proto_.on_tls_started();
    } else {  // quit, close
      if (a.kind == ActionKind::close) log::info("{} closing: {}", conn_.id(), a.reply.text());
      co_await finish(a.reply);
      ok = false;
    }
    co_return ok;
  }

  asio::awaitable<Action> lookup(const std::string& key) {
    if (ctx_.aliases && ctx_.aliases->is_alias(key)) co_return co_await lookup_alias(key);
    bool temp = false;
    std::optional<authclient::UserInfo> u;
    if (!ctx_.directory) {
      temp = true;
    } else {
      try {
        u = co_await ctx_.directory->lookup(key, &temp);
      } catch (const std::exception& e) {
        log::warn("{} user lookup failed: {}", conn_.id(), e.what());
        temp = true;
      }
    }
    if (u) temp = false;
    if (temp) log::warn("{} user lookup for '{}': authd unavailable", conn_.id(), key);
    co_return proto_.on_lookup_result(u ? std::optional<std::string>(u->user) : std::nullopt, temp);
  }

  // An alias (smtp/aliases.hpp): every target user is asked of authd; the
  // recipient is accepted if at least one exists (unknown ones are logged
  // and skipped) and delivered to all of them.
  asio::awaitable<Action> lookup_alias(const std::string& key) {
    std::vector<std::string> users;
    bool temp = !ctx_.directory;
    for (auto& target : ctx_.aliases->expand(key)) {
      if (temp) break;
      bool t = false;
      std::optional<authclient::UserInfo> u;
      try {
        u = co_await ctx_.directory->lookup(target, &t);
      } catch (const std::exception& e) {
        log::warn("{} user lookup failed: {}", conn_.id(), e.what());
        t = true;
      }
      if (u) {
        if (std::find(users.begin(), users.end(), u->user) == users.end()) users.push_back(u->user);
      } else if (t) {
        temp = true;
      } else {
        log::warn("{} alias '{}': target '{}' is not a known user", conn_.id(), key, target);
      }
    }
    if (temp) {
      log::warn("{} user lookup for alias '{}': authd unavailable", conn_.id(), key);
      co_return proto_.on_lookup_result(std::nullopt, true);
    }
    if (users.empty()) co_return proto_.on_lookup_result(std::nullopt, false);
    size_t before = proto_.envelope().rcpts.size();
    Action a = proto_.on_lookup_result(users.front(), false);
    if (proto_.envelope().rcpts.size() > before) alias_users_[proto_.envelope().rcpts.back().address] = users;
    co_return a;
  }

  asio::awaitable<bool> authenticate(const Action& a) {
    AuthOutcome outcome = AuthOutcome::temp;
    std::string user;
    if (ctx_.directory) {
      try {
        auto ex = ctx_.directory->sasl(authclient::ClientInfo{"smtp", conn_.remote_ip(), proto_.tls()});
        auto r = co_await ex->start(a.mechanism, a.initial);
        int rounds = 0;
        bool done = false;
        while (!done && r.status == authclient::AuthResult::Status::challenge) {
          if (++rounds > kMaxAuthRounds) {
            r.status = authclient::AuthResult::Status::fail;
            break;
          }
          out_ += "334 " + r.challenge + "\r\n";  // RFC 4954 4: no enhanced code on 334
          bool flushed = co_await flush();
          if (!flushed) co_return false;
          std::string line;
          bool crlf = true;
          auto st = co_await conn_.read_line(line, kAuthLineMax, &crlf);
          if (st == net::ReadStatus::eof) co_return false;
          if (st == net::ReadStatus::timeout) {
            co_await finish(proto_.timeout_reply());
            co_return false;
          }
          if (st == net::ReadStatus::too_long) {
            outcome = AuthOutcome::bad_line;
            done = true;
          } else if (line == "*") {
            outcome = AuthOutcome::cancelled;
            done = true;
          } else {
            r = co_await ex->respond(line);
          }
        }
        if (!done) {
          switch (r.status) {
            case authclient::AuthResult::Status::ok:
              outcome = AuthOutcome::ok;
              user = r.user;
              break;
            case authclient::AuthResult::Status::fail:
            case authclient::AuthResult::Status::challenge:
              outcome = AuthOutcome::fail;
              break;
            case authclient::AuthResult::Status::temp:
              outcome = AuthOutcome::temp;
              break;
          }
          if (!r.reason.empty() && outcome != AuthOutcome::ok)
            log::info("{} auth {} failed: {}", conn_.id(), a.mechanism, r.reason);
        }
      } catch (const std::exception& e) {
        log::warn("{} auth exchange error: {}", conn_.id(), e.what());
        outcome = AuthOutcome::temp;
      }
    }
    log::info("{} auth mechanism={} result={}{}", conn_.id(), a.mechanism,
              outcome == AuthOutcome::ok ? "ok" : outcome == AuthOutcome::temp ? "temp" : "fail",
              outcome == AuthOutcome::ok ? " user=" + user : "");
    bool ok = co_await perform(proto_.on_auth_result(outcome, user));
    co_return ok;
  }

  // Reads the DATA section line by line (each line is exactly the bytes up to
  // its LF, so nothing pipelined after the terminator is lost), then delivers.
  asio::awaitable<bool> data() {
    DataReader reader(cfg_.smtp.max_message_size, ctx_.max_data_line);
    for (;;) {
      std::string line;
      bool crlf = true;
      auto st = co_await conn_.read_line(line, ctx_.max_data_line + 1024, &crlf);
      if (st == net::ReadStatus::eof) co_return false;
      if (st == net::ReadStatus::timeout) {
        co_await finish(proto_.timeout_reply());
        co_return false;
      }
      if (st == net::ReadStatus::too_long) {
        // Its line end was thrown away unseen, so where DATA ends is unknown:
        // answer and close rather than guess (smuggling-safe).
        co_await finish(Reply(554, "5.6.0", "Message line too long, closing connection"));
        co_return false;
      }
      reader.feed(line);
      reader.feed(crlf ? "\r\n" : "\n");
      if (reader.status() != DataReader::Status::need_more) break;
    }
    std::optional<Reply> refused;
    if (reader.status() == DataReader::Status::error) refused = reader.error_reply();
    uint64_t size = reader.size();
    co_await conclude(std::move(refused), reader.take_message(), size);
    co_return true;
  }

  // BDAT (RFC 3030): the chunk is read in bounded pieces whatever happens,
  // so the command stream stays in sync; the message is kept up to the size
  // limit and delivered at LAST.
  asio::awaitable<bool> bdat(Action a) {
    if (a.first_chunk) {
      bdat_msg_.clear();
      bdat_size_ = 0;
    }
    bool accept = a.reply.code == 0;
    uint64_t left = a.chunk_size;
    while (left > 0) {
      std::string piece;
      size_t n = static_cast<size_t>(std::min<uint64_t>(left, 64 * 1024));
      auto st = co_await conn_.read_exact(piece, n);
      if (st == net::ReadStatus::eof) co_return false;
      if (st != net::ReadStatus::ok) {
        co_await finish(proto_.timeout_reply());
        co_return false;
      }
      left -= n;
      if (!accept) continue;
      bdat_size_ += n;
      if (bdat_size_ <= cfg_.smtp.max_message_size)
        bdat_msg_ += piece;
      else
        std::string().swap(bdat_msg_);
    }
    if (!accept) {
      std::string().swap(bdat_msg_);
      out_ += a.reply.to_wire();
      co_return true;
    }
    if (!a.last) {
      out_ += Reply(250, "2.0.0", std::to_string(a.chunk_size) + " octets received").to_wire();
      co_return true;
    }
    std::optional<Reply> refused;
    if (bdat_size_ > cfg_.smtp.max_message_size) {
      refused = DataReader::reply_for(DataReader::Error::too_big, ctx_.max_data_line);
    } else {
      auto e = DataReader::check_lines(bdat_msg_, ctx_.max_data_line);
      if (e != DataReader::Error::none) refused = DataReader::reply_for(e, ctx_.max_data_line);
    }
    std::string msg;
    msg.swap(bdat_msg_);
    co_await conclude(std::move(refused), std::move(msg), bdat_size_);
    co_return true;
  }

  // End of a message (DATA or BDAT LAST): deliver unless refused, log one
  // line, end the transaction, queue the reply.
  asio::awaitable<void> conclude(std::optional<Reply> refused, std::string msg, uint64_t size) {
    const Envelope& env = proto_.envelope();
    std::string rcpts;
    for (auto& r : env.rcpts) rcpts += (rcpts.empty() ? "" : ",") + r.address;
    std::string id = conn_.id() + "." + std::to_string(++messages_);
    Reply reply;
    if (refused)
      reply = std::move(*refused);
    else
      reply = co_await deliver(std::move(msg), id);
    log::info("{} message id={} from=<{}> rcpts={} size={} result=\"{}\"", conn_.id(), id, env.sender(), rcpts, size,
              reply.text());
    proto_.data_done();
    out_ += reply.to_wire();
  }

  asio::awaitable<Reply> deliver(std::string msg, const std::string& id) {
    const Envelope& env = proto_.envelope();
    FilterVerdict verdict;
    if (ctx_.filter) {
      // A named FilterInput: it must outlive the filter's coroutine (and g++ 12
      // mishandles temporaries held across co_await).
      FilterInput input{env, msg, ctx_.mode, conn_.remote_ip(), proto_.auth_user(), proto_.tls(), conn_.id()};
      try {
        verdict = co_await ctx_.filter(input);
      } catch (const std::exception& e) {
        log::error("{} message filter failed: {}", conn_.id(), e.what());
        co_return Reply(451, "4.3.0", "Temporary failure, try again later");
      }
      if (verdict.reject) co_return *verdict.reject;
      if (verdict.rewritten_message) msg = std::move(*verdict.rewritten_message);
    }
    TraceInfo t;
    t.helo = env.helo;
    t.remote_ip = conn_.remote_ip();
    t.hostname = proto_.options().hostname;
    t.id = id;
    t.tls = conn_.tls_description();
    t.esmtp = env.esmtp;
    t.authenticated = !proto_.auth_user().empty();
    t.smtputf8 = env.smtputf8;
    if (env.rcpts.size() == 1) t.for_rcpt = env.rcpts[0].address;
    t.when = std::time(nullptr);
    auto full = std::make_shared<std::string>(return_path_header(env) + verdict.prepend + received_header(t));
    *full += msg;

    // One copy per (user, mailbox): alice@ and alice+tag@ get one message.
    std::vector<std::pair<std::string, std::string>> targets;
    for (size_t i = 0; i < env.rcpts.size(); ++i) {
      std::string mbox = i < verdict.mailboxes.size() && !verdict.mailboxes[i].empty() ? verdict.mailboxes[i] : "INBOX";
      auto alias = alias_users_.find(env.rcpts[i].address);  // an alias delivers to each of its users
      for (auto& user : alias != alias_users_.end() ? alias->second : std::vector<std::string>{env.rcpts[i].user}) {
        std::pair<std::string, std::string> tgt{user, mbox};
        if (std::find(targets.begin(), targets.end(), tgt) == targets.end()) targets.push_back(std::move(tgt));
      }
    }
    std::string root = cfg_.store.root.empty() ? cfg_.server.state_dir + "/mail" : cfg_.store.root;
    // Delivery runs on the pool so the event loop never waits for fsync. A
    // failure for any target answers 451 for the whole message; the client
    // retries and recipients already delivered get a duplicate (accepted risk
    // until the durable queue exists).
    auto work = [full, targets, root]() {
      for (auto& [user, mbox] : targets) {
        auto store = store::MailStore::open(root, user);
        store->deliver(mbox, *full);
      }
    };
    try {
      if (ctx_.delivery_pool)
        co_await net::offload(*ctx_.delivery_pool, work);
      else
        work();
    } catch (const std::exception& e) {
      log::error("{} delivery of {} failed: {}", conn_.id(), id, e.what());
      co_return Reply(451, "4.3.0", "Local delivery failed, try again later");
    }
    co_return Reply(250, "2.0.0", "OK id=" + id);
  }

  net::Connection& conn_;
  const SessionContext& ctx_;
  const config::Config& cfg_;
  Protocol proto_;
  // Recipient address -> the users its alias expanded to (the table is fixed
  // for the session, so an address always expands the same way).
  std::map<std::string, std::vector<std::string>> alias_users_;
  std::string out_;
  int messages_ = 0;
  std::string bdat_msg_;  // the message being received in BDAT chunks
  uint64_t bdat_size_ = 0;
};

}  // namespace

std::optional<LocalUser> local_user_for_uid(long uid) {
  if (uid < 0) return std::nullopt;
  long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
  size_t size = hint > 0 ? static_cast<size_t>(hint) : 16384;
  for (;;) {
    std::vector<char> buf(size);
    passwd pw{};
    passwd* result = nullptr;
    int rc = getpwuid_r(static_cast<uid_t>(uid), &pw, buf.data(), buf.size(), &result);
    if (rc == ERANGE && size < (1u << 20)) {
      size *= 2;
      continue;
    }
    if (rc != 0 || !result || !pw.pw_name || !*pw.pw_name) return std::nullopt;
    return LocalUser{pw.pw_name, uid == 0};
  }
}

asio::awaitable<void> run_session(net::Connection& conn, const SessionContext& ctx) {
  Session s(conn, ctx);
  co_await s.run();
}

}  // namespace postern::smtp
