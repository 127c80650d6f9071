// IMAP command parser (see parser.hpp). Grammar references are to RFC 9051
// section 9 (formal syntax) unless noted; RFC 3501 section 9 is the same for
// everything IMAP4rev1 clients send.
// Trust boundary: parses untrusted network bytes; every loop is bounded by the
// input length and ParseLimits, recursion by ParseLimits::max_depth.
#include "imap/parser.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <limits>

#include "common/util/strings.hpp"

namespace postern::imap {

namespace {

// atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
bool is_atom_char(unsigned char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  switch (c) {
    case '(': case ')': case '{': case '%': case '*': case '"': case '\\': case ']':
      return false;
    default:
      return true;
  }
}
bool is_astring_char(unsigned char c) { return is_atom_char(c) || c == ']'; }
bool is_list_char(unsigned char c) { return is_atom_char(c) || c == '%' || c == '*' || c == ']'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

constexpr std::array<std::string_view, 12> kMonths = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                      "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

int month_index(std::string_view m) {
  for (size_t i = 0; i < kMonths.size(); ++i)
    if (util::iequals(kMonths[i], m)) return static_cast<int>(i) + 1;
  return 0;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

unsigned to_uint(std::string_view s) {
  unsigned v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// A cursor over one command's text. Every method either consumes what it
// parsed and returns it, or records an error (the first one wins).
class Cursor {
 public:
  Cursor(std::string_view s, const ParseLimits& limits) : s_(s), limits_(limits) {}

  bool eof() const { return pos_ >= s_.size(); }
  char peek() const { return eof() ? '\0' : s_[pos_]; }
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  bool fail(std::string msg) {
    if (error_.empty()) error_ = std::move(msg);
    return false;
  }
  bool consume(char c) {
    if (peek() != c || eof()) return false;
    ++pos_;
    return true;
  }
  bool expect(char c, std::string_view what) {
    if (consume(c)) return true;
    return fail(std::string("Expected ") + std::string(what));
  }
  bool sp() { return expect(' ', "space"); }

  // A run of atom characters (possibly empty), as written.
  std::string_view atom_run() {
    size_t start = pos_;
    while (!eof() && is_atom_char(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  std::optional<std::string> atom() {
    auto a = atom_run();
    if (a.empty()) {
      fail("Expected an atom");
      return std::nullopt;
    }
    return std::string(a);
  }
  // A word for keyword matching: atom chars, returned uppercased.
  std::string keyword() { return util::to_upper(atom_run()); }

  // quoted = DQUOTE *QUOTED-CHAR DQUOTE (8-bit allowed: RFC 9051 UTF8-2..4)
  std::optional<std::string> quoted() {
    if (!consume('"')) {
      fail("Expected a quoted string");
      return std::nullopt;
    }
    std::string out;
    while (!eof()) {
      char c = s_[pos_++];
      if (c == '"') return out;
      if (c == '\r' || c == '\n' || c == '\0') break;
      if (c == '\\') {
        if (eof()) break;
        char e = s_[pos_++];
        if (e != '"' && e != '\\') {
          fail("Invalid escape in quoted string");
          return std::nullopt;
        }
        c = e;
      }
      out += c;
    }
    fail("Unterminated quoted string");
    return std::nullopt;
  }

  // literal = "{" number64 ["+"] "}" CRLF *CHAR8 (RFC 7888 for "+");
  // literal8 = "~{" ... (RFC 3516) when allow8.
  std::optional<std::string> literal(bool allow8 = false) {
    if (allow8) consume('~');
    if (!consume('{')) {
      fail("Expected a literal");
      return std::nullopt;
    }
    size_t start = pos_;
    while (!eof() && is_digit(s_[pos_])) ++pos_;
    std::string_view digits = s_.substr(start, pos_ - start);
    uint64_t n = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size()) {
      fail("Invalid literal size");
      return std::nullopt;
    }
    consume('+');
    if (!consume('}') || !consume('\r') || !consume('\n')) {
      fail("Invalid literal");
      return std::nullopt;
    }
    if (s_.size() - pos_ < n) {
      fail("Literal shorter than announced");
      return std::nullopt;
    }
    std::string out(s_.substr(pos_, n));
    pos_ += n;
    return out;
  }

  std::optional<std::string> string() {
    if (peek() == '"') return quoted();
    if (peek() == '{') return literal();
    fail("Expected a string");
    return std::nullopt;
  }

  // astring = 1*ASTRING-CHAR / string
  std::optional<std::string> astring() {
    if (peek() == '"' || peek() == '{') return string();
    size_t start = pos_;
    while (!eof() && is_astring_char(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    if (pos_ == start) {
      fail("Expected a string or atom");
      return std::nullopt;
    }
    return std::string(s_.substr(start, pos_ - start));
  }

  // nstring = string / "NIL"; the outer optional is the parse result.
  std::optional<std::optional<std::string>> nstring() {
    if (peek() == '"' || peek() == '{') {
      auto s = string();
      if (!s) return std::nullopt;
      return std::optional<std::string>(std::move(*s));
    }
    size_t save = pos_;
    if (keyword() == "NIL") return std::optional<std::string>();
    pos_ = save;
    fail("Expected a string or NIL");
    return std::nullopt;
  }

  // list-mailbox = 1*list-char / string
  std::optional<std::string> list_mailbox() {
    if (peek() == '"' || peek() == '{') return string();
    size_t start = pos_;
    while (!eof() && is_list_char(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    if (pos_ == start) {
      fail("Expected a mailbox pattern");
      return std::nullopt;
    }
    return std::string(s_.substr(start, pos_ - start));
  }

  // number64 (RFC 9051) = 1*DIGIT, at most 2^63-1
  std::optional<uint64_t> number(uint64_t max = std::numeric_limits<int64_t>::max()) {
    size_t start = pos_;
    while (!eof() && is_digit(s_[pos_])) ++pos_;
    std::string_view d = s_.substr(start, pos_ - start);
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(d.data(), d.data() + d.size(), v);
    if (d.empty() || ec != std::errc() || v > max) {
      fail("Invalid number");
      return std::nullopt;
    }
    return v;
  }
  std::optional<uint32_t> nz_number() {
    auto n = number(std::numeric_limits<uint32_t>::max());
    if (!n) return std::nullopt;
    if (*n == 0) {
      fail("Invalid number 0");
      return std::nullopt;
    }
    return static_cast<uint32_t>(*n);
  }

  // sequence-set (RFC 9051 section 9), or "$" (RFC 5182 seq-last-command)
  std::optional<SequenceSet> sequence_set() {
    SequenceSet set;
    if (consume('$')) {
      set.saved = true;
      return set;
    }
    do {
      if (set.ranges.size() >= limits_.max_items) {
        fail("Sequence set too long");
        return std::nullopt;
      }
      auto a = seq_number();
      if (!a) return std::nullopt;
      SeqRange r{*a, *a};
      if (consume(':')) {
        auto b = seq_number();
        if (!b) return std::nullopt;
        r.last = *b;
      }
      set.ranges.push_back(r);
    } while (consume(','));
    return set;
  }

  // flag (RFC 9051 section 9); system flags become store bits.
  bool flag(FlagSet& out) {
    if (consume('\\')) {
      std::string name = keyword();
      static constexpr std::pair<std::string_view, uint32_t> kSystem[] = {
          {"SEEN", 1}, {"ANSWERED", 2}, {"FLAGGED", 4}, {"DELETED", 8}, {"DRAFT", 16}};
      for (auto& [n, bit] : kSystem)
        if (name == n) {
          out.system |= bit;
          return true;
        }
      return fail("Invalid system flag \\" + name);
    }
    auto a = atom();
    if (!a) return false;
    if (out.keywords.size() >= limits_.max_items) return fail("Too many flags");
    for (auto& k : out.keywords)
      if (util::iequals(k, *a)) return true;
    out.keywords.push_back(std::move(*a));
    return true;
  }
  // flag-list = "(" [flag *(SP flag)] ")"
  bool flag_list(FlagSet& out) {
    if (!expect('(', "(")) return false;
    if (consume(')')) return true;
    do {
      if (!flag(out)) return false;
    } while (consume(' '));
    return expect(')', ")");
  }

  size_t pos() const { return pos_; }
  void set_pos(size_t p) { pos_ = p; }
  std::string_view rest() const { return s_.substr(pos_); }
  const ParseLimits& limits() const { return limits_; }

 private:
  std::optional<uint32_t> seq_number() {
    if (consume('*')) return kStar;
    return nz_number();
  }

  std::string_view s_;
  size_t pos_ = 0;
  const ParseLimits& limits_;
  std::string error_;
};

// date = date-text / DQUOTE date-text DQUOTE
std::optional<int64_t> search_date(Cursor& c) {
  std::string text;
  if (c.peek() == '"') {
    auto q = c.quoted();
    if (!q) return std::nullopt;
    text = *q;
  } else {
    while (!c.eof() && c.peek() != ' ' && c.peek() != ')' && text.size() < 32) {
      text += c.peek();
      c.consume(c.peek());
    }
  }
  auto d = parse_date(text);
  if (!d) c.fail("Invalid date");
  return d;
}

// ---- command arguments -------------------------------------------------------

bool parse_section(Cursor& c, Section& sec) {
  // section = "[" [section-spec] "]"
  if (!c.expect('[', "[")) return false;
  if (c.consume(']')) return true;
  if (is_digit(c.peek())) {
    for (;;) {
      auto n = c.nz_number();
      if (!n) return false;
      if (sec.part.size() >= 64) return c.fail("Section too deep");
      sec.part.push_back(*n);
      if (c.peek() != '.') break;
      size_t save = c.pos();
      c.consume('.');
      if (!is_digit(c.peek())) {
        c.set_pos(save);
        break;
      }
    }
    if (c.consume(']')) return true;
    if (!c.expect('.', ".")) return false;
  }
  std::string word;
  while (!c.eof() && (std::isalpha(static_cast<unsigned char>(c.peek())) || c.peek() == '.')) {
    word += c.peek();
    c.consume(c.peek());
  }
  word = util::to_upper(word);
  if (word == "HEADER") {
    sec.kind = SectionKind::header;
  } else if (word == "TEXT") {
    sec.kind = SectionKind::text;
  } else if (word == "MIME" && !sec.part.empty()) {
    sec.kind = SectionKind::mime;
  } else if (word == "HEADER.FIELDS" || word == "HEADER.FIELDS.NOT") {
    sec.kind = word == "HEADER.FIELDS" ? SectionKind::header_fields : SectionKind::header_fields_not;
    // header-list = "(" header-fld-name *(SP header-fld-name) ")"
    if (!c.sp() || !c.expect('(', "(")) return false;
    do {
      auto f = c.astring();
      if (!f) return false;
      if (sec.fields.size() >= c.limits().max_items) return c.fail("Too many header fields");
      sec.fields.push_back(std::move(*f));
    } while (c.consume(' '));
    if (!c.expect(')', ")")) return false;
  } else {
    return c.fail("Invalid section");
  }
  return c.expect(']', "]");
}

// partial = "<" number "." nz-number ">" (RFC 3501 section 9)
bool parse_partial(Cursor& c, FetchItem& item) {
  if (!c.consume('<')) return true;
  auto off = c.number();
  if (!off || !c.expect('.', ".")) return false;
  auto len = c.number();
  if (!len) return false;
  if (*len == 0) return c.fail("Invalid partial length 0");
  item.partial = Partial{*off, *len};
  return c.expect('>', ">");
}

bool parse_fetch_att(Cursor& c, std::vector<FetchItem>& out) {
  using K = FetchItem::Kind;
  if (out.size() >= c.limits().max_items) return c.fail("Too many fetch items");
  std::string name;
  while (!c.eof() && c.peek() != ' ' && c.peek() != '(' && c.peek() != ')' && c.peek() != '[') {
    name += c.peek();
    c.consume(c.peek());
  }
  name = util::to_upper(name);
  FetchItem item;
  static constexpr std::pair<std::string_view, K> kSimple[] = {
      {"UID", K::uid},       {"FLAGS", K::flags},         {"INTERNALDATE", K::internaldate},
      {"RFC822.SIZE", K::rfc822_size}, {"ENVELOPE", K::envelope}, {"BODYSTRUCTURE", K::bodystructure},
      {"RFC822", K::rfc822}, {"RFC822.HEADER", K::rfc822_header}, {"RFC822.TEXT", K::rfc822_text},
      {"MODSEQ", K::modseq},
  };
  for (auto& [n, k] : kSimple)
    if (name == n) {
      item.kind = k;
      out.push_back(item);
      return true;
    }
  if (name == "BODY" && c.peek() != '[') {
    item.kind = K::body;
    out.push_back(item);
    return true;
  }
  if (name == "BODY" || name == "BODY.PEEK") {
    item.kind = K::body_section;
    item.peek = name == "BODY.PEEK";
    if (!parse_section(c, item.section) || !parse_partial(c, item)) return false;
    out.push_back(std::move(item));
    return true;
  }
  if (name == "BINARY" || name == "BINARY.PEEK" || name == "BINARY.SIZE") {
    // section-binary = "[" [section-part] "]" (RFC 3516)
    item.kind = name == "BINARY.SIZE" ? K::binary_size : K::binary;
    item.peek = name == "BINARY.PEEK";
    if (!parse_section(c, item.section)) return false;
    if (item.section.kind != SectionKind::full) return c.fail("Invalid binary section");
    if (item.kind == K::binary && !parse_partial(c, item)) return false;
    out.push_back(std::move(item));
    return true;
  }
  return c.fail("Invalid fetch attribute " + name);
}

bool parse_fetch(Cursor& c, FetchArgs& a) {
  using K = FetchItem::Kind;
  if (!c.sp()) return false;
  auto set = c.sequence_set();
  if (!set || !c.sp()) return false;
  a.set = std::move(*set);
  if (c.consume('(')) {
    do {
      if (!parse_fetch_att(c, a.items)) return false;
    } while (c.consume(' '));
    if (!c.expect(')', ")")) return false;
  } else {
    size_t save = c.pos();
    std::string word = c.keyword();
    // Macros (RFC 9051 section 6.4.5; ALL/FAST/FULL are RFC 3501 macros).
    auto simple = [](K k) { return FetchItem{k}; };
    if (word == "ALL") {
      a.items = {simple(K::flags), simple(K::internaldate), simple(K::rfc822_size), simple(K::envelope)};
    } else if (word == "FAST") {
      a.items = {simple(K::flags), simple(K::internaldate), simple(K::rfc822_size)};
    } else if (word == "FULL") {
      a.items = {simple(K::flags), simple(K::internaldate), simple(K::rfc822_size), simple(K::envelope),
                 simple(K::body)};
    } else {
      c.set_pos(save);
      if (!parse_fetch_att(c, a.items)) return false;
    }
  }
  // fetch-modifiers (RFC 7162 sections 3.1.4, 3.2.6): " (CHANGEDSINCE n [VANISHED])"
  if (c.consume(' ')) {
    if (!c.expect('(', "(")) return false;
    do {
      std::string m = c.keyword();
      if (m == "CHANGEDSINCE") {
        if (!c.sp()) return false;
        auto n = c.number();
        if (!n) return false;
        a.changedsince = *n;
      } else if (m == "VANISHED") {
        a.vanished = true;
      } else {
        return c.fail("Unknown FETCH modifier");
      }
    } while (c.consume(' '));
    if (!c.expect(')', ")")) return false;
    if (a.vanished && !a.changedsince) return c.fail("VANISHED needs CHANGEDSINCE");
  }
  return true;
}

bool parse_store(Cursor& c, StoreArgs& a) {
  if (!c.sp()) return false;
  auto set = c.sequence_set();
  if (!set || !c.sp()) return false;
  a.set = std::move(*set);
  if (c.consume('(')) {  // store-modifiers (RFC 7162): (UNCHANGEDSINCE n)
    if (c.keyword() != "UNCHANGEDSINCE" || !c.sp()) return c.fail("Unknown STORE modifier");
    auto n = c.number();
    if (!n) return false;
    a.unchangedsince = *n;
    if (!c.expect(')', ")") || !c.sp()) return false;
  }
  if (c.consume('+'))
    a.op = StoreArgs::Op::add;
  else if (c.consume('-'))
    a.op = StoreArgs::Op::remove;
  std::string word = c.keyword();
  if (word == "FLAGS.SILENT")
    a.silent = true;
  else if (word != "FLAGS")
    return c.fail("Expected FLAGS, +FLAGS or -FLAGS");
  if (!c.sp()) return false;
  if (c.peek() == '(') return c.flag_list(a.flags);
  do {
    if (!c.flag(a.flags)) return false;
  } while (c.consume(' '));
  return true;
}

bool parse_search_key(Cursor& c, SearchKey& key, int depth);

bool parse_search_keys(Cursor& c, std::vector<SearchKey>& out, int depth) {
  do {
    if (out.size() >= c.limits().max_items) return c.fail("Too many search keys");
    SearchKey k;
    if (!parse_search_key(c, k, depth)) return false;
    out.push_back(std::move(k));
  } while (c.consume(' '));
  return true;
}

bool parse_search_key(Cursor& c, SearchKey& key, int depth) {
  using K = SearchKey::Kind;
  if (depth > c.limits().max_depth) return c.fail("Search criteria nested too deeply");
  if (c.consume('(')) {
    key.kind = K::and_;
    if (!parse_search_keys(c, key.children, depth + 1)) return false;
    return c.expect(')', ")");
  }
  char p = c.peek();
  if (is_digit(p) || p == '*' || p == '$') {
    auto set = c.sequence_set();
    if (!set) return false;
    key.kind = K::seqset;
    key.set = std::move(*set);
    return true;
  }
  std::string word = c.keyword();
  static constexpr std::pair<std::string_view, K> kNoArg[] = {
      {"ALL", K::all},           {"ANSWERED", K::answered},     {"DELETED", K::deleted},
      {"DRAFT", K::draft},       {"FLAGGED", K::flagged},       {"SEEN", K::seen},
      {"RECENT", K::recent},     {"NEW", K::new_},              {"OLD", K::old},
      {"UNANSWERED", K::unanswered}, {"UNDELETED", K::undeleted}, {"UNDRAFT", K::undraft},
      {"UNFLAGGED", K::unflagged},   {"UNSEEN", K::unseen},
  };
  for (auto& [n, k] : kNoArg)
    if (word == n) {
      key.kind = k;
      return true;
    }
  static constexpr std::pair<std::string_view, K> kString[] = {
      {"BCC", K::bcc}, {"BODY", K::body}, {"CC", K::cc}, {"FROM", K::from},
      {"SUBJECT", K::subject}, {"TEXT", K::text}, {"TO", K::to},
  };
  for (auto& [n, k] : kString)
    if (word == n) {
      key.kind = k;
      if (!c.sp()) return false;
      auto s = c.astring();
      if (!s) return false;
      key.value = std::move(*s);
      return true;
    }
  static constexpr std::pair<std::string_view, K> kDate[] = {
      {"BEFORE", K::before}, {"ON", K::on}, {"SINCE", K::since},
      {"SENTBEFORE", K::sentbefore}, {"SENTON", K::senton}, {"SENTSINCE", K::sentsince},
  };
  for (auto& [n, k] : kDate)
    if (word == n) {
      key.kind = k;
      if (!c.sp()) return false;
      auto d = search_date(c);
      if (!d) return false;
      key.date = *d;
      return true;
    }
  if (word == "KEYWORD" || word == "UNKEYWORD") {
    key.kind = word == "KEYWORD" ? K::keyword : K::unkeyword;
    if (!c.sp()) return false;
    auto a = c.atom();
    if (!a) return false;
    key.value = std::move(*a);
    return true;
  }
  if (word == "LARGER" || word == "SMALLER" || word == "MODSEQ") {
    key.kind = word == "LARGER" ? K::larger : word == "SMALLER" ? K::smaller : K::modseq;
    if (!c.sp()) return false;
    auto n = c.number();
    if (!n) return false;
    key.number = *n;
    return true;
  }
  if (word == "HEADER") {
    key.kind = K::header;
    if (!c.sp()) return false;
    auto f = c.astring();
    if (!f || !c.sp()) return false;
    auto v = c.astring();
    if (!v) return false;
    key.field = std::move(*f);
    key.value = std::move(*v);
    return true;
  }
  if (word == "UID") {
    key.kind = K::uid;
    if (!c.sp()) return false;
    auto set = c.sequence_set();
    if (!set) return false;
    key.set = std::move(*set);
    return true;
  }
  if (word == "NOT") {
    key.kind = K::not_;
    key.children.resize(1);
    return c.sp() && parse_search_key(c, key.children[0], depth + 1);
  }
  if (word == "OR") {
    key.kind = K::or_;
    key.children.resize(2);
    return c.sp() && parse_search_key(c, key.children[0], depth + 1) && c.sp() &&
           parse_search_key(c, key.children[1], depth + 1);
  }
  return c.fail(word.empty() ? "Expected a search key" : "Unknown search key " + word);
}

bool parse_search(Cursor& c, SearchArgs& a) {
  if (!c.sp()) return false;
  size_t save = c.pos();
  std::string word = c.keyword();
  if (word == "RETURN") {  // RFC 4731 search-return-opts
    a.esearch = true;
    if (!c.sp() || !c.expect('(', "(")) return false;
    if (!c.consume(')')) {
      do {
        std::string opt = c.keyword();
        if (opt != "MIN" && opt != "MAX" && opt != "ALL" && opt != "COUNT" && opt != "SAVE")
          return c.fail("Unknown search return option " + opt);
        a.returns.push_back(opt);
      } while (c.consume(' '));
      if (!c.expect(')', ")")) return false;
    }
    if (!c.sp()) return false;
    save = c.pos();
    word = c.keyword();
  }
  if (word == "CHARSET") {
    if (!c.sp()) return false;
    auto cs = c.astring();
    if (!cs || !c.sp()) return false;
    a.charset = util::to_upper(*cs);
  } else {
    c.set_pos(save);
  }
  a.key.kind = SearchKey::Kind::and_;
  return parse_search_keys(c, a.key.children, 1);
}

bool parse_list(Cursor& c, ListArgs& a, bool lsub) {
  if (!c.sp()) return false;
  if (lsub) a.subscribed_only = true;
  if (!lsub && c.consume('(')) {  // list-select-opts (RFC 5258)
    a.extended = true;
    if (!c.consume(')')) {
      do {
        std::string opt = c.keyword();
        if (opt == "SUBSCRIBED")
          a.subscribed_only = true;
        else if (opt == "RECURSIVEMATCH")
          a.recursive_match = true;
        else if (opt == "SPECIAL-USE")
          a.special_use_only = true;
        else if (opt != "REMOTE")
          return c.fail("Unknown LIST selection option " + opt);
      } while (c.consume(' '));
      if (!c.expect(')', ")")) return false;
    }
    if (!c.sp()) return false;
  }
  auto ref = c.astring();
  if (!ref || !c.sp()) return false;
  a.reference = std::move(*ref);
  if (!lsub && c.consume('(')) {
    a.extended = true;
    do {
      auto p = c.list_mailbox();
      if (!p) return false;
      if (a.patterns.size() >= c.limits().max_items) return c.fail("Too many patterns");
      a.patterns.push_back(std::move(*p));
    } while (c.consume(' '));
    if (!c.expect(')', ")")) return false;
  } else {
    auto p = c.list_mailbox();
    if (!p) return false;
    a.patterns.push_back(std::move(*p));
  }
  if (!lsub && c.consume(' ')) {  // list-return-opts
    a.extended = true;
    if (c.keyword() != "RETURN" || !c.sp() || !c.expect('(', "(")) return c.fail("Expected RETURN");
    if (!c.consume(')')) {
      do {
        std::string opt = c.keyword();
        if (opt == "SUBSCRIBED") {
          a.return_subscribed = true;
        } else if (opt == "CHILDREN") {
          a.return_children = true;
        } else if (opt == "SPECIAL-USE") {
          a.return_special_use = true;
        } else if (opt == "STATUS") {  // RFC 5819
          if (!c.sp() || !c.expect('(', "(")) return false;
          do {
            std::string item = c.keyword();
            if (item.empty()) return c.fail("Expected a status item");
            a.return_status.push_back(item);
          } while (c.consume(' '));
          if (!c.expect(')', ")")) return false;
        } else {
          return c.fail("Unknown LIST return option " + opt);
        }
      } while (c.consume(' '));
      if (!c.expect(')', ")")) return false;
    }
  }
  if (a.subscribed_only && !lsub) a.return_subscribed = true;
  return true;
}

bool parse_status(Cursor& c, StatusArgs& a) {
  if (!c.sp()) return false;
  auto m = c.astring();
  if (!m || !c.sp() || !c.expect('(', "(")) return false;
  a.mailbox = std::move(*m);
  do {
    std::string item = c.keyword();
    static constexpr std::string_view kItems[] = {"MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "DELETED",
                                                  "SIZE", "RECENT", "HIGHESTMODSEQ", "APPENDLIMIT"};
    bool known = false;
    for (auto k : kItems) known = known || item == k;
    if (!known) return c.fail("Unknown status item " + item);
    a.items.push_back(item);
  } while (c.consume(' ') && a.items.size() < 64);
  return c.expect(')', ")");
}

bool parse_append(Cursor& c, AppendArgs& a) {
  if (!c.sp()) return false;
  auto m = c.astring();
  if (!m || !c.sp()) return false;
  a.mailbox = std::move(*m);
  if (c.peek() == '(') {
    if (!c.flag_list(a.flags) || !c.sp()) return false;
  }
  if (c.peek() == '"') {
    auto q = c.quoted();
    if (!q) return false;
    a.date = parse_date_time(*q);
    if (!a.date) return c.fail("Invalid date-time");
    if (!c.sp()) return false;
  }
  if (c.peek() != '{' && c.peek() != '~') return c.fail("Expected the message as a literal");
  auto msg = c.literal(true);
  if (!msg) return false;
  a.message = std::move(*msg);
  return true;
}

bool parse_id(Cursor& c, IdArgs& a) {
  // id = "ID" SP id-params-list; id-params-list = "(" *(string SP nstring) ")" / nil (RFC 2971)
  if (!c.sp()) return false;
  if (!c.consume('(')) {
    if (c.keyword() != "NIL") return c.fail("Expected ( or NIL");
    return true;
  }
  if (c.consume(')')) return true;
  do {
    auto k = c.string();
    if (!k || !c.sp()) return false;
    auto v = c.nstring();
    if (!v) return false;
    if (a.params.size() >= 30) return c.fail("Too many ID parameters");  // RFC 2971 section 3.3
    a.params.emplace_back(std::move(*k), std::move(*v));
  } while (c.consume(' '));
  return c.expect(')', ")");
}

bool parse_mailbox_arg(Cursor& c, MailboxArgs& a, bool select_params) {
  if (!c.sp()) return false;
  auto m = c.astring();
  if (!m) return false;
  a.mailbox = std::move(*m);
  if (select_params && c.consume(' ')) {  // select-params (RFC 4466, RFC 7162)
    if (!c.expect('(', "(")) return false;
    do {
      std::string p = c.keyword();
      if (p == "CONDSTORE") {
        a.condstore = true;
      } else if (p == "QRESYNC") {
        // "QRESYNC" SP "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"
        QresyncParams q;
        if (!c.sp() || !c.expect('(', "(")) return false;
        auto v = c.nz_number();
        if (!v || !c.sp()) return false;
        auto ms = c.number();
        if (!ms) return false;
        q.uidvalidity = *v;
        q.modseq = *ms;
        bool more = c.consume(' ');
        if (more && c.peek() != '(') {
          auto known = c.sequence_set();
          if (!known) return false;
          q.known_uids = std::move(*known);
          more = c.consume(' ');
        }
        if (more && c.consume('(')) {  // seq-match-data = "(" known-sequence-set SP known-uid-set ")"
          auto a1 = c.sequence_set();
          if (!a1 || !c.sp()) return false;
          auto a2 = c.sequence_set();
          if (!a2 || !c.expect(')', ")")) return false;
        } else if (more) {
          return c.fail("Expected seq-match-data");
        }
        if (!c.expect(')', ")")) return false;
        a.qresync = std::move(q);
      } else {
        return c.fail("Unsupported SELECT parameter " + p);
      }
    } while (c.consume(' '));
    return c.expect(')', ")");
  }
  return true;
}

bool parse_args(Cursor& c, const Command& cmd, CommandArgs& out) {
  switch (cmd.spec->id) {
    case CommandId::capability: case CommandId::noop: case CommandId::logout: case CommandId::starttls:
    case CommandId::namespace_: case CommandId::idle: case CommandId::check: case CommandId::close:
    case CommandId::unselect:
      out = NoArgs{};
      return true;
    case CommandId::expunge: {
      ExpungeArgs a;
      if (cmd.uid) {
        if (!c.sp()) return false;
        auto set = c.sequence_set();
        if (!set) return false;
        a.uids = std::move(*set);
      }
      out = std::move(a);
      return true;
    }
    case CommandId::login: {
      LoginArgs a;
      if (!c.sp()) return false;
      auto u = c.astring();
      if (!u || !c.sp()) return false;
      auto p = c.astring();
      if (!p) return false;
      a.user = std::move(*u);
      a.password = std::move(*p);
      out = std::move(a);
      return true;
    }
    case CommandId::authenticate: {
      AuthenticateArgs a;
      if (!c.sp()) return false;
      auto m = c.atom();
      if (!m) return false;
      a.mechanism = util::to_upper(*m);
      if (c.consume(' ')) {  // SASL-IR (RFC 4959): base64 or "="
        std::string ir(c.rest());
        if (ir.empty()) return c.fail("Empty initial response");
        for (char ch : ir)
          if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '+' || ch == '/' || ch == '='))
            return c.fail("Invalid initial response");
        c.set_pos(c.pos() + ir.size());
        a.initial = std::move(ir);
      }
      out = std::move(a);
      return true;
    }
    case CommandId::enable: {
      EnableArgs a;
      do {
        if (!c.sp()) return false;
        auto cap = c.atom();
        if (!cap) return false;
        if (a.capabilities.size() >= 64) return c.fail("Too many capabilities");
        a.capabilities.push_back(util::to_upper(*cap));
      } while (c.peek() == ' ');
      out = std::move(a);
      return true;
    }
    case CommandId::id: {
      IdArgs a;
      if (!parse_id(c, a)) return false;
      out = std::move(a);
      return true;
    }
    case CommandId::select: case CommandId::examine: case CommandId::create: case CommandId::delete_:
    case CommandId::subscribe: case CommandId::unsubscribe: {
      MailboxArgs a;
      bool params = cmd.spec->id == CommandId::select || cmd.spec->id == CommandId::examine;
      if (!parse_mailbox_arg(c, a, params)) return false;
      out = std::move(a);
      return true;
    }
    case CommandId::rename: {
      RenameArgs a;
      if (!c.sp()) return false;
      auto f = c.astring();
      if (!f || !c.sp()) return false;
      auto t = c.astring();
      if (!t) return false;
      a.from = std::move(*f);
      a.to = std::move(*t);
      out = std::move(a);
      return true;
    }
    case CommandId::list: case CommandId::lsub: {
      ListArgs a;
      if (!parse_list(c, a, cmd.spec->id == CommandId::lsub)) return false;
      out = std::move(a);
      return true;
    }
    case CommandId::status: {
      StatusArgs a;
      if (!parse_status(c, a)) return false;
      out = std::move(a);
      return true;
    }
    case CommandId::append: {
      AppendArgs a;
      if (!parse_append(c, a)) return false;
      out = std::move(a);
      return true;
    }
    case CommandId::fetch: {
      FetchArgs a;
      if (!parse_fetch(c, a)) return false;
      out = std::move(a);
      return true;
    }
    case CommandId::store: {
      StoreArgs a;
      if (!parse_store(c, a)) return false;
      out = std::move(a);
      return true;
    }
    case CommandId::copy: case CommandId::move: {
      CopyArgs a;
      if (!c.sp()) return false;
      auto set = c.sequence_set();
      if (!set || !c.sp()) return false;
      auto m = c.astring();
      if (!m) return false;
      a.set = std::move(*set);
      a.mailbox = std::move(*m);
      out = std::move(a);
      return true;
    }
    case CommandId::search: {
      SearchArgs a;
      if (!parse_search(c, a)) return false;
      out = std::move(a);
      return true;
    }
  }
  return c.fail("Unknown command");
}

}  // namespace

ParseResult parse_command(std::string_view text, const ParseLimits& limits) {
  Cursor c(text, limits);
  // tag = 1*<any ASTRING-CHAR except "+">
  size_t n = 0;
  while (n < text.size() && is_astring_char(static_cast<unsigned char>(text[n])) && text[n] != '+') ++n;
  if (n == 0 || (n < text.size() && text[n] != ' ')) return ParseError{"", "Invalid tag"};
  std::string tag(text.substr(0, n));
  c.set_pos(n);
  if (!c.consume(' ')) return ParseError{tag, "Missing command"};
  std::string name = c.keyword();
  if (name.empty()) return ParseError{tag, "Missing command"};
  Command cmd;
  cmd.tag = tag;
  if (name == "UID") {
    if (!c.consume(' ')) return ParseError{tag, "Missing command after UID"};
    name = c.keyword();
    cmd.uid = true;
  }
  cmd.spec = find_command(name);
  if (!cmd.spec) return ParseError{tag, "Unknown command " + name.substr(0, 40), true};
  if (cmd.uid && !(cmd.spec->flags & kUidVariant)) return ParseError{tag, "Unknown command UID " + name, true};
  if (!parse_args(c, cmd, cmd.args)) return ParseError{tag, "Error in IMAP command " + name + ": " + c.error()};
  if (!c.eof()) return ParseError{tag, "Error in IMAP command " + name + ": unexpected characters at end"};
  return cmd;
}

TagAndName peek_tag_and_name(std::string_view line) {
  TagAndName r;
  size_t sp = line.find(' ');
  std::string_view tag = line.substr(0, sp);
  bool ok = !tag.empty() && tag.size() <= 64;
  for (char ch : tag) ok = ok && is_astring_char(static_cast<unsigned char>(ch)) && ch != '+';
  if (!ok) return r;
  r.tag = std::string(tag);
  if (sp == std::string_view::npos) return r;
  std::string_view rest = line.substr(sp + 1);
  size_t e = 0;
  while (e < rest.size() && e < 32 && is_atom_char(static_cast<unsigned char>(rest[e]))) ++e;
  r.name = util::to_upper(rest.substr(0, e));
  if (r.name == "UID" && e < rest.size() && rest[e] == ' ') {
    std::string_view r2 = rest.substr(e + 1);
    size_t e2 = 0;
    while (e2 < r2.size() && e2 < 32 && is_atom_char(static_cast<unsigned char>(r2[e2]))) ++e2;
    r.name += " " + util::to_upper(r2.substr(0, e2));
  }
  return r;
}

std::optional<LiteralSpec> trailing_literal(std::string_view line) {
  // "{" number64 ["+"] "}" at the very end of the line (RFC 9051 section 4.3, RFC 7888)
  if (line.size() < 3 || line.back() != '}') return std::nullopt;
  size_t end = line.size() - 1;
  LiteralSpec spec;
  if (line[end - 1] == '+') {
    spec.synchronizing = false;
    --end;
  }
  size_t open = line.rfind('{', end);
  if (open == std::string_view::npos) return std::nullopt;
  std::string_view digits = line.substr(open + 1, end - open - 1);
  if (!all_digits(digits) || digits.size() > 19) return std::nullopt;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), spec.size);
  if (ec != std::errc()) return std::nullopt;
  return spec;
}

CommandAssembler::Step CommandAssembler::add_line(std::string_view line) {
  if (!started_) {
    first_line_ = std::string(line);
    started_ = true;
  }
  if (text_.size() + line.size() > max_total_) return Step{Step::Kind::too_long};
  text_ += line;
  auto lit = trailing_literal(line);
  if (!lit) return Step{Step::Kind::complete};
  Step step{Step::Kind::need_literal, lit->size, lit->synchronizing};
  if (lit->size > max_literal_ || ++literals_ > max_literals_ || text_.size() + 2 + lit->size > max_total_)
    step.kind = Step::Kind::literal_too_big;
  else
    text_ += "\r\n";
  return step;
}

void CommandAssembler::add_literal(std::string_view bytes) { text_ += bytes; }

void CommandAssembler::reset() {
  text_.clear();
  first_line_.clear();
  literals_ = 0;
  started_ = false;
}

std::optional<int64_t> parse_date(std::string_view s) {
  // date-text = date-day "-" date-month "-" date-year; date-day = 1*2DIGIT
  auto parts = util::split(s, '-');
  if (parts.size() != 3) return std::nullopt;
  if (!all_digits(parts[0]) || parts[0].size() > 2 || !all_digits(parts[2]) || parts[2].size() != 4)
    return std::nullopt;
  int m = month_index(parts[1]);
  unsigned d = to_uint(parts[0]);
  if (m == 0 || d < 1 || d > 31) return std::nullopt;
  return days_from_civil(to_uint(parts[2]), static_cast<unsigned>(m), d) * 86400;
}

std::optional<int64_t> parse_date_time(std::string_view s) {
  // date-time = date-day-fixed "-" date-month "-" date-year SP time SP zone
  // date-day-fixed = (SP DIGIT) / 2DIGIT; time = 2DIGIT ":" 2DIGIT ":" 2DIGIT;
  // zone = ("+" / "-") 4DIGIT
  if (s.size() != 26) return std::nullopt;
  std::string day(s.substr(0, 2));
  if (day[0] == ' ') day[0] = '0';
  if (!all_digits(day) || s[2] != '-' || s[6] != '-' || s[11] != ' ' || s[14] != ':' || s[17] != ':' ||
      s[20] != ' ')
    return std::nullopt;
  int m = month_index(s.substr(3, 3));
  std::string_view year = s.substr(7, 4), hh = s.substr(12, 2), mm = s.substr(15, 2), ss = s.substr(18, 2),
                   zone = s.substr(22, 4);
  if (!m || !all_digits(year) || !all_digits(hh) || !all_digits(mm) || !all_digits(ss) || !all_digits(zone) ||
      (s[21] != '+' && s[21] != '-'))
    return std::nullopt;
  unsigned d = to_uint(day), h = to_uint(hh), mi = to_uint(mm), se = to_uint(ss);
  if (d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return std::nullopt;
  int64_t t = days_from_civil(to_uint(year), static_cast<unsigned>(m), d) * 86400 + h * 3600 + mi * 60 + se;
  int64_t z = static_cast<int64_t>(to_uint(zone.substr(0, 2))) * 3600 + to_uint(zone.substr(2, 2)) * 60;
  return s[21] == '+' ? t - z : t + z;
}

}  // namespace postern::imap
