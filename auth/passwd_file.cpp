// passwd-file backend (see passwd_file.hpp). crypt(5) hash formats via
// libcrypt's crypt_r; comparison with CRYPTO_memcmp-style constant time.
// Trust boundary: administrator's file, network passwords.
#include "auth/passwd_file.hpp"

#include <crypt.h>
#include <string.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "auth/account.hpp"
#include "common/log/log.hpp"
#include "common/util/strings.hpp"

namespace postern::auth {

PasswdParse parse_passwd_file(std::string_view text) {
  PasswdParse out;
  int lineno = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view t = util::trim(line);
    if (t.empty() || t[0] == '#') continue;
    size_t c1 = t.find(':');
    if (c1 == std::string_view::npos) {
      out.warnings.push_back("line " + std::to_string(lineno) + ": expected user:hash[:home]");
      continue;
    }
    size_t c2 = t.find(':', c1 + 1);
    std::string_view user = t.substr(0, c1);
    std::string_view hash = t.substr(c1 + 1, c2 == std::string_view::npos ? std::string_view::npos : c2 - c1 - 1);
    std::string_view home = c2 == std::string_view::npos ? std::string_view() : t.substr(c2 + 1);
    auto norm = normalize_user(user, {});
    if (!norm || user.find('@') != std::string_view::npos) {
      out.warnings.push_back("line " + std::to_string(lineno) + ": invalid user name");
      continue;
    }
    if (hash.empty()) {
      out.warnings.push_back("line " + std::to_string(lineno) + ": empty password hash (account disabled)");
      continue;
    }
    if (!home.empty() && home[0] != '/') {
      out.warnings.push_back("line " + std::to_string(lineno) + ": home must be an absolute path");
      continue;
    }
    if (out.entries.count(*norm)) {
      out.warnings.push_back("line " + std::to_string(lineno) + ": duplicate user " + *norm + " (first one wins)");
      continue;
    }
    out.entries.emplace(*norm, PasswdEntry{std::string(hash), std::string(home)});
  }
  return out;
}

bool verify_crypt(std::string_view password, const std::string& hash) {
  if (hash.empty() || hash[0] == '!' || hash[0] == '*') return false;
  auto data = std::make_unique<crypt_data>();
  std::memset(data.get(), 0, sizeof(crypt_data));
  std::string pw(password);
  const char* out = crypt_r(pw.c_str(), hash.c_str(), data.get());
  explicit_bzero(pw.data(), pw.size());
  bool ok = false;
  // crypt_r returns NULL or a string starting with '*' on failure.
  if (out && out[0] != '*') {
    size_t n = strlen(out);
    if (n == hash.size()) {
      unsigned char diff = 0;
      for (size_t i = 0; i < n; ++i) diff |= static_cast<unsigned char>(out[i] ^ hash[i]);
      ok = diff == 0;
    }
  }
  explicit_bzero(data.get(), sizeof(crypt_data));
  return ok;
}

PasswdFileBackend::PasswdFileBackend(asio::any_io_executor ex, std::string path, std::string store_root)
    : ex_(std::move(ex)),
      path_(std::move(path)),
      store_root_(std::move(store_root)),
      pool_(std::make_unique<asio::thread_pool>(1)) {}

std::shared_ptr<PasswdFileBackend> PasswdFileBackend::create(asio::any_io_executor ex, std::string path,
                                                             std::string store_root) {
  std::shared_ptr<PasswdFileBackend> p(new PasswdFileBackend(std::move(ex), std::move(path), std::move(store_root)));
  p->reload_if_changed();
  return p;
}

PasswdFileBackend::~PasswdFileBackend() { shutdown(); }

void PasswdFileBackend::shutdown() {
  if (pool_) {
    pool_->join();
    pool_.reset();
  }
}

bool PasswdFileBackend::reload_if_changed() {
  struct stat st {};
  if (stat(path_.c_str(), &st) != 0) {
    if (!last_error_logged_) log::error("auth: passwd-file {}: {}", path_, strerror(errno));
    last_error_logged_ = true;
    return false;
  }
  if (loaded_ && st.st_mtim.tv_sec == mtime_.tv_sec && st.st_mtim.tv_nsec == mtime_.tv_nsec &&
      st.st_size == size_ && st.st_ino == ino_)
    return true;
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    if (!last_error_logged_) log::error("auth: passwd-file {}: cannot open: {}", path_, strerror(errno));
    last_error_logged_ = true;
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  auto parsed = parse_passwd_file(text);
  explicit_bzero(text.data(), text.size());
  for (auto& w : parsed.warnings) log::warn("auth: passwd-file {}: {}", path_, w);
  if (st.st_mode & S_IROTH) log::warn("auth: passwd-file {} is world-readable; make it 0640", path_);
  entries_ = std::move(parsed.entries);
  mtime_ = st.st_mtim;
  size_ = st.st_size;
  ino_ = st.st_ino;
  loaded_ = true;
  last_error_logged_ = false;
  log::info("auth: passwd-file {}: {} accounts", path_, entries_.size());
  return true;
}

awaitable<AuthOutcome> PasswdFileBackend::authenticate(std::string user, const Credentials& creds, std::string,
                                                       std::string) {
  auto self = shared_from_this();
  AuthOutcome out;
  reload_if_changed();
  if (!loaded_ || !pool_) {
    out.status = AuthOutcome::Status::temp;
    out.reason = "passwd-file unavailable";
    co_return out;
  }
  auto it = entries_.find(user);
  const bool known = it != entries_.end();
  // An unknown user still costs one hash, so timing does not tell users apart.
  static const std::string kDummy =
      "$6$posterndummysalt$rSiwAd0TBi3aWfluhE5h9CQ9EKz67nThDH02Yb2EqDPhQKTVKeSjdUrBcSb47yO7Q4nz8rVHu2NXO1fHc.UpX/";
  std::string hash = known ? it->second.hash : kDummy;
  std::string home = known ? it->second.home : std::string();
  std::string pw = creds.password;
  auto home_ex = co_await asio::this_coro::executor;
  co_await asio::post(asio::bind_executor(*pool_, asio::use_awaitable));
  bool ok = verify_crypt(pw, hash);
  explicit_bzero(pw.data(), pw.size());
  co_await asio::post(asio::bind_executor(home_ex, asio::use_awaitable));
  if (!known || !ok) {
    out.status = AuthOutcome::Status::fail;
    out.reason = known ? "wrong password" : "unknown user";
    co_return out;
  }
  out.status = AuthOutcome::Status::ok;
  out.user = user;
  out.home = home.empty() ? mail_home(store_root_, user) : home;
  co_return out;
}

awaitable<LookupOutcome> PasswdFileBackend::lookup(std::string user) {
  auto self = shared_from_this();
  LookupOutcome out;
  reload_if_changed();
  if (!loaded_) {
    out.reason = "passwd-file unavailable";
    co_return out;
  }
  auto it = entries_.find(user);
  if (it == entries_.end()) {
    out.status = LookupOutcome::Status::notfound;
    co_return out;
  }
  out.status = LookupOutcome::Status::found;
  out.user = user;
  out.home = it->second.home.empty() ? mail_home(store_root_, user) : it->second.home;
  co_return out;
}

}  // namespace postern::auth
