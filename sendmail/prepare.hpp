// Message preparation for postern-sendmail, as pure functions over strings:
// reading the message from stdin (LF -> CRLF, the lone "." line, the size
// bound), finding header fields, extracting recipients from To/Cc/Bcc (-t),
// removing Bcc, adding Date / Message-ID / From when absent, dot-stuffing.
// RFC 5322 (2.2 header fields and folding, 3.3 date-time, 3.4 address lists,
// 3.6 which fields a message needs, 3.6.3 Bcc, 3.6.4 Message-ID, 3.6.6
// Resent-*), RFC 5321 4.5.2 (transparency: dot-stuffing), RFC 2047 (an
// encoded-word for a non-ASCII full name).
// Trust boundary: the message and the arguments come from a local user; they
// are bounded here and never allowed to inject header lines or SMTP commands.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::sendmail {

// Accumulates stdin into a message with CRLF line ends. With dot_ends, a line
// holding only "." ends the input (sendmail without -i / -oi).
class MessageReader {
 public:
  enum class Status { need_more, done, too_big };
  MessageReader(uint64_t max_size, bool dot_ends) : max_(max_size), dot_ends_(dot_ends) {}
  Status feed(std::string_view bytes);
  Status finish();  // end of input: completes a last line without LF
  Status status() const { return status_; }
  std::string take() { return std::move(msg_); }

 private:
  void end_line();
  uint64_t max_;
  bool dot_ends_;
  Status status_ = Status::need_more;
  std::string msg_, line_;
};

// One header field of a message: [begin, end) covers the name, the value,
// its folded continuation lines and the final CRLF.
struct HeaderField {
  std::string name;
  size_t begin = 0, end = 0;
};

struct HeaderSection {
  std::vector<HeaderField> fields;
  size_t body_start = 0;       // offset of the body (after the empty line, if any)
  bool has_separator = false;  // an empty line ends the header section
};

// The header section of a CRLF message. It ends at an empty line, or at the
// first line that is neither a field ("name:" with RFC 5322 2.2 ftext) nor a
// continuation (the body then starts there, without a separator).
HeaderSection parse_header_section(std::string_view msg);
// A field's value: after the colon, unfolded (CRLFs removed), trimmed.
std::string field_value(std::string_view msg, const HeaderField& f);
bool has_field(std::string_view msg, const HeaderSection& h, std::string_view name);

// The addr-specs in an RFC 5322 address-list ("A <a@x>, b@y (c), grp: c@z;"),
// in order; display names, comments and group names are dropped.
std::vector<std::string> parse_address_list(std::string_view list);

// A usable envelope address: no spaces, controls, angle brackets, at most
// 254 octets (RFC 5321 4.5.3.1.3 path minus the brackets).
bool valid_envelope_address(std::string_view a);

// -t: recipients from Resent-To/Resent-Cc/Resent-Bcc if any Resent-* recipient
// field exists (RFC 5322 3.6.6), else from To/Cc/Bcc.
std::vector<std::string> header_recipients(std::string_view msg);

// The message without its Bcc and Resent-Bcc fields (RFC 5322 3.6.3).
std::string remove_bcc(std::string_view msg);

// RFC 5322 3.3 date-time for `t` in a zone `gmtoff` seconds east of UTC.
std::string format_date(std::time_t t, long gmtoff);
// "Full Name <addr>" with the name made safe: controls dropped, quoted if it
// is not a plain phrase, RFC 2047 encoded if it is not ASCII.
std::string format_from(std::string_view address, std::string_view full_name);

struct MissingHeaders {
  std::string from;        // value for From:
  std::string date;        // value for Date:
  std::string message_id;  // value for Message-ID: (with angle brackets)
};
// Adds Date, Message-ID and From on top of the header section when absent
// (RFC 5322 3.6: orig-date and from are required), and the empty line before
// a body that lacks one.
std::string add_missing_headers(std::string_view msg, const MissingHeaders& h);

// RFC 5321 4.5.2: a leading "." on a line is doubled. msg ends with CRLF (or is empty).
std::string dot_stuff(std::string_view msg);

}  // namespace postern::sendmail
