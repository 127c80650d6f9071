// The MessageFilter wrapper around MailAuth: picks the port 25 or the
// submission path, logs one line per message with the connection id, and
// hands FilterVerdict to the session.
// RFC 8601 5: the authserv-ids whose fields we remove are ours (the
// configured authserv-id and our host name).
// Trust boundary: see mailauth_filter.hpp.
#include "smtp/mailauth/mailauth_filter.hpp"

#include "common/log/log.hpp"
#include "common/util/strings.hpp"

#include <utility>

namespace postern::smtp::mailauth {

namespace {

// Fills FilterVerdict::rewritten_message once smtp/filter.hpp has that
// field; without it the removal is computed and logged but the session
// stores the message unchanged.
template <typename V>
void set_rewritten(V& verdict, std::optional<std::string>& message) {
  if constexpr (requires { verdict.rewritten_message = std::move(message); })
    verdict.rewritten_message = std::move(message);
}

asio::awaitable<FilterVerdict> run_filter(std::shared_ptr<const MailAuth> ma, const FilterInput& in) {
  Outcome o = co_await ma->run(in);
  set_rewritten(o.verdict, o.rewritten_message);
  co_return std::move(o.verdict);
}

}  // namespace

MailAuth::MailAuth(const config::Config& cfg, std::shared_ptr<dns::Resolver> resolver,
                   std::shared_ptr<const dkim::Signer> signer, FilterOptions options)
    : cfg_(cfg), resolver_(std::move(resolver)), signer_(std::move(signer)), options_(std::move(options)) {
  std::string id = cfg_.mailauth.authserv_id.empty() ? cfg_.server.hostname : cfg_.mailauth.authserv_id;
  if (id.empty()) id = "localhost";
  our_ids_.push_back(id);
  if (!cfg_.server.hostname.empty() && !util::iequals(cfg_.server.hostname, id))
    our_ids_.push_back(cfg_.server.hostname);
  if (!resolver_) throw std::invalid_argument("mailauth filter needs a DNS resolver");
}

asio::awaitable<Outcome> MailAuth::run(const FilterInput& in) const {
  Outcome o;
  if (in.mode == Mode::mx)
    o = co_await inbound(in);
  else
    o = submission(in);
  log::info("{} {}", in.connection_id, o.log_line);
  co_return o;
}

MessageFilter make_mailauth_filter(const config::Config& cfg, std::shared_ptr<dns::Resolver> resolver,
                                   std::shared_ptr<const dkim::Signer> signer, FilterOptions options) {
  auto ma = std::make_shared<const MailAuth>(cfg, std::move(resolver), std::move(signer), std::move(options));
  // Not a coroutine lambda: the state travels into run_filter's frame by value.
  return [ma](const FilterInput& in) { return run_filter(ma, in); };
}

}  // namespace postern::smtp::mailauth
