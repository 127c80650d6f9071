// Splits a message into header fields and body for DKIM (see message.hpp).
// Trust boundary: untrusted bytes; every loop is bounded by the input size and
// MessageLimits.
// RFC 6376 5.3 (CRLF normalization), RFC 5322 2.2 (fields), 2.2.3 (folding).
#include "mailauth/dkim/message.hpp"

#include "common/util/strings.hpp"

namespace postern::dkim {

std::string_view HeaderField::value() const {
  std::string_view v = raw.substr(name.size());
  size_t colon = v.find(':');
  v = colon == std::string_view::npos ? std::string_view{} : v.substr(colon + 1);
  if (v.size() >= 2 && v.substr(v.size() - 2) == "\r\n") v.remove_suffix(2);
  return v;
}

bool valid_field_name(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name)
    if (c < 33 || c > 126 || c == ':') return false;
  return true;
}

namespace {

bool needs_normalizing(std::string_view t) {
  for (size_t i = t.find('\n'); i != std::string_view::npos; i = t.find('\n', i + 1))
    if (i == 0 || t[i - 1] != '\r') return true;
  return false;
}

std::string normalize(std::string_view t) {
  std::string out;
  out.reserve(t.size() + t.size() / 32);
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '\n' && (i == 0 || t[i - 1] != '\r')) out += '\r';
    out += t[i];
  }
  return out;
}

}  // namespace

Message Message::parse(std::string_view text, const MessageLimits& limits) {
  Message m;
  bool header_ends_unterminated = false;
  {
    // A message of only header lines whose last line has no CRLF: the
    // line is still a field (RFC 5322 2.1 requires CRLF; we are lenient).
    size_t sep = text.find("\r\n\r\n");
    size_t lf_sep = text.find("\n\n");
    if (sep == std::string_view::npos && lf_sep == std::string_view::npos && !text.empty() &&
        text.back() != '\n')
      header_ends_unterminated = true;
  }
  if (needs_normalizing(text) || header_ends_unterminated) {
    m.normalized_ = std::make_unique<std::string>(normalize(text));
    if (header_ends_unterminated) *m.normalized_ += "\r\n";
    text = *m.normalized_;
  }

  size_t pos = 0;
  while (true) {
    if (pos >= text.size()) {  // no empty line: a message without body
      m.body_ = {};
      break;
    }
    if (text.compare(pos, 2, "\r\n") == 0) {  // the empty line ends the header
      m.body_ = text.substr(pos + 2);
      break;
    }
    if (pos > limits.max_header_bytes)
      throw MessageError("header section longer than " + std::to_string(limits.max_header_bytes) +
                         " bytes");
    size_t eol = text.find("\r\n", pos);
    size_t line_end = eol == std::string_view::npos ? text.size() : eol + 2;
    std::string_view line = text.substr(pos, line_end - pos);
    if (line[0] == ' ' || line[0] == '\t') {
      // RFC 5322 2.2.3: a continuation line belongs to the previous field.
      if (m.headers_.empty()) throw MessageError("message starts with a continuation line");
      HeaderField& last = m.headers_.back();
      last.raw = std::string_view(last.raw.data(), last.raw.size() + line.size());
    } else {
      size_t colon = line.find(':');
      if (colon == std::string_view::npos)
        throw MessageError("header line without a colon");
      std::string_view name = line.substr(0, colon);
      while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
      if (!valid_field_name(name)) throw MessageError("invalid header field name");
      if (m.headers_.size() >= limits.max_fields)
        throw MessageError("more than " + std::to_string(limits.max_fields) + " header fields");
      m.headers_.push_back(HeaderField{name, line});
    }
    pos = line_end;
  }
  return m;
}

size_t Message::count(std::string_view name) const {
  size_t n = 0;
  for (const auto& h : headers_)
    if (util::iequals(h.name, name)) ++n;
  return n;
}

const HeaderField* Message::find(std::string_view name) const {
  for (const auto& h : headers_)
    if (util::iequals(h.name, name)) return &h;
  return nullptr;
}

}  // namespace postern::dkim
