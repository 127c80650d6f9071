// PAM worker process body (see pam_worker.hpp). Linux-PAM application side:
// pam_start / pam_authenticate / pam_acct_mgmt / pam_end, a conversation
// function answering the password (echo off) and user name (echo on).
// Trust boundary: runs PAM modules chosen by the administrator; the password
// leaves this process only into PAM.
#include "auth/pam_worker.hpp"

#include <security/pam_appl.h>
#include <string.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "auth/account.hpp"
#include "auth/worker_frame.hpp"

namespace postern::auth {
namespace {

struct ConvData {
  const std::string* user;
  const std::string* password;
};

int conversation(int n, const struct pam_message** msg, struct pam_response** resp, void* appdata) {
  if (n <= 0 || n > PAM_MAX_NUM_MSG) return PAM_CONV_ERR;
  auto* d = static_cast<ConvData*>(appdata);
  auto* r = static_cast<pam_response*>(calloc(static_cast<size_t>(n), sizeof(pam_response)));
  if (!r) return PAM_BUF_ERR;
  for (int i = 0; i < n; ++i) {
    switch (msg[i]->msg_style) {
      case PAM_PROMPT_ECHO_OFF:
        r[i].resp = strdup(d->password->c_str());
        break;
      case PAM_PROMPT_ECHO_ON:
        r[i].resp = strdup(d->user->c_str());
        break;
      case PAM_ERROR_MSG:
      case PAM_TEXT_INFO:
        r[i].resp = nullptr;
        break;
      default:
        for (int k = 0; k < i; ++k) {
          if (r[k].resp) {
            explicit_bzero(r[k].resp, strlen(r[k].resp));
            free(r[k].resp);
          }
        }
        free(r);
        return PAM_CONV_ERR;
    }
  }
  *resp = r;
  return PAM_SUCCESS;
}

// authd does its own failure delays (penalty.hpp): disable PAM's.
void no_fail_delay(int, unsigned, void*) {}

// Maps a PAM error to our reply status: user-caused failures are "fail",
// infrastructure trouble is "temp".
const char* classify(int rc) {
  switch (rc) {
    case PAM_AUTH_ERR:
    case PAM_USER_UNKNOWN:
    case PAM_MAXTRIES:
    case PAM_CRED_INSUFFICIENT:
    case PAM_PERM_DENIED:
    case PAM_ACCT_EXPIRED:
    case PAM_NEW_AUTHTOK_REQD:
      return "fail";
    default:
      return "temp";
  }
}

std::vector<std::string> do_auth(const std::string& service, const std::string& user, const std::string& password,
                                 const std::string& rhost, const PamWorkerSettings& s) {
  (void)service;
  AccountCheck pre = check_system_account(user, s.min_uid, s.require_group);
  if (pre.status == AccountStatus::unknown || pre.status == AccountStatus::not_mail_user)
    return {"fail", "", pre.reason};
  if (pre.status != AccountStatus::ok) return {"temp", "", pre.reason};

  ConvData cd{&user, &password};
  pam_conv conv{conversation, &cd};
  pam_handle_t* pamh = nullptr;
  int rc = pam_start(s.pam_service.c_str(), user.c_str(), &conv, &pamh);
  if (rc != PAM_SUCCESS) return {"temp", "", "pam_start failed"};
  pam_set_item(pamh, PAM_FAIL_DELAY, reinterpret_cast<const void*>(&no_fail_delay));
  if (rhost != "-") pam_set_item(pamh, PAM_RHOST, rhost.c_str());
  std::vector<std::string> out;
  rc = pam_authenticate(pamh, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
  if (rc != PAM_SUCCESS) {
    out = {classify(rc), "", std::string("pam_authenticate: ") + pam_strerror(pamh, rc)};
  } else {
    rc = pam_acct_mgmt(pamh, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
    if (rc != PAM_SUCCESS) {
      out = {classify(rc), "", std::string("pam_acct_mgmt: ") + pam_strerror(pamh, rc)};
    } else {
      // A module may have mapped the name (pam_user_map): check the result too.
      const void* item = nullptr;
      std::string final_user = user;
      if (pam_get_item(pamh, PAM_USER, &item) == PAM_SUCCESS && item) final_user = static_cast<const char*>(item);
      AccountCheck post = final_user == user ? pre : check_system_account(final_user, s.min_uid, s.require_group);
      if (post.status == AccountStatus::ok)
        out = {"ok", post.user, ""};
      else
        out = {post.status == AccountStatus::error ? "temp" : "fail", "", post.reason};
    }
  }
  pam_end(pamh, rc);
  return out;
}

bool write_all(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::vector<std::string> pam_worker_handle(const std::vector<std::string>& req, const PamWorkerSettings& s) {
  if (req.size() == 5 && req[0] == "A") return do_auth(req[1], req[2], req[3], req[4], s);
  if (req.size() == 2 && req[0] == "L") {
    AccountCheck c = check_system_account(req[1], s.min_uid, s.require_group);
    switch (c.status) {
      case AccountStatus::ok:
        return {"found", c.user, ""};
      case AccountStatus::unknown:
      case AccountStatus::not_mail_user:
        return {"notfound", "", c.reason};
      default:
        return {"temp", "", c.reason};
    }
  }
  return {"temp", "", "malformed worker request"};
}

void run_pam_worker(int fd, const PamWorkerSettings& s) {
  frame::Reader reader;
  char buf[4096];
  for (;;) {
    std::vector<std::string> req;
    auto st = reader.next(&req);
    if (st == frame::Reader::Status::error) return;
    if (st == frame::Reader::Status::need_more) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      reader.feed(std::string_view(buf, static_cast<size_t>(n)));
      explicit_bzero(buf, sizeof buf);
      continue;
    }
    auto reply = pam_worker_handle(req, s);
    for (auto& f : req) explicit_bzero(f.data(), f.size());
    auto enc = frame::encode(reply);
    if (!enc) enc = frame::encode({"temp", "", "reply too large"});
    if (!write_all(fd, *enc)) return;
  }
}

}  // namespace postern::auth
