// The framing between authd and its PAM worker processes (over a
// socketpair): a 4-byte big-endian length, then that many bytes of
// NUL-separated fields. Requests: {"A", service, user, password, remote_ip}
// or {"L", user}. Replies: {status, user, reason} with status one of
// ok/fail/temp (A) or found/notfound/temp (L).
// Trust boundary: both ends are authd; frames are still bounded and checked
// (a worker may be killed mid-frame). Frames carry passwords: never log them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::auth::frame {

inline constexpr size_t kMaxFrame = 4096;

// nullopt if a field contains NUL or the frame would exceed kMaxFrame.
std::optional<std::string> encode(const std::vector<std::string>& fields);

// Incremental decoder.
class Reader {
 public:
  enum class Status { need_more, frame, error };
  void feed(std::string_view bytes) { buf_.append(bytes); }
  Status next(std::vector<std::string>* fields);
  ~Reader();

 private:
  std::string buf_;
};

// Decodes one frame's payload into fields.
std::vector<std::string> split_payload(std::string_view payload);

}  // namespace postern::auth::frame
