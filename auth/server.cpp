// The authd socket server (see server.hpp and docs/protocols/auth.md).
// SASL framing follows RFC 4422 section 3 (initial response, challenges,
// cancellation with "*", as RFC 4954 section 4 relays it); PLAIN authzid
// handling follows RFC 4616 section 2 (we refuse to act as someone else).
// Trust boundary: request lines from local daemons relaying network input.
// Passwords and AUTH payloads never reach a log line from this file.
#include "auth/server.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <map>
#include <system_error>

#include "auth/account.hpp"
#include "auth/protocol.hpp"
#include "auth/sasl.hpp"
#include "common/log/log.hpp"

namespace postern::auth {

using asio::experimental::as_tuple;
using asio::use_awaitable;
namespace proto = protocol;

namespace {

// A user name as typed, safe for a log line: printable ASCII, at most 64.
std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s.substr(0, 64)) {
    if (c >= 0x21 && c < 0x7f && c != '\\' && c != '"') {
      out += static_cast<char>(c);
    } else {
      char b[8];
      std::snprintf(b, sizeof b, "\\x%02x", c);
      out += b;
    }
  }
  if (s.size() > 64) out += "...";
  return out.empty() ? "-" : out;
}

}  // namespace

struct AuthServer::Conn : std::enable_shared_from_this<Conn> {
  explicit Conn(asio::local::stream_protocol::socket s) : sock(std::move(s)), cid(log::new_connection_id()) {}

  struct Exchange {
    explicit Exchange(SaslMachine::Mechanism m) : sasl(m) {}
    SaslMachine sasl;
    std::string service, mechanism, remote_ip;
    bool secured = false;
    bool waiting = false;  // a CONT from the client is expected
  };

  asio::local::stream_protocol::socket sock;
  std::string cid;
  proto::LineBuffer lines;
  std::deque<std::string> outbox;
  bool writing = false;
  bool draining = false;  // dropped: flush what is queued, then close
  bool closed = false;
  std::set<std::string> ids;  // every request id without a final reply yet
  std::map<std::string, std::unique_ptr<Exchange>> exchanges;

  void send(std::string line) {
    if (closed || draining) return;
    outbox.push_back(std::move(line));
    if (!writing) {
      writing = true;
      asio::co_spawn(sock.get_executor(), writer(shared_from_this()), asio::detached);
    }
  }

  static awaitable<void> writer(std::shared_ptr<Conn> self) {
    while (!self->outbox.empty() && !self->closed) {
      std::string s = std::move(self->outbox.front());
      self->outbox.pop_front();
      auto [ec, n] = co_await asio::async_write(self->sock, asio::buffer(s), as_tuple(use_awaitable));
      (void)n;
      if (ec) self->close();
    }
    self->writing = false;
    if (self->draining) self->close();
  }

  bool eof = false;  // the client will send nothing more

  // The final reply to request `id`; after EOF the last one closes.
  void reply(const std::string& id, std::string line) {
    ids.erase(id);
    send(std::move(line));
    if (eof && ids.empty()) drain();
  }

  void drain() {
    draining = true;
    if (!writing) close();
  }

  void close() {
    if (closed) return;
    closed = true;
    outbox.clear();
    asio::error_code ec;
    sock.close(ec);
  }
};

static void log_result(const std::string& cid, std::string_view user, std::string_view service,
                       std::string_view ip, std::string_view mech, std::string_view result, std::string_view reason,
                       std::chrono::milliseconds delay = std::chrono::milliseconds(0)) {
  if (result == "ok") {
    log::info("{} auth: user={} service={} rip={} mech={} result=ok", cid, printable(user), service, ip, mech);
  } else if (delay.count() > 0) {
    log::info("{} auth: user={} service={} rip={} mech={} result={} reason=\"{}\" delay={}ms", cid, printable(user),
              service, ip, mech, result, reason, delay.count());
  } else {
    log::info("{} auth: user={} service={} rip={} mech={} result={} reason=\"{}\"", cid, printable(user), service,
              ip, mech, result, reason);
  }
}

AuthServer::AuthServer(asio::io_context& io, std::shared_ptr<Backend> backend, ServerSettings s)
    : io_(io), backend_(std::move(backend)), s_(std::move(s)), penalties_(s_.penalty), acceptor_(io) {}

AuthServer::~AuthServer() { stop(); }

void AuthServer::listen() {
  const std::string& path = s_.socket_path;
  if (path.empty()) throw std::runtime_error("auth.socket is empty");
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) throw std::runtime_error(path + " exists and is not a socket; not removing it");
    asio::local::stream_protocol::socket probe(io_);
    asio::error_code ec;
    probe.connect(asio::local::stream_protocol::endpoint(path), ec);
    if (!ec) throw std::runtime_error("another server is listening on " + path);
    if (unlink(path.c_str()) != 0 && errno != ENOENT)
      throw std::system_error(errno, std::generic_category(), "removing stale socket " + path);
    log::info("auth: removed stale socket {}", path);
  }
  asio::local::stream_protocol::endpoint ep(path);
  acceptor_.open(ep.protocol());
  mode_t old = umask(0117);  // born 0660: no window with a wider mode
  asio::error_code ec;
  acceptor_.bind(ep, ec);
  umask(old);
  if (ec) throw std::system_error(ec, "bind " + path);
  if (chmod(path.c_str(), 0660) != 0) throw std::system_error(errno, std::generic_category(), "chmod " + path);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  listening_ = true;
  asio::co_spawn(io_, accept_loop(), asio::detached);
  log::info("auth: listening on {} (backend {})", path, backend_->name());
}

void AuthServer::stop() {
  if (listening_) {
    listening_ = false;
    asio::error_code ec;
    acceptor_.close(ec);
    unlink(s_.socket_path.c_str());
  }
  for (auto& c : conns_) c->close();
  conns_.clear();
}

void AuthServer::reconfigure(std::shared_ptr<Backend> backend, const ServerSettings& s) {
  if (backend) backend_ = std::move(backend);
  std::string path = s_.socket_path;
  s_ = s;
  if (s.socket_path != path) log::warn("auth: auth.socket changed; restart postern-authd to move the socket");
  s_.socket_path = path;
  penalties_.set_policy(s_.penalty);
}

awaitable<void> AuthServer::accept_loop() {
  while (listening_) {
    auto [ec, sock] = co_await acceptor_.async_accept(as_tuple(use_awaitable));
    if (!listening_ || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      log::warn("auth: accept: {}", ec.message());
      asio::steady_timer t(io_, std::chrono::milliseconds(100));
      co_await t.async_wait(as_tuple(use_awaitable));
      continue;
    }
    if (conns_.size() >= s_.max_connections) {
      log::warn("auth: {} connections, refusing one more", conns_.size());
      continue;  // sock closes here
    }
    auto c = std::make_shared<Conn>(std::move(sock));
    conns_.insert(c);
    asio::co_spawn(io_, serve(c), asio::detached);
  }
}

awaitable<void> AuthServer::serve(std::shared_ptr<Conn> c) {
  char buf[4096];
  std::string line;
  while (!c->closed) {
    auto [ec, n] = co_await c->sock.async_read_some(asio::buffer(buf), as_tuple(use_awaitable));
    if (ec == asio::error::eof) {
      // Half-closed: answer what is in flight, then close.
      c->eof = true;
      for (auto it = c->exchanges.begin(); it != c->exchanges.end();) {
        if (it->second->waiting) {  // its CONT can never come
          c->ids.erase(it->first);
          it = c->exchanges.erase(it);
        } else {
          ++it;
        }
      }
      if (c->ids.empty()) c->drain();
      conns_.erase(c);
      co_return;
    }
    if (ec) break;
    bool ok = c->lines.feed(std::string_view(buf, n));
    explicit_bzero(buf, n);
    if (!ok) {
      log::warn("{} auth: line longer than {} bytes, dropping peer", c->cid, proto::kMaxLine);
      c->drain();
      conns_.erase(c);
      co_return;
    }
    bool drop = false;
    while (!drop && !c->closed && !c->draining && c->lines.next(&line) == proto::LineBuffer::Status::line) {
      drop = !handle_line(c, line);
      explicit_bzero(line.data(), line.size());
    }
    if (drop) {
      c->drain();  // replies already queued still go out
      conns_.erase(c);
      co_return;
    }
  }
  c->close();
  conns_.erase(c);
}

bool AuthServer::handle_line(const std::shared_ptr<Conn>& c, const std::string& line) {
  auto parsed = proto::parse_request(line);
  if (auto* err = std::get_if<proto::ParseError>(&parsed)) {
    log::warn("{} auth: protocol error ({}), dropping peer", c->cid, err->what);
    return false;
  }
  auto& req = std::get<proto::Request>(parsed);

  if (std::holds_alternative<proto::VersionRequest>(req)) {
    c->send(proto::format_version());
    return true;
  }

  // Advances an exchange after a SASL step; false drops the peer.
  auto advance = [&](const std::string& id, Conn::Exchange& ex, const SaslMachine::Step& step) {
    using K = SaslMachine::Step::Kind;
    if (step.kind == K::challenge) {
      ex.waiting = true;
      c->send(proto::format_cont(id, step.challenge));
    } else if (step.kind == K::done) {
      ex.waiting = false;
      asio::co_spawn(io_, finish_auth(c, id), asio::detached);
    } else {
      std::string ip = ex.remote_ip, service = ex.service, mech = ex.mechanism;
      std::string user = ex.sasl.credentials().user;
      c->exchanges.erase(id);
      asio::co_spawn(io_, fail_after_penalty(c, id, user, ip, step.error, service, mech), asio::detached);
    }
    return true;
  };

  if (auto* a = std::get_if<proto::AuthRequest>(&req)) {
    if (c->ids.count(a->id)) {
      log::warn("{} auth: request id {} already in use, dropping peer", c->cid, a->id);
      return false;
    }
    if (c->ids.size() >= s_.max_requests_per_connection) {
      c->send(proto::format_fail(a->id, proto::FailKind::temp, "too many requests in flight"));
      return true;
    }
    auto mech = SaslMachine::mechanism_from_name(a->mechanism);
    if (!mech) {
      log_result(c->cid, "", a->service, a->remote_ip, a->mechanism, "fail", "unsupported mechanism");
      c->send(proto::format_fail(a->id, proto::FailKind::auth, "unsupported mechanism"));
      return true;
    }
    auto ex = std::make_unique<Conn::Exchange>(*mech);
    ex->service = a->service;
    ex->mechanism = a->mechanism;
    ex->remote_ip = a->remote_ip;
    ex->secured = a->secured;
    auto& ref = *ex;
    c->ids.insert(a->id);
    c->exchanges.emplace(a->id, std::move(ex));
    auto step = ref.sasl.start(a->initial);
    if (a->initial) explicit_bzero(a->initial->data(), a->initial->size());
    return advance(a->id, ref, step);
  }

  if (auto* k = std::get_if<proto::ContRequest>(&req)) {
    auto it = c->exchanges.find(k->id);
    if (it == c->exchanges.end() || !it->second->waiting) {
      log::warn("{} auth: CONT for id {} that awaits none, dropping peer", c->cid, k->id);
      return false;
    }
    auto& ex = *it->second;
    if (k->cancel) {
      log_result(c->cid, ex.sasl.credentials().user, ex.service, ex.remote_ip, ex.mechanism, "fail", "cancelled");
      c->exchanges.erase(it);
      c->reply(k->id, proto::format_fail(k->id, proto::FailKind::auth, "cancelled"));
      return true;
    }
    auto step = ex.sasl.respond(k->response);
    explicit_bzero(k->response.data(), k->response.size());
    return advance(k->id, ex, step);
  }

  auto& l = std::get<proto::LookupRequest>(req);
  if (c->ids.count(l.id)) {
    log::warn("{} auth: request id {} already in use, dropping peer", c->cid, l.id);
    return false;
  }
  if (c->ids.size() >= s_.max_requests_per_connection) {
    c->send(proto::format_fail(l.id, proto::FailKind::temp, "too many requests in flight"));
    return true;
  }
  c->ids.insert(l.id);
  asio::co_spawn(io_, do_lookup(c, l.id, l.name), asio::detached);
  return true;
}

awaitable<void> AuthServer::finish_auth(std::shared_ptr<Conn> c, std::string id) {
  auto backend = backend_;  // a SIGHUP may swap it meanwhile
  auto it = c->exchanges.find(id);
  if (it == c->exchanges.end()) co_return;
  std::unique_ptr<Conn::Exchange> ex = std::move(it->second);
  c->exchanges.erase(it);
  const Credentials& cr = ex->sasl.credentials();
  auto norm = normalize_user(cr.user, s_.domains);
  AuthOutcome out;
  if (!cr.authzid.empty() && cr.authzid != cr.user) {
    out.status = AuthOutcome::Status::fail;
    out.reason = "authorization identity differs from authentication identity";
  } else if (!norm) {
    out.status = AuthOutcome::Status::fail;
    out.reason = "invalid user name";
  } else {
    try {
      out = co_await backend->authenticate(*norm, cr, ex->service, ex->remote_ip);
    } catch (const std::exception& e) {
      out.status = AuthOutcome::Status::temp;
      out.reason = std::string("backend error: ") + e.what();
    }
  }
  std::string who = norm ? *norm : cr.user;
  switch (out.status) {
    case AuthOutcome::Status::ok:
      log_result(c->cid, out.user, ex->service, ex->remote_ip, ex->mechanism, "ok", "");
      c->reply(id, proto::format_ok(id, out.user, out.home));
      break;
    case AuthOutcome::Status::temp:
      log_result(c->cid, who, ex->service, ex->remote_ip, ex->mechanism, "temp", out.reason);
      c->reply(id, proto::format_fail(id, proto::FailKind::temp, out.reason));
      break;
    case AuthOutcome::Status::fail: {
      std::string ip = ex->remote_ip, service = ex->service, mech = ex->mechanism;
      ex.reset();  // wipe the password before waiting
      co_await fail_after_penalty(c, id, who, ip, out.reason, service, mech);
      break;
    }
  }
}

awaitable<void> AuthServer::fail_after_penalty(std::shared_ptr<Conn> c, std::string id, std::string user,
                                               std::string remote_ip, std::string reason, std::string service,
                                               std::string mech) {
  auto delay = penalties_.record_failure(remote_ip, user, Penalties::Clock::now());
  log_result(c->cid, user, service, remote_ip, mech, "fail", reason, delay);
  if (delay.count() > 0) {
    asio::steady_timer t(io_, delay);
    co_await t.async_wait(as_tuple(use_awaitable));
  }
  c->reply(id, proto::format_fail(id, proto::FailKind::auth, reason));
}

awaitable<void> AuthServer::do_lookup(std::shared_ptr<Conn> c, std::string id, std::string name) {
  auto backend = backend_;
  auto norm = normalize_user(name, s_.domains);
  LookupOutcome out;
  out.status = LookupOutcome::Status::notfound;
  if (norm) {
    try {
      out = co_await backend->lookup(*norm);
    } catch (const std::exception& e) {
      out.status = LookupOutcome::Status::temp;
      out.reason = std::string("backend error: ") + e.what();
    }
  }
  switch (out.status) {
    case LookupOutcome::Status::found:
      log::debug("{} auth: lookup {} -> {}", c->cid, printable(name), out.user);
      c->reply(id, proto::format_user(id, out.user, out.home));
      break;
    case LookupOutcome::Status::notfound:
      log::debug("{} auth: lookup {} -> not found", c->cid, printable(name));
      c->reply(id, proto::format_notfound(id));
      break;
    case LookupOutcome::Status::temp:
      log::warn("{} auth: lookup {} failed: {}", c->cid, printable(name), out.reason);
      c->reply(id, proto::format_fail(id, proto::FailKind::temp, out.reason));
      break;
  }
}

}  // namespace postern::auth
