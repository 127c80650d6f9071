// MaildirStore: opening a user's store and mailbox management (list, create,
// rename, delete, subscribe). Layout and schema: schema.cpp.
// Trust boundary: mailbox names from clients pass names::canonical() before
// they touch the filesystem; the user name is checked to be one path component.
// RFC 3501 sections 6.3.3-6.3.7 (CREATE, DELETE, RENAME, SUBSCRIBE),
// RFC 6154 (special-use), RFC 3501 section 2.3.1.1 (UIDVALIDITY only grows).
#include "common/store/maildir_store.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

#include "common/store/fs.hpp"
#include "common/store/maildir_name.hpp"
#include "common/store/mailbox_name.hpp"
#include "common/store/schema.hpp"
#include "common/util/strings.hpp"

namespace postern::store {

namespace {
constexpr const char* kHintsFile = "postern-mailbox";
constexpr const char* kUidvalidityFile = "postern-uidvalidity";

void check_user(const std::string& user) {
  bool ok = !user.empty() && user.size() <= 255 && user[0] != '.' && user[0] != '-';
  for (char c : user)
    if (c == '/' || static_cast<unsigned char>(c) < 0x21 || c == 0x7F) ok = false;
  if (!ok) throw StoreError("invalid user name for the mail store");
}

uint32_t parse_u32(std::string_view s) {
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > UINT32_MAX) return 0;
  }
  return static_cast<uint32_t>(v);
}

MaildirStore::Box box_from(Query& q) {
  MaildirStore::Box b;
  b.id = q.i64(0);
  b.name = q.text(1);
  b.dir = q.text(2);
  b.special_use = q.text(3);
  b.uidvalidity = static_cast<uint32_t>(q.i64(4));
  b.uidnext = static_cast<uint32_t>(q.i64(5));
  b.highest_modseq = static_cast<uint64_t>(q.i64(6));
  b.subscribed = q.i64(7) != 0;
  return b;
}

bool mailbox_order(const MailboxInfo& a, const MailboxInfo& b) {
  bool ai = a.name == "INBOX", bi = b.name == "INBOX";
  if (ai != bi) return ai;
  return a.name < b.name;
}
}  // namespace

const std::vector<std::pair<const char*, const char*>>& default_mailboxes() {
  static const std::vector<std::pair<const char*, const char*>> d = {
      {"INBOX", ""},          {"Sent", "\\Sent"}, {"Drafts", "\\Drafts"},
      {"Trash", "\\Trash"},   {"Junk", "\\Junk"}, {"Archive", "\\Archive"}};
  return d;
}

std::unique_ptr<MailStore> MailStore::open(const std::string& root, const std::string& user) {
  check_user(user);
  if (root.empty()) throw StoreError("mail store root is empty");
  std::string r = root;
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  fs::make_dirs(r);
  return std::make_unique<MaildirStore>(r + "/" + user);
}

MaildirStore::MaildirStore(std::string home) : home_(std::move(home)) {
  fs::make_dir(home_);
  make_box_dirs("");
  std::string index = home_ + "/index.sqlite";
  db_.emplace(index);
  ::chmod(index.c_str(), 0600);
  auto has_mailboxes = [&] {
    auto q = db_->query("SELECT 1 FROM mailboxes LIMIT 1");
    return q.step();
  };
  // The common case (an up-to-date, populated index) needs no write lock.
  if (db_->user_version() != schema::current_version() || !has_mailboxes()) {
    WriteTxn t(*db_);
    schema::migrate(*db_);
    if (!has_mailboxes()) initialize_locked();
    t.commit();
  }
  remove_deleted_leftovers();
  reconcile_dirs();
}

// ---- lookups ----

std::optional<MaildirStore::Box> MaildirStore::find_box(const std::string& canonical) {
  auto q = db_->query(
      "SELECT id, name, dir, special_use, uidvalidity, uidnext, highest_modseq, subscribed FROM mailboxes WHERE name=?");
  q.bind(1, canonical);
  if (!q.step()) return std::nullopt;
  return box_from(q);
}

std::optional<MaildirStore::Box> MaildirStore::find_box_id(int64_t id) {
  auto q = db_->query(
      "SELECT id, name, dir, special_use, uidvalidity, uidnext, highest_modseq, subscribed FROM mailboxes WHERE id=?");
  q.bind(1, id);
  if (!q.step()) return std::nullopt;
  return box_from(q);
}

MaildirStore::Box MaildirStore::need_box(std::string_view name) {
  std::string n = names::canonical(name);
  auto b = find_box(n);
  if (!b) throw MailboxError("Mailbox does not exist: " + n);
  return *b;
}

MailboxInfo MaildirStore::info_of(const Box& b) {
  MailboxInfo i;
  i.name = b.name;
  i.special_use = b.special_use;
  i.uidvalidity = b.uidvalidity;
  i.uidnext = b.uidnext;
  i.highest_modseq = b.highest_modseq;
  i.subscribed = b.subscribed;
  auto q = db_->query("SELECT count(*), coalesce(sum((flags & 1) = 0), 0) FROM messages WHERE mailbox_id=?");
  q.bind(1, b.id);
  if (q.step()) {
    i.exists = static_cast<uint32_t>(q.i64(0));
    i.unseen = static_cast<uint32_t>(q.i64(1));
  }
  return i;
}

std::vector<MailboxInfo> MaildirStore::list_mailboxes() {
  ReadTxn rt(*db_);
  std::vector<Box> boxes;
  {
    auto q = db_->query(
        "SELECT id, name, dir, special_use, uidvalidity, uidnext, highest_modseq, subscribed FROM mailboxes");
    while (q.step()) boxes.push_back(box_from(q));
  }
  std::vector<MailboxInfo> out;
  for (const auto& b : boxes) out.push_back(info_of(b));
  std::sort(out.begin(), out.end(), mailbox_order);
  return out;
}

std::optional<MailboxInfo> MaildirStore::mailbox(std::string_view name) {
  if (!names::invalid_reason(name).empty()) return std::nullopt;
  ReadTxn rt(*db_);
  auto b = find_box(names::canonical(name));
  if (!b) return std::nullopt;
  return info_of(*b);
}

// ---- creation ----

void MaildirStore::make_box_dirs(const std::string& dir) {
  std::string p = box_path_of_dir(dir);
  fs::make_dir(p);
  for (const char* sub : {"/cur", "/new", "/tmp"}) fs::make_dir(p + sub);
  if (!dir.empty() && !fs::stat_path(p + "/maildirfolder").exists) {
    try {
      fs::write_new_file(p + "/maildirfolder", "");
    } catch (const StoreError&) {
      // a concurrent creator won the race; the marker exists either way
    }
  }
}

uint32_t MaildirStore::next_uidvalidity(uint32_t above) {
  std::string path = home_ + "/" + kUidvalidityFile;
  std::string text = fs::read_small_file(path, 64);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  uint32_t last = parse_u32(text);
  uint64_t v = static_cast<uint64_t>(std::time(nullptr));
  v = std::max<uint64_t>({v, uint64_t{last} + 1, uint64_t{above} + 1});
  if (v > UINT32_MAX) throw StoreError("UIDVALIDITY space exhausted");
  fs::write_file_atomic(path, std::to_string(v) + "\n");
  return static_cast<uint32_t>(v);
}

void MaildirStore::write_hints(const Box& b) {
  fs::write_file_atomic(box_path(b) + "/" + kHintsFile, "uidvalidity " + std::to_string(b.uidvalidity) +
                                                            "\nuidnext " + std::to_string(b.uidnext) +
                                                            "\nspecial-use " + b.special_use + "\n");
}

MaildirStore::Hints MaildirStore::read_hints(const std::string& dir) {
  Hints h;
  std::string text = fs::read_small_file(box_path_of_dir(dir) + "/" + kHintsFile);
  for (auto line : util::split(text, '\n')) {
    auto sp = line.find(' ');
    if (sp == std::string_view::npos) continue;
    auto key = line.substr(0, sp), val = line.substr(sp + 1);
    if (key == "uidvalidity") h.uidvalidity = parse_u32(val);
    if (key == "uidnext") h.uidnext = std::max<uint32_t>(1, parse_u32(val));
    if (key == "special-use" && names::valid_special_use(val)) h.special_use = std::string(val);
  }
  return h;
}

MaildirStore::Box MaildirStore::add_box_locked(const std::string& name, const std::string& special_use,
                                               const Hints* hints) {
  Box b;
  b.name = name;
  b.dir = names::to_dir(name);
  b.special_use = special_use;
  make_box_dirs(b.dir);
  b.uidvalidity = next_uidvalidity(hints ? hints->uidvalidity : 0);
  b.uidnext = hints ? std::max<uint32_t>(1, hints->uidnext) : 1;
  b.highest_modseq = 1;
  auto q = db_->query(
      "INSERT INTO mailboxes(name, dir, special_use, uidvalidity, uidnext, highest_modseq, subscribed) "
      "VALUES(?,?,?,?,?,?,1)");
  q.bind(1, b.name).bind(2, b.dir).bind(3, b.special_use).bind(4, int64_t{b.uidvalidity});
  q.bind(5, int64_t{b.uidnext}).bind(6, static_cast<int64_t>(b.highest_modseq));
  q.run();
  b.id = db_->last_insert_rowid();
  write_hints(b);
  return b;
}

void MaildirStore::save_counters(const Box& b) {
  auto q = db_->query("UPDATE mailboxes SET uidnext=?, highest_modseq=? WHERE id=?");
  q.bind(1, int64_t{b.uidnext}).bind(2, static_cast<int64_t>(b.highest_modseq)).bind(3, b.id);
  q.run();
}

void MaildirStore::create_mailbox(std::string_view name, std::string_view special_use) {
  std::string n = names::canonical(name);
  if (!names::valid_special_use(special_use))
    throw MailboxError("Unknown special-use attribute: " + std::string(special_use));
  WriteTxn t(*db_);
  if (find_box(n)) throw MailboxError("Mailbox already exists: " + n);
  std::vector<std::string> missing;
  for (std::string p = names::parent(n); !p.empty(); p = names::parent(p))
    if (!find_box(p)) missing.push_back(p);
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    Box pb = add_box_locked(*it, "", nullptr);
    sync_locked(pb, true);
    save_counters(pb);
  }
  Box b = add_box_locked(n, std::string(special_use), nullptr);
  sync_locked(b, true);  // a directory left behind on disk keeps its messages
  save_counters(b);
  t.commit();
}

// ---- rename / delete / subscribe ----

void MaildirStore::rename_mailbox(std::string_view from, std::string_view to) {
  std::string f = names::canonical(from), t = names::canonical(to);
  if (f == t) throw MailboxError("Mailbox already exists: " + t);
  if (t.size() > f.size() && t.compare(0, f.size() + 1, f + "/") == 0)
    throw MailboxError("Cannot rename a mailbox into its own inferior");
  if (names::is_inbox(f)) {
    // RFC 3501 section 6.3.5: renaming INBOX moves its messages into the new mailbox.
    create_mailbox(t);
    std::vector<uint32_t> uids;
    for (const auto& m : messages("INBOX")) uids.push_back(m.uid);
    if (!uids.empty()) move_messages("INBOX", uids, t);
    return;
  }
  WriteTxn txn(*db_);
  if (!find_box(f)) throw MailboxError("Mailbox does not exist: " + f);
  if (find_box(t)) throw MailboxError("Mailbox already exists: " + t);
  struct Move {
    Box box;
    std::string new_name, new_dir;
  };
  std::vector<Move> moves;
  {
    auto q = db_->query(
        "SELECT id, name, dir, special_use, uidvalidity, uidnext, highest_modseq, subscribed FROM mailboxes "
        "WHERE name=? OR substr(name, 1, ?)=?");
    q.bind(1, f).bind(2, static_cast<int64_t>(f.size() + 1)).bind(3, f + "/");
    while (q.step()) moves.push_back({box_from(q), {}, {}});
  }
  for (auto& m : moves) {
    m.new_name = t + m.box.name.substr(f.size());
    if (auto why = names::invalid_reason(m.new_name); !why.empty()) throw MailboxError(why);
    m.new_name = names::canonical(m.new_name);
    m.new_dir = names::to_dir(m.new_name);
    if (find_box(m.new_name)) throw MailboxError("Mailbox already exists: " + m.new_name);
    if (fs::stat_path(box_path_of_dir(m.new_dir)).exists)
      throw MailboxError("A folder named " + m.new_name + " is already on disk");
  }
  size_t done = 0;
  for (; done < moves.size(); ++done) {
    int err = fs::rename_path(box_path(moves[done].box), box_path_of_dir(moves[done].new_dir));
    if (err != 0 && err != ENOENT) break;
  }
  if (done < moves.size()) {
    for (size_t i = 0; i < done; ++i) fs::rename_path(box_path_of_dir(moves[i].new_dir), box_path(moves[i].box));
    throw StoreError("cannot rename mailbox folder " + moves[done].box.dir);
  }
  try {
    for (const auto& m : moves) {
      auto q = db_->query("UPDATE mailboxes SET name=?, dir=? WHERE id=?");
      q.bind(1, m.new_name).bind(2, m.new_dir).bind(3, m.box.id);
      q.run();
    }
    for (const auto& m : moves) make_box_dirs(m.new_dir);  // a folder that had vanished comes back empty
    std::vector<std::string> missing;
    for (std::string p = names::parent(t); !p.empty(); p = names::parent(p))
      if (!find_box(p)) missing.push_back(p);
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) add_box_locked(*it, "", nullptr);
    txn.commit();
  } catch (...) {
    for (const auto& m : moves) fs::rename_path(box_path_of_dir(m.new_dir), box_path(m.box));
    throw;
  }
}

void MaildirStore::delete_mailbox(std::string_view name) {
  std::string n = names::canonical(name);
  if (names::is_inbox(n)) throw MailboxError("INBOX cannot be deleted");
  WriteTxn t(*db_);
  auto b = find_box(n);
  if (!b) throw MailboxError("Mailbox does not exist: " + n);
  {
    auto q = db_->query("DELETE FROM mailboxes WHERE id=?");
    q.bind(1, b->id);
    q.run();
  }
  std::string trash = home_ + "/postern-deleted." + maildir::random_token();
  int err = fs::rename_path(box_path(*b), trash);
  if (err != 0 && err != ENOENT) throw StoreError("cannot remove mailbox folder " + b->dir + ": " + fs::errno_text(err));
  try {
    t.commit();
  } catch (...) {
    if (err == 0) fs::rename_path(trash, box_path(*b));
    throw;
  }
  fs::remove_tree(trash);
}

void MaildirStore::set_subscribed(std::string_view name, bool subscribed) {
  WriteTxn t(*db_);
  Box b = need_box(name);
  auto q = db_->query("UPDATE mailboxes SET subscribed=? WHERE id=?");
  q.bind(1, int64_t{subscribed ? 1 : 0}).bind(2, b.id);
  q.run();
  t.commit();
}

void MaildirStore::remove_deleted_leftovers() {
  for (const auto& n : fs::list_dir(home_))
    if (n.rfind("postern-deleted.", 0) == 0) fs::remove_tree(home_ + "/" + n);
}

}  // namespace postern::store
