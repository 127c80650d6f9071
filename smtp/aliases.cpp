// Local aliases: the parser of the aliases file and the recursive expansion
// of a local part into local users (see aliases.hpp for the format).
// RFC 5321 4.5.1 (postmaster must be accepted), 2.4 (local parts: we compare
// ours case-insensitively).
// Trust boundary: the file is the administrator's; it is still bounded
// (size, line length, entry and target counts, depth) and checked line by line.
#include "smtp/aliases.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <system_error>

#include "common/util/strings.hpp"

namespace postern::smtp {
namespace {

constexpr size_t kMaxName = 64;  // RFC 5321 4.5.3.1.1: local part length

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > kMaxName || s.front() == '-' || s.front() == '.') return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-';
    if (!ok) return false;
  }
  return true;
}

[[noreturn]] void fail(const std::string& path, size_t line, const std::string& why) {
  throw std::runtime_error(path + ":" + std::to_string(line) + ": " + why);
}

// Why a target is refused, or empty when it is a local name.
std::string target_error(std::string_view t) {
  if (t.empty()) return "empty target";
  if (t.front() == '|') return "pipe targets are not supported: " + std::string(t);
  if (t.front() == '/') return "file targets are not supported: " + std::string(t);
  if (t.rfind(":include:", 0) == 0) return ":include: is not supported";
  if (t.find('@') != std::string_view::npos) return "remote targets are not supported: " + std::string(t);
  if (!valid_name(t)) return "invalid target (expected a local user name): " + std::string(t.substr(0, kMaxName));
  return {};
}

}  // namespace

AliasTable AliasTable::parse(std::string_view text, const std::string& path) {
  AliasTable t;
  if (text.size() > kMaxFileSize) throw std::runtime_error(path + ": aliases file too large");
  size_t lineno = 0;
  while (!text.empty()) {
    ++lineno;
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.size() > kMaxLine) fail(path, lineno, "line too long");
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = util::trim(line);
    if (line.empty()) continue;

    auto colon = line.find(':');
    if (colon == std::string_view::npos) fail(path, lineno, "expected 'local-part: target[, target...]'");
    std::string key = util::to_lower(util::trim(line.substr(0, colon)));
    if (!valid_name(key)) fail(path, lineno, "invalid alias name '" + key.substr(0, kMaxName) + "'");
    if (t.entries_.count(key)) fail(path, lineno, "duplicate alias '" + key + "' (first on line " +
                                                     std::to_string(t.entries_[key].line) + ")");
    if (t.entries_.size() >= kMaxEntries) fail(path, lineno, "too many aliases");

    Entry e;
    e.line = lineno;
    std::string_view rest = line.substr(colon + 1);
    while (true) {
      auto comma = rest.find(',');
      std::string_view item = util::trim(rest.substr(0, comma));
      if (auto why = target_error(item); !why.empty()) fail(path, lineno, why);
      std::string target = util::to_lower(item);
      if (std::find(e.targets.begin(), e.targets.end(), target) == e.targets.end()) e.targets.push_back(target);
      if (e.targets.size() > kMaxTargets) fail(path, lineno, "too many targets");
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
    t.entries_.emplace(std::move(key), std::move(e));
  }

  // Loops and depth, checked once here so expand() never meets them. A
  // target equal to its own key ("alice: alice, bob") is the user itself.
  // height: how many aliases deep a key's chain goes (memoized: linear time).
  std::map<std::string, int> height;
  std::vector<std::string> stack;
  std::function<int(const std::string&, const Entry&)> visit = [&](const std::string& key, const Entry& e) -> int {
    if (auto h = height.find(key); h != height.end()) return h->second;
    stack.push_back(key);
    int h = 1;
    for (auto& target : e.targets) {
      if (target == key) continue;
      auto it = t.entries_.find(target);
      if (it == t.entries_.end()) continue;
      if (std::find(stack.begin(), stack.end(), target) != stack.end())
        fail(path, e.line, "alias loop: '" + key + "' -> '" + target + "'");
      h = std::max(h, 1 + visit(it->first, it->second));
    }
    if (h > kMaxDepth) fail(path, e.line, "alias chain from '" + key + "' deeper than " + std::to_string(kMaxDepth));
    stack.pop_back();
    height[key] = h;
    return h;
  };
  for (auto& [key, e] : t.entries_) visit(key, e);
  return t;
}

AliasTable AliasTable::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec) && !ec) return {};  // no file: no aliases
    throw std::runtime_error(path + ": cannot read aliases file");
  }
  std::string text;
  char buf[8192];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxFileSize) throw std::runtime_error(path + ": aliases file too large");
  }
  if (in.bad()) throw std::runtime_error(path + ": cannot read aliases file");
  return parse(text, path);
}

bool AliasTable::is_alias(std::string_view local_part) const {
  std::string key = util::to_lower(local_part);
  if (entries_.count(key)) return true;
  return key == "postmaster" && entries_.count("root");
}

void AliasTable::expand_into(const std::string& key, int depth, std::vector<std::string>& out,
                             std::vector<std::string>& seen) const {
  auto it = entries_.find(key);
  if (it != entries_.end() && std::find(seen.begin(), seen.end(), key) != seen.end()) return;  // expanded already
  if (it == entries_.end() || depth > kMaxDepth) {  // a user (depth: parse() already refused deeper chains)
    if (std::find(out.begin(), out.end(), key) == out.end()) out.push_back(key);
    return;
  }
  seen.push_back(key);
  for (auto& target : it->second.targets) {
    if (target == key) {
      if (std::find(out.begin(), out.end(), key) == out.end()) out.push_back(key);
    } else {
      expand_into(target, depth + 1, out, seen);
    }
  }
}

std::vector<std::string> AliasTable::expand(std::string_view local_part) const {
  std::string key = util::to_lower(local_part);
  // RFC 5321 4.5.1: postmaster must work; without its own entry it reaches
  // whoever reads root's mail, and failing that the user lookup decides.
  if (key == "postmaster" && !entries_.count(key) && entries_.count("root")) key = "root";
  std::vector<std::string> out, seen;
  expand_into(key, 0, out, seen);
  return out;
}

}  // namespace postern::smtp
