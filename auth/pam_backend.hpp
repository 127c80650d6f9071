// The PAM backend: a small pool of worker PROCESSES (fork()ed, each talking
// to authd over a socketpair with worker_frame.hpp framing) that run PAM and
// the NSS account checks, so the event loop never blocks on a module. A
// worker is recycled after max_requests; one that dies or overruns the
// request timeout is killed and replaced and the request answers temp.
// Trust boundary: workers run administrator-chosen PAM modules; a worker's
// reply is bounded and checked.
#pragma once

#include <asio.hpp>
#include <sys/types.h>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "auth/backend.hpp"
#include "auth/pam_worker.hpp"

namespace postern::auth {

struct PamBackendSettings {
  PamWorkerSettings worker;
  int workers = 2;
  int max_requests = 500;
  std::chrono::milliseconds request_timeout{30000};
  std::string store_root;  // home = <store_root>/<user>
  size_t max_queue = 1024;  // requests waiting for a free worker
};

class PamBackend : public Backend, public std::enable_shared_from_this<PamBackend> {
 public:
  // Forks the workers now. Call before the process starts threads.
  static std::shared_ptr<PamBackend> create(asio::any_io_executor ex, PamBackendSettings s);
  ~PamBackend() override;

  awaitable<AuthOutcome> authenticate(std::string user, const Credentials& creds, std::string service,
                                      std::string remote_ip) override;
  awaitable<LookupOutcome> lookup(std::string user) override;
  const char* name() const override { return "pam"; }
  void shutdown() override;

  // For tests and logs.
  int workers_started() const { return started_; }
  std::vector<pid_t> worker_pids() const;

 private:
  struct Worker {
    pid_t pid = -1;
    asio::local::stream_protocol::socket sock;
    int served = 0;
    explicit Worker(asio::any_io_executor ex) : sock(ex) {}
    ~Worker();  // kills and reaps a process still owned
  };
  PamBackend(asio::any_io_executor ex, PamBackendSettings s);
  std::unique_ptr<Worker> spawn();
  awaitable<std::unique_ptr<Worker>> acquire();
  void release(std::unique_ptr<Worker> w);                    // busy -> idle
  void retire_idle(std::unique_ptr<Worker> w, bool kill_it);  // close, reap in background
  void replace_busy(std::unique_ptr<Worker> w, bool kill_it); // retire and start another
  awaitable<std::optional<std::vector<std::string>>> call(std::vector<std::string> request);

  asio::any_io_executor ex_;
  PamBackendSettings s_;
  std::vector<std::unique_ptr<Worker>> idle_;
  int busy_ = 0;
  std::deque<std::shared_ptr<asio::steady_timer>> waiters_;
  std::shared_ptr<std::set<pid_t>> reaping_ = std::make_shared<std::set<pid_t>>();
  bool stopped_ = false;
  int started_ = 0;
};

}  // namespace postern::auth
