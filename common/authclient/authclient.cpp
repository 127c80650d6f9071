// Client of postern-authd (see authclient.hpp, docs/protocols/auth.md): one
// Unix-socket connection per SASL exchange or lookup, bounded line reads,
// one timeout on every wait.
// Trust boundary: authd is trusted, but its replies are still parsed
// strictly (wire.hpp) and bounded; credentials pass through and are never
// logged or kept after the exchange.
#include "common/authclient/authclient.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <string.h>

#include "common/authclient/wire.hpp"
#include "common/util/strings.hpp"

namespace postern::authclient {
namespace {

using asio::experimental::as_tuple;
using asio::use_awaitable;
using Socket = asio::local::stream_protocol::socket;

AuthResult temp(std::string why) {
  AuthResult r;
  r.status = AuthResult::Status::temp;
  r.reason = std::move(why);
  return r;
}

AuthResult failed(std::string why) {
  AuthResult r;
  r.status = AuthResult::Status::fail;
  r.reason = std::move(why);
  return r;
}

// One connection to authd with a bounded input buffer.
class Channel {
 public:
  Channel(asio::any_io_executor ex, std::string path, std::chrono::milliseconds timeout)
      : sock_(ex), path_(std::move(path)), timeout_(timeout) {}
  ~Channel() { wipe(); }

  bool connected() const { return connected_; }

  // Connects and sends VERSION; "" or an error text.
  awaitable<std::string> open() {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer t(sock_.get_executor(), timeout_);
    auto res = co_await (connect() || t.async_wait(as_tuple(use_awaitable)));
    if (res.index() == 1) co_return "timed out connecting to authd";
    if (!std::get<0>(res).empty()) co_return std::get<0>(res);
    connected_ = true;
    co_return std::string();
  }

  // Writes one (secret) request; false on error.
  awaitable<bool> send(std::string data) {
    auto [ec, n] = co_await asio::async_write(sock_, asio::buffer(data), as_tuple(use_awaitable));
    (void)n;
    explicit_bzero(data.data(), data.size());
    if (ec) close();
    co_return !ec;
  }

  // Next reply line: nullopt on error, EOF, timeout or a line over the cap.
  awaitable<std::optional<std::string>> read_line() {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer t(sock_.get_executor(), timeout_);
    auto res = co_await (read_until_lf() || t.async_wait(as_tuple(use_awaitable)));
    if (res.index() == 1) {
      close();
      co_return std::nullopt;
    }
    co_return std::get<0>(res);
  }

  void close() {
    connected_ = false;
    asio::error_code ec;
    sock_.close(ec);
  }

 private:
  awaitable<std::string> connect() {
    auto [ec] = co_await sock_.async_connect(asio::local::stream_protocol::endpoint(path_), as_tuple(use_awaitable));
    if (ec) co_return "cannot connect to authd at " + path_ + ": " + ec.message();
    co_return std::string();
  }

  awaitable<std::optional<std::string>> read_until_lf() {
    for (;;) {
      size_t lf = buf_.find('\n');
      if (lf != std::string::npos) {
        std::string line = buf_.substr(0, lf);
        buf_.erase(0, lf + 1);
        co_return line;
      }
      if (buf_.size() >= wire::kMaxLine) co_return std::nullopt;
      char tmp[2048];
      auto [ec, n] = co_await sock_.async_read_some(asio::buffer(tmp), as_tuple(use_awaitable));
      if (ec) co_return std::nullopt;
      buf_.append(tmp, n);
    }
  }

  void wipe() {
    if (!buf_.empty()) explicit_bzero(buf_.data(), buf_.size());
  }

  Socket sock_;
  std::string path_;
  std::chrono::milliseconds timeout_;
  std::string buf_;
  bool connected_ = false;
};

// Reads the reply to VERSION; "" if the server speaks our major version.
awaitable<std::string> expect_version(Channel& ch) {
  auto line = co_await ch.read_line();
  if (!line) co_return "no answer from authd";
  auto r = wire::parse_reply(*line);
  if (!r || r->kind != wire::Reply::Kind::version) co_return "protocol error from authd";
  if (r->version != wire::kVersion) co_return "authd speaks protocol version " + std::to_string(r->version);
  co_return std::string();
}

class Exchange : public SaslExchange {
 public:
  Exchange(asio::any_io_executor ex, std::string path, std::chrono::milliseconds timeout, ClientInfo client)
      : ch_(std::move(ex), std::move(path), timeout), client_(std::move(client)) {}

  awaitable<AuthResult> start(std::string_view mechanism, std::optional<std::string> initial_b64) override {
    if (started_) co_return temp("exchange already started");
    started_ = true;
    std::string mech = util::to_upper(mechanism);
    if (initial_b64 && initial_b64->empty()) initial_b64 = "=";
    std::string service = util::to_lower(client_.service);
    auto req = wire::format_auth(id_, service, mech, client_.remote_ip, client_.secured, initial_b64);
    if (initial_b64) explicit_bzero(initial_b64->data(), initial_b64->size());
    if (!req) co_return failed("invalid request (mechanism or base64)");
    std::string err = co_await ch_.open();
    if (!err.empty()) {
      explicit_bzero(req->data(), req->size());
      co_return temp(err);
    }
    if (!co_await ch_.send(wire::format_version() + *req)) co_return temp("authd connection lost");
    explicit_bzero(req->data(), req->size());
    err = co_await expect_version(ch_);
    if (!err.empty()) {
      ch_.close();
      co_return temp(err);
    }
    co_return co_await result();
  }

  awaitable<AuthResult> respond(std::string_view b64) override {
    if (!waiting_ || !ch_.connected()) co_return temp("no challenge outstanding");
    auto req = wire::format_cont(id_, b64);
    if (!req) {
      // Invalid base64 from the network: the exchange is over (RFC 4954
      // section 4 answers 501); tell authd by cancelling.
      co_await ch_.send(*wire::format_cont(id_, "*"));
      ch_.close();
      waiting_ = false;
      co_return failed("invalid base64 in response");
    }
    waiting_ = false;
    if (!co_await ch_.send(std::move(*req))) co_return temp("authd connection lost");
    co_return co_await result();
  }

 private:
  awaitable<AuthResult> result() {
    auto line = co_await ch_.read_line();
    if (!line) {
      ch_.close();
      co_return temp("no answer from authd (timeout or connection lost)");
    }
    auto r = wire::parse_reply(*line);
    if (!r || r->id != id_) {
      ch_.close();
      co_return temp("protocol error from authd");
    }
    AuthResult out;
    switch (r->kind) {
      case wire::Reply::Kind::cont:
        waiting_ = true;
        out.status = AuthResult::Status::challenge;
        out.challenge = r->challenge;
        co_return out;
      case wire::Reply::Kind::ok:
        out.status = AuthResult::Status::ok;
        out.user = r->user;
        out.home = r->home;
        break;
      case wire::Reply::Kind::fail_auth:
        out.status = AuthResult::Status::fail;
        out.reason = r->reason;
        break;
      case wire::Reply::Kind::fail_temp:
        out.status = AuthResult::Status::temp;
        out.reason = r->reason;
        break;
      default:
        out = temp("protocol error from authd");
    }
    ch_.close();
    co_return out;
  }

  Channel ch_;
  ClientInfo client_;
  std::string id_ = "1";
  bool started_ = false;
  bool waiting_ = false;
};

}  // namespace

AuthClient::AuthClient(asio::any_io_executor ex, std::string socket_path, std::chrono::milliseconds timeout)
    : ex_(std::move(ex)), path_(std::move(socket_path)), timeout_(timeout) {}

std::unique_ptr<SaslExchange> AuthClient::sasl(const ClientInfo& client) {
  return std::make_unique<Exchange>(ex_, path_, timeout_, client);
}

awaitable<AuthResult> AuthClient::login(const ClientInfo& client, std::string_view user, std::string_view password) {
  // RFC 4616 section 2: authcid and passwd are non-empty and contain no NUL.
  if (user.empty() || password.empty() || user.find('\0') != std::string_view::npos ||
      password.find('\0') != std::string_view::npos || user.size() > 255 || password.size() > 255)
    co_return failed("invalid user name or password");
  std::string msg;
  msg.reserve(user.size() + password.size() + 2);
  msg += '\0';
  msg.append(user);
  msg += '\0';
  msg.append(password);
  std::string b64 = util::base64_encode(msg);
  explicit_bzero(msg.data(), msg.size());
  auto ex = sasl(client);
  auto r = co_await ex->start("PLAIN", std::move(b64));
  if (r.status == AuthResult::Status::challenge) co_return temp("unexpected challenge from authd");
  co_return r;
}

awaitable<std::optional<UserInfo>> AuthClient::lookup(std::string_view address, bool* temp_error) {
  if (temp_error) *temp_error = false;
  auto req = wire::format_lookup("1", address);
  if (!req) co_return std::nullopt;  // cannot be a user name
  Channel ch(ex_, path_, timeout_);
  auto set_temp = [&] {
    if (temp_error) *temp_error = true;
  };
  std::string err = co_await ch.open();
  if (!err.empty() || !co_await ch.send(wire::format_version() + *req)) {
    set_temp();
    co_return std::nullopt;
  }
  err = co_await expect_version(ch);
  if (!err.empty()) {
    set_temp();
    co_return std::nullopt;
  }
  auto line = co_await ch.read_line();
  std::optional<wire::Reply> r;
  if (line) r = wire::parse_reply(*line);
  ch.close();
  if (!r || r->id != "1") {
    set_temp();
    co_return std::nullopt;
  }
  if (r->kind == wire::Reply::Kind::user) co_return UserInfo{r->user, r->home};
  if (r->kind == wire::Reply::Kind::notfound) co_return std::nullopt;
  set_temp();
  co_return std::nullopt;
}

}  // namespace postern::authclient
