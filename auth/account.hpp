// Which names are accounts: normalizing what a client typed ("Alice",
// "alice@example.org") to a local user name, and deciding whether a system
// account may receive mail (uid >= auth.min_uid, member of
// auth.require_group if set).
// Trust boundary: names come from the network; system lookups go through
// NSS (getpwnam_r, getgrouplist) and may block, so check_system_account runs
// only in the PAM worker processes, never on the event loop.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::auth {

// "Alice" -> "alice"; "alice@Example.org" -> "alice" when example.org is in
// `domains` (or `domains` is empty). nullopt: not a name we could serve
// (empty, longer than 64, characters outside [a-z0-9._-], leading '-' or
// '.', or a foreign domain).
std::optional<std::string> normalize_user(std::string_view name, const std::vector<std::string>& domains);

// The mail directory for a user: the configured one if any, else <root>/<user>.
std::string mail_home(const std::string& store_root, const std::string& user);

enum class AccountStatus { ok, unknown, not_mail_user, error };
struct AccountCheck {
  AccountStatus status = AccountStatus::error;
  std::string user;    // pw_name on ok
  std::string reason;  // on anything else
};
AccountCheck check_system_account(const std::string& user, uint32_t min_uid, const std::string& require_group);

}  // namespace postern::auth
