// SPF (RFC 7208): the check_host() function for the MAIL FROM and HELO
// identities, its results, and the header fragments that report them.
// Trust boundary: the client IP, HELO and MAIL FROM come from the SMTP client,
// the records from DNS; both are untrusted. All DNS goes through
// dns::Resolver (asynchronous); the processing limits of section 4.6.4 bound
// the work one check can cause.
// RFC 7208 sections 2.3-2.6 (identities, results), 4 (check_host), 5
// (mechanisms), 6 (modifiers), 7 (macros), 9.1 (Received-SPF);
// RFC 8601 section 2.7.2 (Authentication-Results "spf" method).
#pragma once

#include "common/dns/resolver.hpp"

#include <asio.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postern::spf {

using asio::awaitable;

enum class Code { none, neutral, pass, fail, softfail, temperror, permerror };
std::string_view to_string(Code c);  // "pass", "fail", ... (section 2.6)

struct Result {
  Code code = Code::none;
  std::string explanation;  // for fail: from exp= (section 6.2) or the default
  std::string mechanism;    // the directive that matched ("-all", "include:x"), "" if none
  std::string problem;      // why: temperror / permerror / none diagnostics
  std::string domain;       // the domain the check was made for
};

struct Options {
  // Section 6.2: used when the record has no usable exp=. A macro-string
  // expanded like an exp= text (so %{o}, %{i}, %{c} may be used).
  std::string default_explanation = "%{o} does not designate %{c} as a permitted sender";
  std::string receiver;  // %{r}: our host name ("" = "unknown")
  std::optional<int64_t> now;  // %{t}: seconds since the epoch (default: the clock)
  int max_dns_mechanisms = 10;  // section 4.6.4
  int max_void_lookups = 2;     // section 4.6.4
};

// Parameters are taken by value so the coroutine owns them (a caller may
// co_spawn it and let its temporaries go); the resolver must outlive it.
// Section 4: check_host(<ip>, <domain>, <sender>). sender is local@domain
// (an empty local-part becomes "postmaster", section 4.3); helo feeds %{h}.
awaitable<Result> check_host(dns::Resolver& resolver, asio::ip::address ip, std::string domain, std::string sender,
                             std::string helo, Options options = {});

// The MAIL FROM identity (section 2.4): the domain of mail_from, or, for the
// null reverse-path "<>" (mail_from empty), postmaster@<helo>.
awaitable<Result> check_mail_from(dns::Resolver& resolver, asio::ip::address ip, std::string mail_from,
                                  std::string helo, Options options = {});

// The HELO identity (section 2.3).
awaitable<Result> check_helo(dns::Resolver& resolver, asio::ip::address ip, std::string helo,
                             Options options = {});

// RFC 8601 method fragment: "spf=pass smtp.mailfrom=example.org" (or
// smtp.helo=... when mail_from is empty).
std::string auth_results_fragment(const Result& r, std::string_view mail_from, std::string_view helo);

// RFC 7208 section 9.1 Received-SPF header field value (without the name),
// e.g. "pass (mx.example.net: domain of a@b.example designates 192.0.2.1 as
// permitted sender) client-ip=192.0.2.1; envelope-from=\"a@b.example\"; helo=h.example;"
std::string received_spf(const Result& r, const asio::ip::address& ip, std::string_view mail_from,
                         std::string_view helo, std::string_view receiver);

}  // namespace postern::spf
