// Connection (see connection.hpp): bounded buffered reads, TLS start, and the
// watchdog that enforces the per-command timeout and the session deadline by
// cancelling the socket's pending operations.
#include "common/net/connection.hpp"

#include <openssl/ssl.h>
#include <sys/socket.h>

#include "common/log/log.hpp"
#include "common/tls/tls.hpp"

namespace postern::net {

using clock = std::chrono::steady_clock;

// State shared with the watchdog coroutine, which may outlive the Connection
// by one wake-up (it only touches this struct, never the Connection).
struct WatchState {
  explicit WatchState(asio::any_io_executor ex) : timer(ex) {}
  asio::steady_timer timer;
  tcp::socket* sock = nullptr;
  asio::local::stream_protocol::socket* local = nullptr;
  clock::time_point deadline = clock::time_point::max();
  bool alive = true;
  bool running = false;
  bool fired = false;
};

namespace {
constexpr size_t kChunk = 16 * 1024;

awaitable<void> watchdog(std::shared_ptr<WatchState> st) {
  while (st->alive) {
    st->timer.expires_at(st->deadline);
    asio::error_code ec;
    co_await st->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (!st->alive) break;
    if (clock::now() >= st->deadline) {
      st->fired = true;
      st->deadline = clock::time_point::max();
      if (st->sock) st->sock->cancel(ec);
      if (st->local) st->local->cancel(ec);
    }
  }
  st->running = false;
}
}  // namespace

Connection::Connection(tcp::socket socket, std::shared_ptr<tls::TlsManager> tls, const config::Limits& limits,
                       std::string id)
    : socket_(std::move(socket)),
      tls_manager_(std::move(tls)),
      id_(std::move(id)),
      command_timeout_(limits.command_timeout),
      watch_(std::make_shared<WatchState>(socket_.get_executor())) {
  asio::error_code ec;
  auto re = socket_.remote_endpoint(ec);
  if (!ec) {
    auto a = re.address();
    if (a.is_v6() && a.to_v6().is_v4_mapped()) a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
    remote_ip_ = a.to_string();
    remote_port_ = re.port();
    loopback_ = a.is_loopback();
  }
  auto le = socket_.local_endpoint(ec);
  if (!ec) {
    local_ip_ = le.address().to_string();
    local_port_ = le.port();
  }
  session_deadline_ = clock::now() + limits.session_timeout;
  watch_->sock = &socket_;
}

Connection::Connection(asio::local::stream_protocol::socket socket, const config::Limits& limits, std::string id)
    : socket_(socket.get_executor()),
      unix_(std::move(socket)),
      id_(std::move(id)),
      command_timeout_(limits.command_timeout),
      watch_(std::make_shared<WatchState>(unix_->get_executor())) {
  remote_ip_ = "local";
  loopback_ = true;
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(unix_->native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) peer_uid_ = cred.uid;
  session_deadline_ = clock::now() + limits.session_timeout;
  watch_->local = &*unix_;
}

Connection::~Connection() {
  watch_->alive = false;
  watch_->sock = nullptr;
  watch_->local = nullptr;
  watch_->timer.cancel();
}

void Connection::arm() {
  auto d = std::min(clock::now() + command_timeout_, session_deadline_);
  watch_->deadline = d;
  if (!watch_->running) {
    watch_->running = true;
    asio::co_spawn(socket_.get_executor(), watchdog(watch_), asio::detached);
  } else {
    watch_->timer.cancel();  // the watchdog re-reads the deadline
  }
}

void Connection::disarm() { watch_->deadline = clock::time_point::max(); }

void Connection::restart_command_timer() { arm(); }

bool Connection::timed_out() const { return watch_->fired; }

awaitable<ReadStatus> Connection::fill() {
  if (closed_) co_return ReadStatus::eof;
  if (watch_->fired) co_return ReadStatus::timeout;
  char tmp[kChunk];
  asio::error_code ec;
  arm();
  size_t n;
  if (tls_)
    n = co_await tls_->async_read_some(asio::buffer(tmp), asio::redirect_error(asio::use_awaitable, ec));
  else if (unix_)
    n = co_await unix_->async_read_some(asio::buffer(tmp), asio::redirect_error(asio::use_awaitable, ec));
  else
    n = co_await socket_.async_read_some(asio::buffer(tmp), asio::redirect_error(asio::use_awaitable, ec));
  disarm();
  if (watch_->fired) co_return ReadStatus::timeout;
  if (ec) co_return ReadStatus::eof;
  buf_.append(tmp, n);
  co_return ReadStatus::ok;
}

awaitable<ReadStatus> Connection::read_line(std::string& out, size_t max, bool* crlf) {
  size_t scanned = 0;
  bool discarding = false;
  for (;;) {
    auto nl = buf_.find('\n', scanned);
    if (nl != std::string::npos) {
      if (discarding) {
        buf_.erase(0, nl + 1);
        out.clear();
        co_return ReadStatus::too_long;
      }
      bool cr = nl > 0 && buf_[nl - 1] == '\r';
      size_t len = cr ? nl - 1 : nl;
      if (len > max) {
        buf_.erase(0, nl + 1);
        out.clear();
        co_return ReadStatus::too_long;
      }
      out.assign(buf_, 0, len);
      buf_.erase(0, nl + 1);
      if (crlf) *crlf = cr;
      co_return ReadStatus::ok;
    }
    if (buf_.size() > max + 1) {  // +1: a CR that may precede the LF
      discarding = true;
      buf_.clear();
    }
    scanned = buf_.size();
    auto st = co_await fill();
    if (st != ReadStatus::ok) co_return st;
  }
}

awaitable<ReadStatus> Connection::read_exact(std::string& out, size_t n) {
  out.clear();
  while (out.size() < n) {
    if (buf_.empty()) {
      auto st = co_await fill();
      if (st != ReadStatus::ok) co_return st;
    }
    size_t take = std::min(n - out.size(), buf_.size());
    out.append(buf_, 0, take);
    buf_.erase(0, take);
  }
  co_return ReadStatus::ok;
}

awaitable<ReadStatus> Connection::read_some(std::string& out, size_t max) {
  if (buf_.empty()) {
    auto st = co_await fill();
    if (st != ReadStatus::ok) co_return st;
  }
  size_t take = std::min(max, buf_.size());
  out.assign(buf_, 0, take);
  buf_.erase(0, take);
  co_return ReadStatus::ok;
}

awaitable<bool> Connection::write(std::string_view data) {
  if (closed_) co_return false;
  // A write after a read timed out (the "421 timeout" / "* BYE" line) gets a
  // fresh command timeout of its own; reads stay timed out.
  bool had_timed_out = watch_->fired;
  watch_->fired = false;
  asio::error_code ec;
  arm();
  if (tls_)
    co_await asio::async_write(*tls_, asio::buffer(data), asio::redirect_error(asio::use_awaitable, ec));
  else if (unix_)
    co_await asio::async_write(*unix_, asio::buffer(data), asio::redirect_error(asio::use_awaitable, ec));
  else
    co_await asio::async_write(socket_, asio::buffer(data), asio::redirect_error(asio::use_awaitable, ec));
  disarm();
  bool ok = !ec && !watch_->fired;
  watch_->fired = watch_->fired || had_timed_out;
  co_return ok;
}

awaitable<bool> Connection::start_tls() {
  if (tls_ || !tls_manager_ || unix_) co_return false;
  buf_.clear();  // RFC 3207 section 4.2: nothing sent before the handshake counts
  tls_context_ = tls_manager_->context();
  tls_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket_, *tls_context_);
  asio::error_code ec;
  arm();
  co_await tls_->async_handshake(asio::ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
  disarm();
  if (ec || watch_->fired) {
    log::info("{} TLS handshake failed: {}", id_, watch_->fired ? "timeout" : ec.message());
    close();
    co_return false;
  }
  log::debug("{} TLS established: {}", id_, tls_description());
  co_return true;
}

std::string Connection::tls_description() const {
  if (!tls_) return "";
  SSL* ssl = const_cast<asio::ssl::stream<tcp::socket&>&>(*tls_).native_handle();
  return std::string(SSL_get_version(ssl)) + " " + SSL_get_cipher_name(ssl);
}

std::string Connection::tls_sni() const {
  if (!tls_) return "";
  SSL* ssl = const_cast<asio::ssl::stream<tcp::socket&>&>(*tls_).native_handle();
  const char* n = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  return n ? n : "";
}

void Connection::cancel() {
  asio::error_code ec;
  socket_.cancel(ec);
  if (unix_) unix_->cancel(ec);
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  asio::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  if (unix_) {
    unix_->shutdown(asio::local::stream_protocol::socket::shutdown_both, ec);
    unix_->close(ec);
  }
}

}  // namespace postern::net
