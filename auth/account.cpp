// Account names and mail-eligibility of system accounts (see account.hpp).
// Trust boundary: network-supplied names are validated before any NSS call.
#include "auth/account.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/util/strings.hpp"

namespace postern::auth {

std::optional<std::string> normalize_user(std::string_view name, const std::vector<std::string>& domains) {
  std::string_view local = name;
  size_t at = name.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view domain = name.substr(at + 1);
    local = name.substr(0, at);
    if (domain.empty()) return std::nullopt;
    if (!domains.empty()) {
      bool ours = false;
      for (const auto& d : domains)
        if (util::iequals(d, domain)) ours = true;
      if (!ours) return std::nullopt;
    }
  }
  if (local.empty() || local.size() > 64) return std::nullopt;
  std::string out = util::to_lower(local);
  for (char c : out)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return std::nullopt;
  if (out[0] == '-' || out[0] == '.') return std::nullopt;
  return out;
}

std::string mail_home(const std::string& store_root, const std::string& user) {
  if (store_root.empty()) return {};
  std::string r = store_root;
  if (r.back() != '/') r += '/';
  return r + user;
}

AccountCheck check_system_account(const std::string& user, uint32_t min_uid, const std::string& require_group) {
  AccountCheck out;
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* res = nullptr;
  int rc;
  while ((rc = getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &res)) == ERANGE && buf.size() < (1u << 20))
    buf.resize(buf.size() * 2);
  if (rc != 0 && rc != ENOENT && rc != ESRCH) {
    out.reason = std::string("getpwnam_r: ") + std::strerror(rc);
    return out;
  }
  if (!res) {
    out.status = AccountStatus::unknown;
    out.reason = "unknown user";
    return out;
  }
  out.user = pw.pw_name;
  if (pw.pw_uid < min_uid) {
    out.status = AccountStatus::not_mail_user;
    out.reason = "uid below auth.min_uid";
    return out;
  }
  if (!require_group.empty()) {
    std::vector<char> gbuf(16384);
    group gr{};
    group* gres = nullptr;
    while ((rc = getgrnam_r(require_group.c_str(), &gr, gbuf.data(), gbuf.size(), &gres)) == ERANGE &&
           gbuf.size() < (1u << 20))
      gbuf.resize(gbuf.size() * 2);
    if (rc != 0 || !gres) {
      out.reason = "auth.require_group '" + require_group + "' does not exist";
      return out;
    }
    gid_t want = gr.gr_gid;
    bool member = pw.pw_gid == want;
    if (!member) {
      std::vector<gid_t> groups(64);
      int n = static_cast<int>(groups.size());
      while (getgrouplist(pw.pw_name, pw.pw_gid, groups.data(), &n) < 0) {
        // n now holds the number needed
        if (n <= static_cast<int>(groups.size())) n = static_cast<int>(groups.size()) * 2;
        if (n > 65536) {
          n = 0;
          break;
        }
        groups.resize(n);
      }
      for (int i = 0; i < n && i < static_cast<int>(groups.size()); ++i)
        if (groups[i] == want) member = true;
    }
    if (!member) {
      out.status = AccountStatus::not_mail_user;
      out.reason = "not in auth.require_group";
      return out;
    }
  }
  out.status = AccountStatus::ok;
  return out;
}

}  // namespace postern::auth
