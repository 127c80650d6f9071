// Message preparation for postern-sendmail (see prepare.hpp): RFC 5322 2.2
// (fields, folding), 3.3 (date-time), 3.4 (address lists), 3.6.3 (Bcc),
// 3.6.4 (Message-ID), 3.6.6 (Resent-*); RFC 5321 4.5.2 (dot-stuffing);
// RFC 2047 (encoded-word for a non-ASCII display name).
// Trust boundary: input from a local user, bounded by MessageReader; values
// placed in header fields are stripped of controls (no header injection).
#include "sendmail/prepare.hpp"

#include <cstdio>
#include <cstdlib>

#include "common/util/strings.hpp"

namespace postern::sendmail {

namespace {
constexpr auto npos = std::string_view::npos;

bool ftext(char c) { return c >= 33 && c <= 126 && c != ':'; }  // RFC 5322 3.6.8

bool atext_or_space(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ' ') return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != npos;
}

std::string strip_ws(std::string_view s) {
  std::string r;
  for (char c : s)
    if (c != ' ' && c != '\t') r.push_back(c);  // controls stay: the address is then refused
  return r;
}
}  // namespace

// ---- MessageReader ----

void MessageReader::end_line() {
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  if (dot_ends_ && line_ == ".") {
    status_ = Status::done;
    line_.clear();
    return;
  }
  msg_ += line_;
  msg_ += "\r\n";
  line_.clear();
  if (msg_.size() > max_) {
    status_ = Status::too_big;
    std::string().swap(msg_);
  }
}

MessageReader::Status MessageReader::feed(std::string_view bytes) {
  while (status_ == Status::need_more && !bytes.empty()) {
    auto nl = bytes.find('\n');
    auto part = bytes.substr(0, nl);
    if (msg_.size() + line_.size() + part.size() > max_) {
      status_ = Status::too_big;
      std::string().swap(msg_);
      line_.clear();
      break;
    }
    line_ += part;
    if (nl == npos) break;
    end_line();
    bytes.remove_prefix(nl + 1);
  }
  return status_;
}

MessageReader::Status MessageReader::finish() {
  if (status_ == Status::need_more && !line_.empty()) end_line();
  if (status_ == Status::need_more) status_ = Status::done;
  return status_;
}

// ---- header section ----

HeaderSection parse_header_section(std::string_view msg) {
  HeaderSection h;
  size_t pos = 0;
  while (pos < msg.size()) {
    size_t eol = msg.find("\r\n", pos);
    size_t line_end = eol == npos ? msg.size() : eol;
    size_t next = eol == npos ? msg.size() : eol + 2;
    std::string_view line = msg.substr(pos, line_end - pos);
    if (line.empty()) {
      h.has_separator = true;
      h.body_start = next;
      return h;
    }
    if ((line[0] == ' ' || line[0] == '\t') && !h.fields.empty()) {  // folded (RFC 5322 2.2.3)
      h.fields.back().end = next;
      pos = next;
      continue;
    }
    size_t colon = line.find(':');
    bool field = colon != npos && colon > 0;
    for (size_t i = 0; field && i < colon; ++i) field = ftext(line[i]);
    if (!field) {
      h.body_start = pos;
      return h;
    }
    h.fields.push_back(HeaderField{std::string(line.substr(0, colon)), pos, next});
    pos = next;
  }
  h.body_start = msg.size();
  return h;
}

std::string field_value(std::string_view msg, const HeaderField& f) {
  std::string_view raw = msg.substr(f.begin, f.end - f.begin);
  raw.remove_prefix(raw.find(':') + 1);
  std::string v;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') {
      ++i;
      continue;
    }
    v.push_back(raw[i]);
  }
  return std::string(util::trim(v));
}

bool has_field(std::string_view, const HeaderSection& h, std::string_view name) {
  for (auto& f : h.fields)
    if (util::iequals(f.name, name)) return true;
  return false;
}

// ---- addresses ----

std::vector<std::string> parse_address_list(std::string_view list) {
  std::vector<std::string> out;
  std::string plain, angle;
  bool in_angle = false, saw_angle = false;
  auto flush = [&]() {
    std::string a = strip_ws(saw_angle ? std::string_view(angle) : std::string_view(plain));
    if (saw_angle) {  // an obsolete source route "@a,@b:x@y" (RFC 5322 4.4)
      auto colon = a.rfind(':');
      if (colon != std::string::npos) a.erase(0, colon + 1);
    }
    if (!a.empty()) out.push_back(std::move(a));
    plain.clear();
    angle.clear();
    in_angle = saw_angle = false;
  };
  for (size_t i = 0; i < list.size(); ++i) {
    char c = list[i];
    std::string& cur = in_angle ? angle : plain;
    if (c == '"') {  // quoted-string, kept as written
      cur.push_back(c);
      for (++i; i < list.size(); ++i) {
        cur.push_back(list[i]);
        if (list[i] == '\\' && i + 1 < list.size()) {
          cur.push_back(list[++i]);
        } else if (list[i] == '"') {
          break;
        }
      }
    } else if (c == '(') {  // comment, possibly nested (RFC 5322 3.2.2)
      int depth = 1;
      for (++i; i < list.size() && depth > 0; ++i) {
        if (list[i] == '\\') ++i;
        else if (list[i] == '(') ++depth;
        else if (list[i] == ')') --depth;
      }
      --i;
    } else if (c == '<' && !in_angle) {
      in_angle = saw_angle = true;
      angle.clear();
    } else if (c == '>' && in_angle) {
      in_angle = false;
    } else if (c == ',' && !in_angle) {
      flush();
    } else if (c == ':' && !in_angle) {  // group: "name: a, b;" drops the name
      plain.clear();
    } else if (c == ';' && !in_angle) {
      flush();
    } else if (!(saw_angle && !in_angle)) {  // text after "<...>" is ignored
      cur.push_back(c);
    }
  }
  flush();
  return out;
}

bool valid_envelope_address(std::string_view a) {
  if (a.empty() || a.size() > 254) return false;
  for (unsigned char c : a)
    if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == ',') return false;
  return true;
}

std::vector<std::string> header_recipients(std::string_view msg) {
  HeaderSection h = parse_header_section(msg);
  bool resent = has_field(msg, h, "Resent-To") || has_field(msg, h, "Resent-Cc") || has_field(msg, h, "Resent-Bcc");
  const char* names[3] = {"To", "Cc", "Bcc"};
  const char* resent_names[3] = {"Resent-To", "Resent-Cc", "Resent-Bcc"};
  std::vector<std::string> out;
  for (auto& f : h.fields) {
    for (int i = 0; i < 3; ++i) {
      if (!util::iequals(f.name, resent ? resent_names[i] : names[i])) continue;
      for (auto& a : parse_address_list(field_value(msg, f))) out.push_back(std::move(a));
    }
  }
  return out;
}

std::string remove_bcc(std::string_view msg) {
  HeaderSection h = parse_header_section(msg);
  std::string out;
  size_t pos = 0;
  for (auto& f : h.fields) {
    if (!util::iequals(f.name, "Bcc") && !util::iequals(f.name, "Resent-Bcc")) continue;
    out.append(msg.substr(pos, f.begin - pos));
    pos = f.end;
  }
  out.append(msg.substr(pos));
  return out;
}

// ---- header values ----

std::string format_date(std::time_t t, long gmtoff) {
  static const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t local = t + gmtoff;
  std::tm tm{};
  gmtime_r(&local, &tm);
  long off = std::labs(gmtoff) / 60;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %d %s %04d %02d:%02d:%02d %c%02ld%02ld", kDays[tm.tm_wday % 7], tm.tm_mday,
                kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
                gmtoff < 0 ? '-' : '+', off / 60, off % 60);
  return buf;
}

std::string format_from(std::string_view address, std::string_view full_name) {
  constexpr size_t kMaxName = 200;
  std::string name;
  bool cut = false;
  for (char c : full_name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (name.size() >= kMaxName) {
      cut = true;
      break;
    }
    if (u == '\t') name.push_back(' ');
    else if (u >= 0x20 && u != 0x7f) name.push_back(c);
  }
  if (cut) {  // do not leave half a UTF-8 character
    while (!name.empty() && (static_cast<unsigned char>(name.back()) & 0xC0) == 0x80) name.pop_back();
    if (!name.empty() && (static_cast<unsigned char>(name.back()) & 0x80)) name.pop_back();
  }
  name = std::string(util::trim(name));
  if (name.empty()) return std::string(address);
  bool ascii = true, phrase = true;
  for (char c : name) {
    if (static_cast<unsigned char>(c) >= 0x80) ascii = false;
    if (!atext_or_space(c)) phrase = false;
  }
  std::string shown;
  if (!ascii) {
    // RFC 2047 2: encoded-words of at most 75 characters, split between
    // whole UTF-8 characters.
    size_t i = 0;
    while (i < name.size()) {
      size_t n = std::min<size_t>(45, name.size() - i);
      while (i + n < name.size() && (static_cast<unsigned char>(name[i + n]) & 0xC0) == 0x80) --n;
      if (!shown.empty()) shown += " ";
      shown += "=?UTF-8?B?" + util::base64_encode(name.substr(i, n)) + "?=";
      i += n;
    }
  } else if (phrase) {
    shown = name;
  } else {
    shown = "\"";
    for (char c : name) {
      if (c == '"' || c == '\\') shown.push_back('\\');
      shown.push_back(c);
    }
    shown += "\"";
  }
  return shown + " <" + std::string(address) + ">";
}

std::string add_missing_headers(std::string_view msg, const MissingHeaders& mh) {
  HeaderSection h = parse_header_section(msg);
  std::string out;
  if (!has_field(msg, h, "From")) out += "From: " + mh.from + "\r\n";
  if (!has_field(msg, h, "Date")) out += "Date: " + mh.date + "\r\n";
  if (!has_field(msg, h, "Message-ID")) out += "Message-ID: " + mh.message_id + "\r\n";
  out.append(msg.substr(0, h.body_start));
  if (!h.has_separator && h.body_start < msg.size()) out += "\r\n";
  out.append(msg.substr(h.body_start));
  return out;
}

std::string dot_stuff(std::string_view msg) {
  std::string out;
  out.reserve(msg.size() + msg.size() / 64 + 2);
  bool line_start = true;
  for (size_t i = 0; i < msg.size(); ++i) {
    if (line_start && msg[i] == '.') out.push_back('.');
    out.push_back(msg[i]);
    line_start = msg[i] == '\n' && i > 0 && msg[i - 1] == '\r';
  }
  if (!out.empty() && (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0)) out += "\r\n";
  return out;
}

}  // namespace postern::sendmail
