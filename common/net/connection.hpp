// One client connection: the TCP socket, the TLS layer once started (implicit
// TLS or STARTTLS), a bounded input buffer, and the two clocks every session
// has: a per-command timeout and a whole-session deadline.
// Trust boundary: every byte read here comes from the network; reads are
// bounded by the caller's limit and never grow a buffer past it.
// The session coroutine that owns a Connection is the only code that reads or
// writes it; protocol logic (parsers, state machines) never sees the socket.
#pragma once

#include <asio.hpp>
#include <asio/ssl.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/config/config.hpp"

namespace postern::tls {
class TlsManager;
}

namespace postern::net {

struct WatchState;
using asio::awaitable;
using tcp = asio::ip::tcp;

enum class ReadStatus {
  ok,        // a line (or the requested bytes) is in `out`
  too_long,  // the line exceeded the limit; input up to its end was discarded
  eof,       // peer closed (or the connection was reset)
  timeout,   // the per-command timeout or the session deadline passed
};

class Connection {
 public:
  Connection(tcp::socket socket, std::shared_ptr<tls::TlsManager> tls, const config::Limits& limits,
             std::string id);
  // A local (Unix-domain) connection, e.g. the pickup socket: no TLS; the
  // peer's uid comes from SO_PEERCRED (remote_ip() is "local").
  Connection(asio::local::stream_protocol::socket socket, const config::Limits& limits, std::string id);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Reads one line terminated by LF; `out` gets the line WITHOUT its line end.
  // `crlf` (if given) tells whether it ended in CRLF (false: a bare LF).
  // A line longer than `max` bytes yields too_long after the rest of it is
  // read and thrown away (so the caller can answer and continue).
  awaitable<ReadStatus> read_line(std::string& out, size_t max, bool* crlf = nullptr);
  // Reads exactly n bytes (IMAP literals, BDAT chunks) into out (replaced).
  awaitable<ReadStatus> read_exact(std::string& out, size_t n);
  // Returns whatever is buffered, or waits for more (at most `max` bytes).
  // Used by streaming parsers (SMTP DATA). out is replaced.
  awaitable<ReadStatus> read_some(std::string& out, size_t max);

  // Writes all of `data`. Errors (peer gone) are reported as false.
  awaitable<bool> write(std::string_view data);

  // Server-side TLS handshake (STARTTLS or implicit TLS). false on failure,
  // after which the connection must be closed. Any bytes buffered before the
  // handshake are discarded (RFC 3207 section 4.2 / CVE-2011-0411).
  awaitable<bool> start_tls();
  bool is_tls() const { return tls_ != nullptr; }
  std::string tls_description() const;  // "TLSv1.3 TLS_AES_256_GCM_SHA384" or ""
  std::string tls_sni() const;          // server name the client asked for, or ""

  // True when unread client input is already buffered (pipelining checks).
  bool has_buffered_input() const { return !buf_.empty(); }
  void discard_buffered_input() { buf_.clear(); }

  const std::string& id() const { return id_; }
  const std::string& remote_ip() const { return remote_ip_; }
  uint16_t remote_port() const { return remote_port_; }
  const std::string& local_ip() const { return local_ip_; }
  uint16_t local_port() const { return local_port_; }
  bool remote_is_loopback() const { return loopback_; }
  bool is_local() const { return unix_.has_value(); }
  // The peer's uid on a local connection (SO_PEERCRED), -1 otherwise.
  long peer_uid() const { return peer_uid_; }

  // Starts the per-command clock again (reads and writes start it themselves).
  void restart_command_timer();
  // True once the per-command timeout or the session deadline has passed.
  bool timed_out() const;
  void set_command_timeout(std::chrono::seconds t) { command_timeout_ = t; }
  void close();
  bool closed() const { return closed_; }
  asio::any_io_executor executor() { return socket_.get_executor(); }
  // Cancels pending reads (used on shutdown / to wake an IDLE session).
  void cancel();

 private:
  awaitable<ReadStatus> fill();  // reads more into buf_
  void arm();     // deadline = min(now + command timeout, session deadline)
  void disarm();  // no deadline while we are working, not waiting

  tcp::socket socket_;
  std::optional<asio::local::stream_protocol::socket> unix_;
  long peer_uid_ = -1;
  std::shared_ptr<asio::ssl::context> tls_context_;
  std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls_;
  std::shared_ptr<tls::TlsManager> tls_manager_;
  std::string buf_;
  std::string id_;
  std::string remote_ip_, local_ip_;
  uint16_t remote_port_ = 0, local_port_ = 0;
  bool loopback_ = false;
  bool closed_ = false;
  std::chrono::seconds command_timeout_;
  std::chrono::steady_clock::time_point session_deadline_;
  std::shared_ptr<WatchState> watch_;
};

}  // namespace postern::net
