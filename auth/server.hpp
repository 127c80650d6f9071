// The authd socket server: accepts connections on the Unix socket, reads
// request lines (protocol.hpp), runs SASL exchanges (sasl.hpp) against the
// backend, answers failures after the penalty delay (penalty.hpp, an asio
// timer: the loop never sleeps) and logs one line per authentication result.
// Requests on one connection are independent (pipelining): replies carry the
// request id and may come back in any order.
// Trust boundary: peers are local daemons (socket mode 0660, group postern)
// relaying network input; a peer that breaks the protocol is dropped.
#pragma once

#include <asio.hpp>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "auth/backend.hpp"
#include "auth/penalty.hpp"

namespace postern::auth {

struct ServerSettings {
  std::string socket_path;
  PenaltyPolicy penalty;
  std::vector<std::string> domains;  // accepted domain parts in user names
  size_t max_connections = 1024;
  size_t max_requests_per_connection = 64;  // in flight at once
};

class AuthServer {
 public:
  AuthServer(asio::io_context& io, std::shared_ptr<Backend> backend, ServerSettings s);
  ~AuthServer();
  // Removes a stale socket (refuses if a live server answers on it or the
  // path is not a socket), binds, sets mode 0660, starts accepting.
  // Throws std::system_error / std::runtime_error naming the path.
  void listen();
  // Stops accepting, closes every connection, removes the socket file.
  void stop();
  // SIGHUP: new settings (the socket path is kept) and backend.
  void reconfigure(std::shared_ptr<Backend> backend, const ServerSettings& s);

  Penalties& penalties() { return penalties_; }
  size_t connections() const { return conns_.size(); }
  const std::string& socket_path() const { return s_.socket_path; }

  struct Conn;

 private:
  awaitable<void> accept_loop();
  awaitable<void> serve(std::shared_ptr<Conn> c);
  bool handle_line(const std::shared_ptr<Conn>& c, const std::string& line);
  awaitable<void> finish_auth(std::shared_ptr<Conn> c, std::string id);
  awaitable<void> do_lookup(std::shared_ptr<Conn> c, std::string id, std::string name);
  awaitable<void> fail_after_penalty(std::shared_ptr<Conn> c, std::string id, std::string user,
                                     std::string remote_ip, std::string reason, std::string service,
                                     std::string mech);

  asio::io_context& io_;
  std::shared_ptr<Backend> backend_;
  ServerSettings s_;
  Penalties penalties_;
  asio::local::stream_protocol::acceptor acceptor_;
  std::set<std::shared_ptr<Conn>> conns_;
  bool listening_ = false;
};

}  // namespace postern::auth
