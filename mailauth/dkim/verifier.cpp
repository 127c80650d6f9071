// DKIM verifier (see verifier.hpp).
// Trust boundary: untrusted message and DNS. All hashing happens before the
// first DNS query; DNS answers are parsed strictly.
// RFC 6376 6.1 (verification steps), 6.1.1 (PERMFAIL conditions), 6.1.2
// (key lookup, TEMPFAIL on DNS trouble, revoked keys, k/h/s/t tags),
// 6.1.3 (body hash, then signature), 3.5 (l=, t=, x=); RFC 8301 3.2;
// RFC 8463; RFC 8601 2.7.1.
#include "mailauth/dkim/verifier.hpp"

#include "mailauth/dkim/canon.hpp"
#include "mailauth/dkim/crypto.hpp"
#include "mailauth/dkim/header_hash.hpp"
#include "mailauth/dkim/key_record.hpp"
#include "mailauth/dkim/message.hpp"
#include "mailauth/dkim/signature.hpp"

#include "common/util/strings.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <tuple>

namespace postern::dkim {

std::string_view to_string(Result r) {
  switch (r) {
    case Result::none: return "none";
    case Result::pass: return "pass";
    case Result::fail: return "fail";
    case Result::policy: return "policy";
    case Result::neutral: return "neutral";
    case Result::temperror: return "temperror";
    case Result::permerror: return "permerror";
  }
  return "none";
}

namespace {

struct Pending {
  SignatureResult result;
  bool decided = false;  // result already final (no DNS needed)
  Signature sig;
  bool body_ok = false;
  std::string data;      // signed header data
};

// Runs the lookups concurrently on the caller's executor and waits for all.
struct FanOut {
  FanOut(const asio::any_io_executor& ex, size_t n)
      : answers(n), remaining(n), done(ex, asio::steady_timer::time_point::max()) {}
  std::vector<dns::Answer> answers;
  size_t remaining;
  asio::steady_timer done;
};

asio::awaitable<void> lookup_one(dns::Resolver& resolver, std::string name, std::shared_ptr<FanOut> st, size_t i) {
  dns::Answer a;
  try {
    a = co_await resolver.query(name, dns::RType::TXT);
  } catch (const std::exception& e) {  // Resolver promises not to throw; be safe anyway
    a.status = dns::Status::temperror;
    a.error = e.what();
  }
  st->answers[i] = std::move(a);
  if (--st->remaining == 0) st->done.cancel();
}

asio::awaitable<std::vector<dns::Answer>> lookup_all(dns::Resolver& resolver, const std::vector<std::string>& names) {
  std::vector<dns::Answer> out;
  if (names.empty()) co_return out;
  if (names.size() == 1) {
    dns::Answer a = co_await resolver.query(names[0], dns::RType::TXT);
    out.push_back(std::move(a));
    co_return out;
  }
  auto ex = co_await asio::this_coro::executor;
  auto st = std::make_shared<FanOut>(ex, names.size());
  for (size_t i = 0; i < names.size(); ++i) asio::co_spawn(ex, lookup_one(resolver, names[i], st, i), asio::detached);
  while (st->remaining > 0) {
    asio::error_code ec;
    co_await st->done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  co_return std::move(st->answers);
}

}  // namespace

asio::awaitable<std::vector<SignatureResult>> verify(dns::Resolver& resolver, std::string_view message,
                                                     VerifyOptions options) {
  std::vector<Pending> pending;
  {
    std::optional<Message> msg;
    try {
      msg.emplace(Message::parse(message));
    } catch (const MessageError& e) {
      // Without a parsable header nothing can be verified; say so once.
      SignatureResult r;
      r.result = Result::permerror;
      r.reason = std::string("malformed message: ") + e.what();
      co_return std::vector<SignatureResult>{r};
    }
    const std::time_t now = options.now ? *options.now : std::time(nullptr);
    const int64_t skew = options.clock_skew.count();
    std::map<std::tuple<int, uint64_t>, BodyHash> body_cache;  // (canon, l or max) -> hash

    for (const auto& field : msg->headers()) {
      if (!util::iequals(field.name, "DKIM-Signature")) continue;
      if (pending.size() >= options.max_signatures) break;
      Pending p;
      std::string_view value = field.value();
      std::string err = parse_signature(value, p.sig);
      SignatureResult& r = p.result;
      r.domain = p.sig.domain;
      r.selector = p.sig.selector;
      r.algorithm = p.sig.algorithm_text;
      r.header_b = p.sig.b_text.substr(0, 8);
      r.identity = p.sig.identity;
      r.length = p.sig.length;
      if (!err.empty()) {
        r.result = Result::permerror;
        r.reason = err;
        p.decided = true;
        pending.push_back(std::move(p));
        continue;
      }
      // 3.5 x=: expired signatures; t= in the future (with skew).
      if (p.sig.expiration && *p.sig.expiration + skew < now) {
        r.result = Result::policy;
        r.reason = "signature expired (x=)";
        p.decided = true;
      } else if (p.sig.timestamp && *p.sig.timestamp > now + skew) {
        r.result = Result::policy;
        r.reason = "signature timestamp (t=) is in the future";
        p.decided = true;
      }
      if (!p.decided) {
        // 6.1.3: body hash, limited to l= octets.
        uint64_t limit = p.sig.length.value_or(UINT64_MAX);
        auto key = std::make_tuple(static_cast<int>(p.sig.body_canon), limit);
        auto it = body_cache.find(key);
        if (it == body_cache.end())
          it = body_cache.emplace(key, body_hash(p.sig.body_canon, msg->body(), p.sig.length)).first;
        if (p.sig.length && *p.sig.length > it->second.canonical_length) {
          r.result = Result::permerror;
          r.reason = "l= is longer than the body";
          p.decided = true;
        } else {
          p.body_ok = it->second.digest == p.sig.bh;
          // The field itself with the b= value blanked (3.7).
          std::string_view raw = field.raw;
          size_t value_off = static_cast<size_t>(value.data() - raw.data());
          std::string blanked(raw.substr(0, value_off + p.sig.b_begin));
          blanked += raw.substr(value_off + p.sig.b_end);
          p.data = signed_header_data(*msg, p.sig.headers, p.sig.header_canon, blanked);
        }
      }
      pending.push_back(std::move(p));
    }
  }

  // 6.1.2: the key records at <s>._domainkey.<d>, each name once, all
  // queried at the same time so that several slow domains cost one timeout.
  std::vector<std::string> names;
  std::vector<size_t> slot(pending.size(), SIZE_MAX);
  for (size_t i = 0; i < pending.size(); ++i) {
    if (pending[i].decided) continue;
    std::string name = pending[i].sig.selector + "._domainkey." + pending[i].sig.domain;
    auto it = std::find(names.begin(), names.end(), name);
    slot[i] = static_cast<size_t>(it - names.begin());
    if (it == names.end()) names.push_back(std::move(name));
  }
  std::vector<dns::Answer> answers = co_await lookup_all(resolver, names);

  std::vector<SignatureResult> results;
  for (size_t i = 0; i < pending.size(); ++i) {
    Pending& p = pending[i];
    SignatureResult& r = p.result;
    if (p.decided) {
      results.push_back(std::move(r));
      continue;
    }
    const std::string& name = names[slot[i]];
    const dns::Answer& ans = answers[slot[i]];
    r.result = Result::permerror;
    if (ans.status == dns::Status::temperror || ans.bogus) {
      r.result = Result::temperror;
      r.reason = "key lookup " + name + " failed: " + (ans.error.empty() ? "temporary DNS error" : ans.error);
    } else if (ans.status == dns::Status::nxdomain || ans.status == dns::Status::nodata ||
               (ans.status == dns::Status::ok && ans.txt.empty())) {
      r.reason = "no key record at " + name;
    } else if (ans.status != dns::Status::ok) {
      r.reason = "key lookup " + name + " failed: " + ans.error;
    } else {
      // Several TXT records: use the first that parses (3.6.2.2).
      KeyRecord rec;
      std::string err = "no usable key record";
      bool found = false;
      for (const auto& txt : ans.txt) {
        if (txt.size() > 16 * 1024) continue;
        err = parse_key_record(txt, rec);
        if (err.empty()) {
          found = true;
          break;
        }
      }
      r.testing = found && rec.testing;
      Pkey key;
      if (!found) {
        r.reason = err;
      } else if (rec.revoked) {
        r.reason = "key revoked (empty p=)";
      } else if (rec.type != key_type_of(p.sig.algorithm)) {
        r.reason = "key type k=" + std::string(to_string(rec.type)) + " does not match a=" + p.sig.algorithm_text;
      } else if (!rec.sha256_allowed) {
        r.reason = "key record h= does not allow sha256";
      } else if (!rec.email_service) {
        r.reason = "key record s= is not for email";
      } else if (rec.strict && p.sig.identity_domain != p.sig.domain) {
        r.reason = "key record t=s requires the i= domain to equal d=";
      } else if (!(key = decode_public_key(rec.type, rec.public_key, err))) {
        r.reason = err;
      } else if (rec.type == KeyType::rsa && key_bits(key.get()) < options.min_rsa_bits) {
        r.reason = "RSA key of " + std::to_string(key_bits(key.get())) + " bits is too short (minimum " +
                   std::to_string(options.min_rsa_bits) + ")";
      } else if (!p.body_ok) {
        r.result = Result::fail;
        r.reason = "body hash did not verify";
      } else if (!verify_data(key.get(), p.sig.algorithm, p.data, p.sig.b)) {
        r.result = Result::fail;
        r.reason = "signature did not verify";
      } else {
        r.result = Result::pass;
        r.reason.clear();
      }
    }
    results.push_back(std::move(r));
  }
  co_return results;
}

}  // namespace postern::dkim
