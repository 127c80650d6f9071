// UnboundResolver (see unbound_resolver.hpp): libunbound's asynchronous API
// under Asio. Trust boundary: network answers, decoded by wire.cpp.
// Status mapping: libunbound errors, SERVFAIL and other rcodes, DNSSEC-bogus
// answers and our own timeout -> temperror; NXDOMAIN (RFC 1035 4.1.1 rcode 3)
// -> nxdomain; NOERROR without data (RFC 2308 "NODATA") -> nodata.
#include "common/dns/unbound_resolver.hpp"

#include "common/dns/cache.hpp"
#include "common/dns/names.hpp"
#include "common/dns/wire.hpp"
#include "common/log/log.hpp"

#include <unbound.h>
#include <unistd.h>

#include <optional>
#include <stdexcept>
#include <unordered_map>

namespace postern::dns {

UnboundOptions UnboundOptions::from_config(const config::DnsConfig& dns) {
  UnboundOptions o;
  for (const auto& e : dns.upstreams)
    o.upstreams.push_back(e.port ? e.address + "@" + std::to_string(e.port) : e.address);
  o.trust_anchor_file = dns.trust_anchor_file;
  o.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(dns.timeout);
  o.cache_entries = dns.cache_entries > 0 ? size_t(dns.cache_entries) : 0;
  return o;
}

namespace {

constexpr int rcode_nxdomain = 3;

Answer convert(int err, ub_result* r, RType type) {
  Answer a;
  if (err != 0 || !r) {
    a.status = Status::temperror;
    a.error = std::string("resolver error: ") + ub_strerror(err);
    return a;
  }
  a.secure = r->secure != 0;
  a.bogus = r->bogus != 0;
  a.ttl = r->ttl > 0 ? uint32_t(r->ttl) : 0;
  if (r->bogus) {  // RFC 4035 section 5.5: bogus data must not be used
    a.status = Status::temperror;
    a.error = std::string("DNSSEC validation failed: ") + (r->why_bogus ? r->why_bogus : "bogus");
    return a;
  }
  if (r->nxdomain || r->rcode == rcode_nxdomain) {
    a.status = Status::nxdomain;
    return a;
  }
  if (r->rcode != 0) {
    a.status = Status::temperror;
    a.error = "DNS rcode " + std::to_string(r->rcode) + (r->rcode == 2 ? " (SERVFAIL)" : "");
    return a;
  }
  if (!r->havedata || !r->data) {
    a.status = Status::nodata;
    return a;
  }
  for (int i = 0; r->data[i]; ++i) {
    if (i >= 4096) break;  // bound the records we take from one answer
    auto bytes = wire::Bytes(reinterpret_cast<const uint8_t*>(r->data[i]), size_t(r->len[i]));
    if (!wire::add_rdata(a, type, bytes)) {
      a = Answer{};
      a.status = Status::permerror;
      a.error = "malformed record in answer";
      return a;
    }
  }
  a.status = Status::ok;
  return a;
}

}  // namespace

struct UnboundResolver::Impl : std::enable_shared_from_this<Impl> {
  struct Pending {
    explicit Pending(asio::any_io_executor ex) : timer(std::move(ex)) {}
    asio::steady_timer timer;
    std::optional<Answer> answer;
    int async_id = 0;
    uint64_t serial = 0;
    RType type = RType::A;
    Impl* owner = nullptr;
  };

  Impl(asio::any_io_executor ex, UnboundOptions o)
      : executor(ex), options(std::move(o)), watcher(ex), cache(options.cache_entries) {}

  ~Impl() {
    if (watcher.is_open()) watcher.release();  // the fd belongs to libunbound
    if (ctx) ub_ctx_delete(ctx);
  }

  static void on_result(void* data, int err, ub_result* result) {
    auto* p = static_cast<Pending*>(data);
    p->answer = convert(err, result, p->type);
    if (result) ub_resolve_free(result);
    p->timer.cancel();
    p->owner->pending.erase(p->serial);  // the waiting coroutine holds its own reference
  }

  void watch() {
    if (watching || closed || pending.empty()) return;
    watching = true;
    watcher.async_wait(asio::posix::stream_descriptor::wait_read,
                       [self = shared_from_this()](const asio::error_code& ec) {
                         self->watching = false;
                         if (self->closed) return;
                         if (ec && ec != asio::error::operation_aborted) {
                           log::error("dns: waiting on libunbound: {}", ec.message());
                           return;
                         }
                         if (!ec) {
                           int rc = ub_process(self->ctx);
                           if (rc != 0) log::warn("dns: ub_process: {}", ub_strerror(rc));
                         }
                         self->watch();  // re-arms only while queries are pending
                       });
  }

  void shutdown() {
    closed = true;
    asio::error_code ignored;
    watcher.cancel(ignored);
    for (auto& [serial, p] : pending) {
      ub_cancel(ctx, p->async_id);
      Answer a;
      a.status = Status::temperror;
      a.error = "resolver shut down";
      p->answer = a;
      p->timer.cancel();
    }
    pending.clear();
  }

  asio::any_io_executor executor;
  UnboundOptions options;
  ub_ctx* ctx = nullptr;
  asio::posix::stream_descriptor watcher;
  std::unordered_map<uint64_t, std::shared_ptr<Pending>> pending;
  uint64_t next_serial = 1;
  AnswerCache cache;
  bool watching = false;
  bool closed = false;
  bool validating = false;
  size_t network_queries = 0;
};

UnboundResolver::UnboundResolver(asio::any_io_executor executor, UnboundOptions options)
    : impl_(std::make_shared<Impl>(executor, std::move(options))) {
  Impl& d = *impl_;
  d.ctx = ub_ctx_create();
  if (!d.ctx) throw std::runtime_error("dns: cannot create libunbound context");
  auto check = [&](int rc, const std::string& what) {
    if (rc != 0) throw std::runtime_error("dns: " + what + ": " + ub_strerror(rc));
  };
  // Resolution runs in libunbound's own thread; results come back through
  // ub_fd()/ub_process() on our event loop.
  check(ub_ctx_async(d.ctx, 1), "ub_ctx_async");
  // Upstreams on loopback (a local caching resolver, or tests) must be usable.
  check(ub_ctx_set_option(d.ctx, "do-not-query-localhost:", "no"), "do-not-query-localhost");
  if (!d.options.upstreams.empty()) {
    for (const auto& u : d.options.upstreams) check(ub_ctx_set_fwd(d.ctx, u.c_str()), "upstream " + u);
  } else if (!d.options.resolv_conf.empty() && ::access(d.options.resolv_conf.c_str(), R_OK) == 0) {
    check(ub_ctx_resolvconf(d.ctx, d.options.resolv_conf.c_str()), "reading " + d.options.resolv_conf);
  } else {
    log::warn("dns: no upstreams and no {}: resolving from the root servers", d.options.resolv_conf);
  }
  if (!d.options.trust_anchor_file.empty() && ::access(d.options.trust_anchor_file.c_str(), R_OK) == 0) {
    // ub_ctx_add_ta_file only reads the file (the _autr variant would rewrite
    // it, which the unprivileged daemon cannot and should not do).
    check(ub_ctx_add_ta_file(d.ctx, d.options.trust_anchor_file.c_str()),
          "trust anchor " + d.options.trust_anchor_file);
    d.validating = true;
  }
  int fd = ub_fd(d.ctx);
  if (fd < 0) throw std::runtime_error("dns: ub_fd failed");
  d.watcher.assign(fd);
}

UnboundResolver::~UnboundResolver() { impl_->shutdown(); }

size_t UnboundResolver::cache_size() const { return impl_->cache.size(); }
size_t UnboundResolver::network_queries() const { return impl_->network_queries; }
bool UnboundResolver::validating() const { return impl_->validating; }

awaitable<Answer> UnboundResolver::query(std::string name_in, RType type) {
  std::shared_ptr<Impl> d = impl_;  // keeps the context alive while we wait
  std::string name = normalize_name(name_in);
  Answer a;
  if (!valid_query_name(name)) {
    a.status = Status::permerror;
    a.error = "invalid domain name";
    co_return a;
  }
  if (d->closed) {
    a.status = Status::temperror;
    a.error = "resolver shut down";
    co_return a;
  }
  if (auto hit = d->cache.get(name, type, AnswerCache::Clock::now())) co_return *hit;

  auto p = std::make_shared<Impl::Pending>(d->executor);
  p->serial = d->next_serial++;
  p->type = type;
  p->owner = d.get();
  p->timer.expires_after(d->options.timeout);
  int rc = ub_resolve_async(d->ctx, name.c_str(), static_cast<int>(type), 1 /* IN */, p.get(), &Impl::on_result,
                            &p->async_id);
  if (rc != 0) {
    a.status = Status::temperror;
    a.error = std::string("resolver error: ") + ub_strerror(rc);
    co_return a;
  }
  ++d->network_queries;
  d->pending.emplace(p->serial, p);
  d->watch();

  asio::error_code ec;
  co_await p->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  if (!p->answer) {  // the timer expired first: give up on this query
    ub_cancel(d->ctx, p->async_id);
    d->pending.erase(p->serial);
    if (d->pending.empty() && d->watching) {
      asio::error_code ignored;
      d->watcher.cancel(ignored);  // nothing left to wait for: let the loop go idle
    }
    a.status = Status::temperror;
    a.error = "timeout after " + std::to_string(d->options.timeout.count()) + " ms";
    co_return a;
  }
  d->cache.put(name, type, *p->answer, AnswerCache::Clock::now());
  co_return *p->answer;
}

}  // namespace postern::dns
