// Streaming reader of the SMTP DATA section (RFC 5321 section 4.1.1.4 and
// 4.5.2): fed byte spans in any split, it removes dot-stuffing, stops at the
// first <CRLF>.<CRLF> (the CRLF ending the DATA command counts as the first
// one), and enforces the message size and line length bounds.
// SMTP smuggling defence (RFC 5321 2.3.8): a bare LF or bare CR anywhere marks
// the message as rejected and never ends a line, so only a real
// <CRLF>.<CRLF> ends the data; whatever follows a "<LF>.<CR><LF>" stays
// inside the (discarded) message instead of being read as commands.
// On every error the reader keeps consuming up to the terminator, so the
// session can answer once and stay in sync with the client.
// Trust boundary: every byte is untrusted; memory is bounded by max_size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "smtp/reply.hpp"

namespace postern::smtp {

class DataReader {
 public:
  enum class Status { need_more, done, error };
  enum class Error { none, too_big, bare_lf, bare_cr, line_too_long };

  // max_size: message bytes after unstuffing (CRLF counted as 2).
  // max_line: bytes of one line without its CRLF (RFC 5321 says 998; real mail
  // is sloppier, so the bound is configurable).
  DataReader(uint64_t max_size, size_t max_line);

  // Consumes bytes of `in` up to and including the terminator; *consumed gets
  // how many were used (less than in.size() only when the terminator was found).
  // After done/error, further calls consume nothing and return the same status.
  Status feed(std::string_view in, size_t* consumed = nullptr);

  Status status() const { return status_; }
  Error error() const { return error_; }
  // The message (valid when status() == done): CRLF line ends, unstuffed.
  const std::string& message() const { return msg_; }
  std::string take_message() { return std::move(msg_); }
  uint64_t size() const { return size_; }  // bytes seen (also past the limit)
  // The reply an error deserves (RFC 1870 section 6.3 for size; 3463 codes).
  Reply error_reply() const { return reply_for(error_, max_line_); }
  static Reply reply_for(Error e, size_t max_line);
  // The same line rules for a message received whole (BDAT, RFC 3030, which
  // has no dot-stuffing): bare CR or LF, or a line longer than max_line.
  static Error check_lines(std::string_view msg, size_t max_line);

 private:
  enum class St { bol, dot, dot_cr, mid, cr };
  void put(char c);
  void put_crlf();
  void fail(Error e);
  void byte(char c);

  uint64_t max_size_;
  size_t max_line_;
  St st_ = St::bol;
  Status status_ = Status::need_more;
  Error error_ = Error::none;
  std::string msg_;
  uint64_t size_ = 0;
  size_t line_len_ = 0;
};

}  // namespace postern::smtp
