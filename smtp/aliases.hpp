// Local aliases (/etc/postern/aliases): "local-part: target[, target...]"
// maps a local part of ours to local users, like sendmail/Postfix aliases(5)
// restricted to local names: no pipes, no files, no :include:, no remote
// addresses. parse() is pure code over the file's text; load() reads it.
// RFC 5321 4.5.1: "postmaster" must be accepted; without an explicit entry it
// follows "root"'s alias, else it is left to the user lookup (authd).
// Trust boundary: the file is written by the administrator (trusted but
// possibly mistyped): every line is checked and an error names file:line.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace postern::smtp {

class AliasTable {
 public:
  static constexpr size_t kMaxFileSize = 1024 * 1024;
  static constexpr size_t kMaxLine = 4096;
  static constexpr size_t kMaxEntries = 10000;
  static constexpr size_t kMaxTargets = 100;  // per line
  static constexpr int kMaxDepth = 5;         // alias -> alias -> ... levels

  // Parses the text of an aliases file; `path` only names it in errors.
  // Throws std::runtime_error("path:line: reason") on a bad line, a
  // duplicate key, a loop or a chain deeper than kMaxDepth.
  static AliasTable parse(std::string_view text, const std::string& path);
  // Reads and parses `path`; a missing file is an empty table.
  static AliasTable load(const std::string& path);

  // The users a local part (lowercased or not, "+tag" already removed)
  // delivers to, aliases expanded recursively and deduplicated in order.
  // A local part that is not an alias yields itself, lowercased (for authd).
  std::vector<std::string> expand(std::string_view local_part) const;
  bool is_alias(std::string_view local_part) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::vector<std::string> targets;  // lowercased
    size_t line = 0;
  };
  void expand_into(const std::string& key, int depth, std::vector<std::string>& out,
                   std::vector<std::string>& seen) const;
  std::map<std::string, Entry> entries_;  // keys lowercased (RFC 5321 2.4: we treat ours case-insensitively)
};

}  // namespace postern::smtp
