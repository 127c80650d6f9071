// Worker framing (see worker_frame.hpp).
// Trust boundary: internal, but bounded: a length above kMaxFrame is an error.
#include "auth/worker_frame.hpp"

#include <string.h>

#include <cstdint>

namespace postern::auth::frame {

std::optional<std::string> encode(const std::vector<std::string>& fields) {
  std::string payload;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].find('\0') != std::string::npos) return std::nullopt;
    if (i) payload += '\0';
    payload += fields[i];
  }
  if (payload.size() > kMaxFrame) return std::nullopt;
  std::string out;
  uint32_t n = static_cast<uint32_t>(payload.size());
  out += static_cast<char>((n >> 24) & 0xff);
  out += static_cast<char>((n >> 16) & 0xff);
  out += static_cast<char>((n >> 8) & 0xff);
  out += static_cast<char>(n & 0xff);
  out += payload;
  explicit_bzero(payload.data(), payload.size());
  return out;
}

std::vector<std::string> split_payload(std::string_view payload) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t p = payload.find('\0', start);
    if (p == std::string_view::npos) {
      out.emplace_back(payload.substr(start));
      return out;
    }
    out.emplace_back(payload.substr(start, p - start));
    start = p + 1;
  }
}

Reader::Status Reader::next(std::vector<std::string>* fields) {
  if (buf_.size() < 4) return Status::need_more;
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(buf_[i])); };
  uint32_t n = (b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3);
  if (n > kMaxFrame) return Status::error;
  if (buf_.size() < 4 + n) return Status::need_more;
  *fields = split_payload(std::string_view(buf_).substr(4, n));
  explicit_bzero(buf_.data(), 4 + n);
  buf_.erase(0, 4 + n);
  return Status::frame;
}

Reader::~Reader() {
  if (!buf_.empty()) explicit_bzero(buf_.data(), buf_.size());
}

}  // namespace postern::auth::frame
