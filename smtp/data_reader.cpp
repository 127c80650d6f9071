// DATA section state machine: RFC 5321 4.1.1.4 (end of data), 4.5.2
// (transparency / dot-unstuffing), 2.3.8 (CRLF only: bare CR and LF refused,
// the SMTP smuggling defence), 4.5.3.1.6 (text line length), RFC 1870 6.3
// (552 after the whole message was read).
// Trust boundary: untrusted bytes; memory bounded by max_size.
#include "smtp/data_reader.hpp"

namespace postern::smtp {

DataReader::DataReader(uint64_t max_size, size_t max_line) : max_size_(max_size), max_line_(max_line) {}

void DataReader::fail(Error e) {
  if (error_ == Error::none) error_ = e;
  msg_.clear();
  msg_.shrink_to_fit();
}

void DataReader::put(char c) {
  ++size_;
  if (++line_len_ > max_line_) fail(Error::line_too_long);
  if (size_ > max_size_) fail(Error::too_big);
  if (error_ == Error::none) msg_.push_back(c);
}

void DataReader::put_crlf() {
  size_ += 2;
  line_len_ = 0;
  if (size_ > max_size_) fail(Error::too_big);
  if (error_ == Error::none) msg_.append("\r\n");
}

void DataReader::byte(char c) {
  switch (st_) {
    case St::bol:
      if (c == '.') {
        st_ = St::dot;
        return;
      }
      [[fallthrough]];
    case St::mid:
      if (c == '\r') {
        st_ = St::cr;
      } else if (c == '\n') {
        fail(Error::bare_lf);  // a bare LF never starts a line (smuggling)
        st_ = St::mid;
      } else {
        put(c);
        st_ = St::mid;
      }
      return;
    case St::dot:  // a line that started with '.'
      if (c == '\r') {
        st_ = St::dot_cr;
        return;
      }
      // Dot-stuffed line: the leading dot is dropped (4.5.2).
      st_ = St::mid;
      byte(c);
      return;
    case St::dot_cr:
      if (c == '\n') {
        status_ = error_ == Error::none ? Status::done : Status::error;
        return;
      }
      // ".<CR>x": the dot was stuffing; <CR> not followed by <LF> is bare.
      fail(Error::bare_cr);
      st_ = St::mid;
      byte(c);
      return;
    case St::cr:
      if (c == '\n') {
        put_crlf();
        st_ = St::bol;
        return;
      }
      fail(Error::bare_cr);
      st_ = St::mid;
      byte(c);
      return;
  }
}

DataReader::Status DataReader::feed(std::string_view in, size_t* consumed) {
  size_t i = 0;
  while (status_ == Status::need_more && i < in.size()) byte(in[i++]);
  if (consumed) *consumed = i;
  return status_;
}

DataReader::Error DataReader::check_lines(std::string_view msg, size_t max_line) {
  size_t line = 0;
  for (size_t i = 0; i < msg.size(); ++i) {
    char c = msg[i];
    if (c == '\r') {
      if (i + 1 >= msg.size() || msg[i + 1] != '\n') return Error::bare_cr;
      ++i;
      line = 0;
    } else if (c == '\n') {
      return Error::bare_lf;
    } else if (++line > max_line) {
      return Error::line_too_long;
    }
  }
  return Error::none;
}

Reply DataReader::reply_for(Error e, size_t max_line) {
  switch (e) {
    case Error::too_big:
      return Reply(552, "5.3.4", "Message size exceeds fixed maximum message size");
    case Error::bare_lf:
    case Error::bare_cr:
      return Reply(550, "5.5.2", "Bare <LF> or <CR> in message not allowed, message rejected");
    case Error::line_too_long:
      return Reply(550, "5.6.0", "Message has a line longer than " + std::to_string(max_line) + " bytes");
    case Error::none:
      break;
  }
  return Reply(250, "2.0.0", "OK");
}

}  // namespace postern::smtp
