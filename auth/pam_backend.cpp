// PAM backend: the worker-process pool (see pam_backend.hpp).
// Trust boundary: worker replies are framed, bounded and checked; a worker
// that misbehaves is killed. Passwords cross the socketpair only.
#include "auth/pam_backend.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "auth/account.hpp"
#include "auth/worker_frame.hpp"
#include "common/log/log.hpp"

namespace postern::auth {
namespace {

[[noreturn]] void child_main(int fd, const PamWorkerSettings& s) {
  // Back to a plain process: default signal handlers, nothing blocked, only
  // stdin/stdout/stderr and the socketpair (as fd 3) open.
  struct sigaction sa {};
  sa.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  prctl(PR_SET_NAME, "authd-pam-worker");
  if (fd != 3) {
    if (dup2(fd, 3) < 0) _exit(70);
  }
  if (close_range(4, ~0U, 0) != 0)
    for (int i = 4; i < 4096; ++i) close(i);
  run_pam_worker(3, s);
  _exit(0);
}

awaitable<void> reap(pid_t pid, std::shared_ptr<std::set<pid_t>> reaping) {
  asio::steady_timer t(co_await asio::this_coro::executor);
  for (int i = 0;; ++i) {
    if (!reaping->count(pid)) co_return;  // reaped by the destructor
    int st = 0;
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) {
      reaping->erase(pid);
      co_return;
    }
    if (i == 40) kill(pid, SIGKILL);  // 2 s to exit after its socket closed
    t.expires_after(std::chrono::milliseconds(50));
    co_await t.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }
}

// Writes one frame and reads the reply frame. Never throws: false on any
// error (a dead worker), so the timeout race below ends at once.
awaitable<bool> exchange(asio::local::stream_protocol::socket& sock, const std::string& data,
                         std::vector<std::string>* reply) {
  auto [wec, wn] = co_await asio::async_write(sock, asio::buffer(data), asio::experimental::as_tuple(asio::use_awaitable));
  (void)wn;
  if (wec) co_return false;
  frame::Reader reader;
  std::array<char, 1024> buf;
  for (;;) {
    auto st = reader.next(reply);
    if (st == frame::Reader::Status::frame) co_return true;
    if (st == frame::Reader::Status::error) co_return false;
    auto [ec, n] = co_await sock.async_read_some(asio::buffer(buf.data(), buf.size()), asio::experimental::as_tuple(asio::use_awaitable));
    if (ec) co_return false;
    reader.feed(std::string_view(buf.data(), n));
  }
}

}  // namespace

PamBackend::Worker::~Worker() {
  if (pid > 0) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
}

PamBackend::PamBackend(asio::any_io_executor ex, PamBackendSettings s) : ex_(std::move(ex)), s_(std::move(s)) {
  if (s_.workers < 1) s_.workers = 1;
  if (s_.max_requests < 1) s_.max_requests = 1;
}

std::shared_ptr<PamBackend> PamBackend::create(asio::any_io_executor ex, PamBackendSettings s) {
  std::shared_ptr<PamBackend> p(new PamBackend(std::move(ex), std::move(s)));
  for (int i = 0; i < p->s_.workers; ++i)
    if (auto w = p->spawn()) p->idle_.push_back(std::move(w));
  if (p->idle_.empty()) throw std::runtime_error("cannot start any PAM worker process");
  return p;
}

PamBackend::~PamBackend() {
  stopped_ = true;
  idle_.clear();  // Worker destructors kill and reap
  for (pid_t pid : *reaping_) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  reaping_->clear();
}

std::unique_ptr<PamBackend::Worker> PamBackend::spawn() {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    log::error("auth: socketpair for a PAM worker: {}", strerror(errno));
    return nullptr;
  }
  pid_t pid = fork();
  if (pid < 0) {
    log::error("auth: fork for a PAM worker: {}", strerror(errno));
    close(sv[0]);
    close(sv[1]);
    return nullptr;
  }
  if (pid == 0) child_main(sv[1], s_.worker);
  close(sv[1]);
  auto w = std::make_unique<Worker>(ex_);
  w->sock.assign(asio::local::stream_protocol(), sv[0]);
  w->pid = pid;
  ++started_;
  log::debug("auth: started PAM worker pid {}", pid);
  return w;
}

std::vector<pid_t> PamBackend::worker_pids() const {
  std::vector<pid_t> out;
  for (auto& w : idle_) out.push_back(w->pid);
  return out;
}

awaitable<std::unique_ptr<PamBackend::Worker>> PamBackend::acquire() {
  for (;;) {
    if (stopped_) co_return nullptr;
    if (!idle_.empty()) {
      auto w = std::move(idle_.back());
      idle_.pop_back();
      ++busy_;
      co_return w;
    }
    if (busy_ == 0) {  // no worker at all (spawning failed before): try now
      auto w = spawn();
      if (!w) co_return nullptr;
      ++busy_;
      co_return w;
    }
    if (waiters_.size() >= s_.max_queue) co_return nullptr;
    auto t = std::make_shared<asio::steady_timer>(ex_);
    t->expires_after(s_.request_timeout);
    waiters_.push_back(t);
    auto [ec] = co_await t->async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    std::erase(waiters_, t);
    // Timed out: give up, unless a worker came free just as the timer fired.
    if (!ec && (idle_.empty() || stopped_)) co_return nullptr;
  }
}

void PamBackend::release(std::unique_ptr<Worker> w) {
  --busy_;
  if (stopped_) {
    retire_idle(std::move(w), false);
    return;
  }
  idle_.push_back(std::move(w));
  if (!waiters_.empty()) {
    waiters_.front()->cancel();
    waiters_.pop_front();
  }
}

void PamBackend::retire_idle(std::unique_ptr<Worker> w, bool kill_it) {
  pid_t pid = w->pid;
  w->pid = -1;
  asio::error_code ec;
  w->sock.close(ec);
  if (pid <= 0) return;
  if (kill_it) kill(pid, SIGKILL);
  reaping_->insert(pid);
  asio::co_spawn(ex_, reap(pid, reaping_), asio::detached);
}

void PamBackend::replace_busy(std::unique_ptr<Worker> w, bool kill_it) {
  retire_idle(std::move(w), kill_it);
  if (stopped_) {
    --busy_;
    return;
  }
  auto n = spawn();
  if (n) {
    release(std::move(n));  // takes over the busy slot
  } else {
    --busy_;
  }
}

awaitable<std::optional<std::vector<std::string>>> PamBackend::call(std::vector<std::string> request) {
  auto self = shared_from_this();
  auto enc = frame::encode(request);
  for (auto& f : request) explicit_bzero(f.data(), f.size());
  if (!enc) co_return std::nullopt;
  auto w = co_await acquire();
  if (!w) {
    explicit_bzero(enc->data(), enc->size());
    co_return std::nullopt;
  }
  std::vector<std::string> reply;
  asio::steady_timer timer(ex_);
  timer.expires_after(s_.request_timeout);
  using namespace asio::experimental::awaitable_operators;
  auto res = co_await (exchange(w->sock, *enc, &reply) ||
                       timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable)));
  explicit_bzero(enc->data(), enc->size());
  if (res.index() == 0 && std::get<0>(res)) {
    if (++w->served >= s_.max_requests) {
      log::debug("auth: recycling PAM worker pid {} after {} requests", w->pid, w->served);
      replace_busy(std::move(w), false);
    } else {
      release(std::move(w));
    }
    co_return reply;
  }
  log::warn("auth: PAM worker pid {} {}; replacing it", w->pid,
            res.index() == 0 ? "died" : "exceeded auth.request_timeout");
  replace_busy(std::move(w), true);
  co_return std::nullopt;
}

awaitable<AuthOutcome> PamBackend::authenticate(std::string user, const Credentials& creds, std::string service,
                                                std::string remote_ip) {
  auto self = shared_from_this();
  std::vector<std::string> req{"A", service, user, creds.password, remote_ip};
  auto r = co_await call(std::move(req));
  AuthOutcome out;
  if (!r || r->size() != 3) {
    out.status = AuthOutcome::Status::temp;
    out.reason = r ? "malformed worker reply" : "PAM worker unavailable, died or timed out";
    co_return out;
  }
  const auto& v = *r;
  if (v[0] == "ok" && !v[1].empty()) {
    out.status = AuthOutcome::Status::ok;
    out.user = v[1];
    out.home = mail_home(s_.store_root, v[1]);
  } else if (v[0] == "fail") {
    out.status = AuthOutcome::Status::fail;
    out.reason = v[2];
  } else {
    out.status = AuthOutcome::Status::temp;
    out.reason = v[2].empty() ? "PAM error" : v[2];
  }
  co_return out;
}

awaitable<LookupOutcome> PamBackend::lookup(std::string user) {
  auto self = shared_from_this();
  std::vector<std::string> req{"L", user};
  auto r = co_await call(std::move(req));
  LookupOutcome out;
  if (!r || r->size() != 3) {
    out.reason = r ? "malformed worker reply" : "PAM worker unavailable, died or timed out";
    co_return out;
  }
  const auto& v = *r;
  if (v[0] == "found" && !v[1].empty()) {
    out.status = LookupOutcome::Status::found;
    out.user = v[1];
    out.home = mail_home(s_.store_root, v[1]);
  } else if (v[0] == "notfound") {
    out.status = LookupOutcome::Status::notfound;
  } else {
    out.reason = v[2];
  }
  co_return out;
}

void PamBackend::shutdown() {
  stopped_ = true;
  for (auto& t : waiters_) t->cancel();
  waiters_.clear();
  auto idle = std::move(idle_);
  idle_.clear();
  for (auto& w : idle) retire_idle(std::move(w), false);
}

}  // namespace postern::auth
