// IMAP client command parser: the grammar of RFC 9051 section 9 / RFC 3501
// section 9 for commands, plus the extensions Postern speaks (LITERAL+ RFC 7888,
// SASL-IR RFC 4959, ENABLE RFC 5161, ID RFC 2971, UIDPLUS RFC 4315, MOVE RFC 6851,
// CONDSTORE/QRESYNC RFC 7162, LIST-EXTENDED RFC 5258, UNSELECT RFC 3691).
// Trust boundary: every byte comes from the network. Pure code: a command's
// whole text (lines joined by CRLF with literal bytes inline, as assembled by
// CommandAssembler) in, a Command or a ParseError out; no I/O, no allocation
// beyond the bounded input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "imap/command_table.hpp"
#include "imap/search_key.hpp"
#include "imap/sequence_set.hpp"

namespace postern::imap {

// Flags as written in STORE/APPEND (RFC 9051 section 2.3.2). System flags are
// store bits (store::Flag values); keywords keep their spelling.
struct FlagSet {
  uint32_t system = 0;
  std::vector<std::string> keywords;
};

// BODY[section] (RFC 9051 section 6.4.5).
enum class SectionKind { full, header, header_fields, header_fields_not, text, mime };
struct Section {
  std::vector<uint32_t> part;  // "1.2.3" -> {1,2,3}; empty = whole message
  SectionKind kind = SectionKind::full;
  std::vector<std::string> fields;  // HEADER.FIELDS names as written
  bool operator==(const Section&) const = default;
};
struct Partial {
  uint64_t offset = 0;
  uint64_t length = 0;
  bool operator==(const Partial&) const = default;
};

struct FetchItem {
  enum class Kind {
    uid, flags, internaldate, rfc822_size, envelope, bodystructure, body, body_section,
    rfc822, rfc822_header, rfc822_text, modseq, binary, binary_size,
  };
  Kind kind = Kind::uid;
  bool peek = false;  // BODY.PEEK / BINARY.PEEK
  Section section;    // body_section, binary, binary_size
  std::optional<Partial> partial;
  bool operator==(const FetchItem&) const = default;
};

struct NoArgs {};
struct LoginArgs {
  std::string user, password;
};
struct AuthenticateArgs {
  std::string mechanism;                // uppercased
  std::optional<std::string> initial;   // SASL-IR (base64, or "=" for empty)
};
struct QresyncParams {  // SELECT/EXAMINE (QRESYNC (...)), RFC 7162 section 3.2.5
  uint32_t uidvalidity = 0;
  uint64_t modseq = 0;
  std::optional<SequenceSet> known_uids;  // seq-match-data is parsed and ignored
};
struct MailboxArgs {  // SELECT EXAMINE CREATE DELETE SUBSCRIBE UNSUBSCRIBE
  std::string mailbox;  // as sent (modified UTF-7)
  bool condstore = false;
  std::optional<QresyncParams> qresync;
};
struct RenameArgs {
  std::string from, to;
};
struct ListArgs {  // LIST and LSUB (RFC 9051 6.3.9, RFC 5258)
  std::string reference;
  std::vector<std::string> patterns;
  bool subscribed_only = false;   // selection SUBSCRIBED, or LSUB
  bool recursive_match = false;
  bool special_use_only = false;  // selection SPECIAL-USE (RFC 6154)
  bool return_subscribed = false;
  bool return_children = false;
  bool return_special_use = false;
  std::vector<std::string> return_status;  // RETURN (STATUS (...)) RFC 5819, uppercased
  bool extended = false;                   // any LIST-EXTENDED syntax used
};
struct StatusArgs {
  std::string mailbox;
  std::vector<std::string> items;  // uppercased: MESSAGES UIDNEXT UIDVALIDITY UNSEEN ...
};
struct AppendArgs {
  std::string mailbox;
  FlagSet flags;
  std::optional<int64_t> date;  // unix seconds
  std::string message;
};
struct FetchArgs {
  SequenceSet set;
  std::vector<FetchItem> items;
  std::optional<uint64_t> changedsince;  // RFC 7162
  bool vanished = false;                 // RFC 7162 section 3.2.6 (UID FETCH, with CHANGEDSINCE)
};
struct StoreArgs {
  SequenceSet set;
  enum class Op { set, add, remove } op = Op::set;
  bool silent = false;
  FlagSet flags;
  std::optional<uint64_t> unchangedsince;
};
struct CopyArgs {  // COPY, MOVE
  SequenceSet set;
  std::string mailbox;
};
struct ExpungeArgs {  // UID EXPUNGE (RFC 4315)
  std::optional<SequenceSet> uids;
};
struct SearchArgs {
  std::optional<std::string> charset;
  bool esearch = false;              // RETURN (...) given (RFC 4731)
  std::vector<std::string> returns;  // MIN MAX ALL COUNT SAVE
  SearchKey key;                     // an AND of every key given
};
struct IdArgs {
  std::vector<std::pair<std::string, std::optional<std::string>>> params;  // empty for NIL
};
struct EnableArgs {
  std::vector<std::string> capabilities;  // uppercased
};

using CommandArgs = std::variant<NoArgs, LoginArgs, AuthenticateArgs, MailboxArgs, RenameArgs, ListArgs,
                                 StatusArgs, AppendArgs, FetchArgs, StoreArgs, CopyArgs, ExpungeArgs,
                                 SearchArgs, IdArgs, EnableArgs>;

struct Command {
  std::string tag;
  const CommandSpec* spec = nullptr;  // from the command table
  bool uid = false;                   // "UID FETCH" etc.
  CommandArgs args;
  template <class T>
  const T& as() const { return std::get<T>(args); }
};

struct ParseError {
  std::string tag;      // empty (then "*" is used) when no valid tag was read
  std::string message;  // for "BAD <message>"
  bool unknown_command = false;
};

using ParseResult = std::variant<Command, ParseError>;

struct ParseLimits {
  size_t max_items = 10000;  // list elements, fetch items, search keys, sequence ranges
  int max_depth = 32;        // nested parentheses in SEARCH
};

// Parses one whole command. `text` has no final CRLF; a literal "{n}" (or
// "{n+}") is followed by CRLF and exactly n bytes inline.
ParseResult parse_command(std::string_view text, const ParseLimits& limits = {});

// The tag and (uppercased) command name of a command's first line, as far as
// they can be read; for answering a command that cannot be fully read.
struct TagAndName {
  std::string tag, name;
};
TagAndName peek_tag_and_name(std::string_view line);

// Collects a command from the network: lines and the literals they announce
// (RFC 9051 section 4.3, RFC 7888). Pure state machine: the session feeds a
// line, and when a literal is announced, sends "+ Ready" for a synchronizing
// one, reads n bytes and feeds them; then the next line.
class CommandAssembler {
 public:
  CommandAssembler(uint64_t max_literal, size_t max_command_bytes, size_t max_literals = 256)
      : max_literal_(max_literal), max_total_(max_command_bytes), max_literals_(max_literals) {}

  struct Step {
    enum class Kind { complete, need_literal, literal_too_big, too_long } kind = Kind::complete;
    uint64_t literal_size = 0;
    bool synchronizing = true;
  };
  // Feeds one line without its CRLF.
  Step add_line(std::string_view line);
  // Feeds the literal announced by the last step (exactly literal_size bytes).
  void add_literal(std::string_view bytes);
  const std::string& text() const { return text_; }
  const std::string& first_line() const { return first_line_; }
  void reset();

 private:
  uint64_t max_literal_;
  size_t max_total_;
  size_t max_literals_;
  size_t literals_ = 0;
  std::string text_;
  std::string first_line_;
  bool started_ = false;
};

// Finds a literal announcement "{n}" / "{n+}" at the end of a line.
struct LiteralSpec {
  uint64_t size = 0;
  bool synchronizing = true;
};
std::optional<LiteralSpec> trailing_literal(std::string_view line);

// RFC 9051 section 2.3.3 date-time ("17-Jul-1996 02:44:25 -0700", no quotes) -> unix seconds.
std::optional<int64_t> parse_date_time(std::string_view s);
// RFC 9051 section 9 date-text ("1-Feb-1994") -> unix seconds at 00:00 UTC.
std::optional<int64_t> parse_date(std::string_view s);

}  // namespace postern::imap
