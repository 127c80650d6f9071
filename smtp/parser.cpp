// SMTP command-line parser: RFC 5321 section 4.1.1 (command syntax), 4.1.2
// (Reverse-path, Forward-path, Mail-parameters, Rcpt-parameters), RFC 6531
// section 3.3 (UTF-8 in esmtp-value).
// Trust boundary: untrusted network input; every error is a reply value.
#include "smtp/parser.hpp"

#include <array>

#include "common/util/strings.hpp"

namespace postern::smtp {

namespace {

struct VerbName {
  std::string_view name;
  Verb verb;
};
constexpr std::array<VerbName, 14> kVerbs{{{"EHLO", Verb::ehlo},
                                           {"BDAT", Verb::bdat},
                                           {"HELO", Verb::helo},
                                           {"MAIL", Verb::mail},
                                           {"RCPT", Verb::rcpt},
                                           {"DATA", Verb::data},
                                           {"RSET", Verb::rset},
                                           {"NOOP", Verb::noop},
                                           {"QUIT", Verb::quit},
                                           {"VRFY", Verb::vrfy},
                                           {"EXPN", Verb::expn},
                                           {"HELP", Verb::help},
                                           {"STARTTLS", Verb::starttls},
                                           {"AUTH", Verb::auth}}};

constexpr size_t kMaxParams = 16;

Reply syntax(std::string text) { return Reply(501, "5.5.4", std::move(text)); }

bool printable_ascii(std::string_view s) {
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 32 || u > 126) return false;
  }
  return true;
}

// esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
bool valid_keyword(std::string_view k) {
  if (k.empty()) return false;
  for (size_t i = 0; i < k.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(k[i]);
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && !(i > 0 && c == '-')) return false;
  }
  return true;
}

// esmtp-value = 1*(%d33-60 / %d62-126 / UTF8-non-ascii)  (RFC 5321, RFC 6531 3.3)
bool valid_value(std::string_view v) {
  if (v.empty()) return false;
  for (size_t i = 0; i < v.size();) {
    unsigned char c = static_cast<unsigned char>(v[i]);
    if (c >= 0x80) {
      size_t n = utf8_sequence(v, i);
      if (n == 0) return false;
      i += n;
      continue;
    }
    if (c < 33 || c > 126 || c == '=') return false;
    ++i;
  }
  return true;
}

// "FROM:" / "TO:" then the path then parameters.
ParseResult parse_path_command(Command cmd, std::string_view rest, std::string_view keyword, bool reverse) {
  const char* usage = reverse ? "Syntax: MAIL FROM:<address> [parameters]" : "Syntax: RCPT TO:<address> [parameters]";
  if (!util::istarts_with(rest, keyword)) return {std::nullopt, syntax(usage)};
  rest.remove_prefix(keyword.size());
  // Tolerate spaces after the colon ("MAIL FROM: <a@b>"), a common client habit.
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  size_t used = 0;
  auto err = parse_path(rest, reverse, cmd.path, used);
  if (err == PathError::too_long)
    return {std::nullopt, Reply(501, reverse ? "5.1.7" : "5.1.3", "Address too long")};
  if (err != PathError::none) {
    if (rest.empty() || rest.front() != '<') return {std::nullopt, syntax(usage)};
    return {std::nullopt, Reply(501, reverse ? "5.1.7" : "5.1.3", "Bad address syntax")};
  }
  rest.remove_prefix(used);
  if (!rest.empty() && rest.front() != ' ') return {std::nullopt, syntax(usage)};
  for (auto part : util::split(rest, ' ')) {
    if (part.empty()) continue;
    if (cmd.params.size() >= kMaxParams) return {std::nullopt, syntax("Too many parameters")};
    Param p;
    auto eq = part.find('=');
    auto kw = part.substr(0, eq);
    if (!valid_keyword(kw)) return {std::nullopt, syntax("Bad parameter syntax")};
    p.keyword = util::to_upper(kw);
    if (eq != std::string_view::npos) {
      auto v = part.substr(eq + 1);
      if (!valid_value(v)) return {std::nullopt, syntax("Bad parameter syntax")};
      p.value = std::string(v);
    }
    for (auto& q : cmd.params)
      if (q.keyword == p.keyword) return {std::nullopt, syntax("Duplicate parameter " + p.keyword)};
    cmd.params.push_back(std::move(p));
  }
  return {std::move(cmd), {}};
}

}  // namespace

const Param* Command::param(std::string_view keyword) const {
  for (auto& p : params)
    if (p.keyword == keyword) return &p;
  return nullptr;
}

std::string_view verb_name(Verb v) {
  for (auto& n : kVerbs)
    if (n.verb == v) return n.name;
  return "?";
}

ParseResult parse_command(std::string_view line) {
  // Command verbs and arguments outside paths are ASCII; paths and parameter
  // values may carry UTF-8 (RFC 6531), checked by their own parsers.
  for (char c : line) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u == 0 || u == '\r' || u == '\n') return {std::nullopt, Reply(500, "5.5.2", "Invalid character in command")};
  }
  auto sp = line.find(' ');
  auto verb_s = line.substr(0, sp);
  std::string_view rest = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
  Command cmd;
  for (auto& n : kVerbs)
    if (util::iequals(verb_s, n.name)) cmd.verb = n.verb;
  if (cmd.verb == Verb::unknown) return {std::nullopt, Reply(500, "5.5.2", "Command not recognized")};

  switch (cmd.verb) {
    case Verb::mail:
      return parse_path_command(std::move(cmd), rest, "FROM:", true);
    case Verb::rcpt:
      return parse_path_command(std::move(cmd), rest, "TO:", false);
    case Verb::ehlo:
    case Verb::helo: {
      // Domain / address-literal. Many real clients send bare or odd names;
      // we accept one printable ASCII token (it only goes into Received:).
      auto a = util::trim(rest);
      auto tok = a.substr(0, a.find(' '));
      if (tok.empty() || !printable_ascii(tok) || tok.size() > 255)
        return {std::nullopt, syntax(std::string("Syntax: ") + std::string(verb_name(cmd.verb)) + " hostname")};
      cmd.arg = std::string(tok);
      return {std::move(cmd), {}};
    }
    case Verb::bdat: {  // RFC 3030 2: "BDAT" SP chunk-size [ SP end-marker ]
      auto parts = util::split(rest, ' ');
      bool ok = (parts.size() == 1 || parts.size() == 2) && !parts[0].empty() && parts[0].size() <= 19;
      for (char c : ok ? parts[0] : std::string_view{})
        if (c < '0' || c > '9') ok = false;
      if (ok && parts.size() == 2) ok = util::iequals(parts[1], "LAST");
      if (!ok) return {std::nullopt, syntax("Syntax: BDAT chunk-size [LAST]")};
      cmd.chunk_size = std::stoull(std::string(parts[0]));
      cmd.last = parts.size() == 2;
      return {std::move(cmd), {}};
    }
    case Verb::data:
    case Verb::rset:
    case Verb::quit:
    case Verb::starttls:
      if (!util::trim(rest).empty())
        return {std::nullopt, syntax(std::string("Syntax: ") + std::string(verb_name(cmd.verb)))};
      return {std::move(cmd), {}};
    case Verb::vrfy:
    case Verb::expn:
    case Verb::auth:
      cmd.arg = std::string(util::trim(rest));
      if (cmd.arg.empty())
        return {std::nullopt, syntax(std::string("Syntax: ") + std::string(verb_name(cmd.verb)) + " argument")};
      return {std::move(cmd), {}};
    case Verb::noop:
    case Verb::help:
    case Verb::unknown:
      cmd.arg = std::string(util::trim(rest));
      return {std::move(cmd), {}};
  }
  return {std::move(cmd), {}};
}

}  // namespace postern::smtp
