// The body of a PAM worker process: a blocking loop that reads framed
// requests from the socketpair (worker_frame.hpp), runs pam_authenticate +
// pam_acct_mgmt or an account lookup, and writes the answer. Workers exist
// because PAM modules may block and are not all thread-safe; the event loop
// in the parent never calls PAM.
// Trust boundary: requests come from the parent authd; passwords are held
// only for the PAM conversation and wiped afterwards; nothing is logged.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace postern::auth {

struct PamWorkerSettings {
  std::string pam_service = "postern";
  uint32_t min_uid = 1000;
  std::string require_group;
};

// Serves requests on fd until EOF, then returns. Call only in a forked child.
void run_pam_worker(int fd, const PamWorkerSettings& s);

// One request's answer (also used directly by tests).
std::vector<std::string> pam_worker_handle(const std::vector<std::string>& request, const PamWorkerSettings& s);

}  // namespace postern::auth
