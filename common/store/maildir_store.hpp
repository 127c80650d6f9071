// MaildirStore: the MailStore implementation over a Maildir++ tree and an
// SQLite index (layout and schema described in schema.cpp). Internal header.
// Trust boundary: mailbox names and keywords from clients are validated here;
// message bytes are stored untouched; files dropped by other tools are parsed
// defensively (maildir_name.hpp).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/store/sqlite_db.hpp"
#include "common/store/store.hpp"

namespace postern::store {

class MaildirStore final : public MailStore {
 public:
  // home = <root>/<user>; creates it (0700) and opens/migrates/rebuilds the index.
  explicit MaildirStore(std::string home);

  std::vector<MailboxInfo> list_mailboxes() override;
  std::optional<MailboxInfo> mailbox(std::string_view name) override;
  void create_mailbox(std::string_view name, std::string_view special_use = "") override;
  uint32_t deliver(std::string_view mailbox, std::string_view message, uint32_t flags = 0, int64_t internal_date = 0,
                   const std::vector<std::string>& keywords = {}) override;
  void sync(std::string_view mailbox) override;
  std::vector<MessageInfo> messages(std::string_view mailbox) override;
  std::string read_message(std::string_view mailbox, uint32_t uid) override;
  std::vector<MessageInfo> store_flags(std::string_view mailbox, const std::vector<uint32_t>& uids, FlagOp op,
                                       uint32_t flags, const std::vector<std::string>& keywords = {}) override;
  std::vector<uint32_t> expunge(std::string_view mailbox,
                                const std::optional<std::vector<uint32_t>>& only = std::nullopt) override;
  void rename_mailbox(std::string_view from, std::string_view to) override;
  void delete_mailbox(std::string_view name) override;
  void set_subscribed(std::string_view name, bool subscribed) override;
  CopyResult copy_messages(std::string_view from, const std::vector<uint32_t>& uids, std::string_view to) override;
  CopyResult move_messages(std::string_view from, const std::vector<uint32_t>& uids, std::string_view to) override;
  std::optional<MessageInfo> message(std::string_view mailbox, uint32_t uid) override;
  std::vector<uint32_t> expunged_since(std::string_view mailbox, uint64_t modseq) override;
  std::string message_path(std::string_view mailbox, uint32_t uid) override;
  void sync_all() override;

  struct Box {
    int64_t id = 0;
    std::string name, dir, special_use;
    uint32_t uidvalidity = 0;
    uint32_t uidnext = 1;
    uint64_t highest_modseq = 1;
    bool subscribed = true;
  };
  struct Row {
    uint32_t uid = 0;
    std::string base, file;  // file: "new/<name>" or "cur/<name>"
    uint32_t flags = 0;
    std::string keywords;  // space-separated
    int64_t internal_date = 0;
    uint64_t size = 0;
    uint64_t modseq = 0;
  };
  // Recovery hints kept in each mailbox directory (postern-mailbox).
  struct Hints {
    uint32_t uidvalidity = 0;
    uint32_t uidnext = 1;
    std::string special_use;
  };
  // A message file found on disk, keyed by its unique part.
  struct DiskFile {
    std::string file;  // "new/<name>" or "cur/<name>"
    uint32_t flags = 0;
    std::optional<uint32_t> uid_hint;
  };

 private:
  // --- mailboxes (maildir_store.cpp) ---
  std::optional<Box> find_box(const std::string& canonical);
  std::optional<Box> find_box_id(int64_t id);
  Box need_box(std::string_view name);  // canonicalizes; MailboxError if missing
  std::string box_path(const Box& b) const { return b.dir.empty() ? home_ : home_ + "/" + b.dir; }
  std::string box_path_of_dir(const std::string& dir) const { return dir.empty() ? home_ : home_ + "/" + dir; }
  void make_box_dirs(const std::string& dir);
  uint32_t next_uidvalidity(uint32_t above);
  Box add_box_locked(const std::string& name, const std::string& special_use, const Hints* hints);
  void save_counters(const Box& b);
  void write_hints(const Box& b);
  Hints read_hints(const std::string& dir);
  MailboxInfo info_of(const Box& b);

  // --- messages (messages.cpp) ---
  std::vector<Row> rows(int64_t box_id);
  std::optional<Row> row(int64_t box_id, uint32_t uid);
  void insert_row(int64_t box_id, const Row& r);
  void forget_row(Box& b, uint32_t uid, uint64_t modseq);
  // Where the row's file is now (it may have been renamed by another tool); "" if gone.
  std::string locate(const Box& b, const Row& r);
  CopyResult transfer(std::string_view from, const std::vector<uint32_t>& uids, std::string_view to, bool move);

  // --- sync (sync.cpp) ---
  std::map<std::string, DiskFile> scan(const Box& b);
  bool sync_needed(const Box& b);
  // Under the write lock: reconcile rows with files; `rebuild` honours every U= hint.
  void sync_locked(Box& b, bool rebuild);
  void clean_tmp(const Box& b);
  void initialize_locked();    // empty index: rebuild from the Maildir + default mailboxes
  void reconcile_dirs();       // mailbox dirs added or removed behind our back
  void remove_deleted_leftovers();

  std::string home_;
  std::optional<Db> db_;
  // new/ and cur/ mtimes at which a mailbox was last found in sync; sync() skips
  // the directory scan while they are unchanged (and old enough to be trusted).
  struct Stamp {
    int64_t new_ns = 0, cur_ns = 0;
    bool operator==(const Stamp&) const = default;
  };
  Stamp stamp(const Box& b);
  std::map<int64_t, Stamp> clean_;
  std::set<int64_t> tmp_cleaned_;
};

// The mailboxes every new store starts with: (name, special-use).
const std::vector<std::pair<const char*, const char*>>& default_mailboxes();

// Keywords: validated, de-duplicated case-insensitively (RFC 3501 section 2.3.2).
std::vector<std::string> normalize_keywords(const std::vector<std::string>& in);
std::string join_keywords(const std::vector<std::string>& kw);
std::vector<std::string> split_keywords(std::string_view s);

}  // namespace postern::store
