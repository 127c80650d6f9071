// MaildirStore: message operations — delivery, reads, flags, expunge, copy and
// move. Every write runs under BEGIN IMMEDIATE, which also serializes the file
// renames of all processes sharing the store, so UIDs are never assigned twice.
// Trust boundary: message bytes are stored as-is; keywords from clients are
// validated. RFC 3501 sections 2.3.1.1 (UIDs), 2.3.2 (flags), 6.4.3 (EXPUNGE),
// 6.4.6-6.4.7 (STORE, COPY); RFC 4315 (UIDPLUS); RFC 6851 (MOVE); RFC 7162 (MODSEQ).
#include <algorithm>
#include <cerrno>
#include <ctime>
#include <set>

#include "common/store/fs.hpp"
#include "common/store/maildir_name.hpp"
#include "common/store/maildir_store.hpp"
#include "common/util/strings.hpp"

namespace postern::store {

namespace {
constexpr uint32_t kAllFlags = kSeen | kAnswered | kFlagged | kDeleted | kDraft;
constexpr size_t kMaxKeywords = 64;
constexpr size_t kMaxKeywordLength = 128;

MessageInfo message_info(const MaildirStore::Row& r) {
  MessageInfo m;
  m.uid = r.uid;
  m.modseq = r.modseq;
  m.flags = r.flags;
  m.keywords = split_keywords(r.keywords);
  m.internal_date = r.internal_date;
  m.size = r.size;
  return m;
}

MaildirStore::Row row_from(Query& q) {
  MaildirStore::Row r;
  r.uid = static_cast<uint32_t>(q.i64(0));
  r.base = q.text(1);
  r.file = q.text(2);
  r.flags = static_cast<uint32_t>(q.i64(3));
  r.keywords = q.text(4);
  r.internal_date = q.i64(5);
  r.size = static_cast<uint64_t>(q.i64(6));
  r.modseq = static_cast<uint64_t>(q.i64(7));
  return r;
}

// "cur/<base>:2,<letters>" keeping letters other tools wrote, or "new/<base>" when
// there are no flags and the file has never been given any.
std::string file_for(const std::string& base, uint32_t flags, std::string_view other, bool in_new) {
  if (in_new && flags == 0 && other.empty()) return "new/" + base;
  return "cur/" + maildir::name_with_flags(base, flags, other);
}

std::string other_letters(const std::string& file) {
  auto p = maildir::parse_name(std::string_view(file).substr(4));
  return p ? p->other_flags : std::string();
}

void check_uid_space(uint32_t uidnext) {
  if (uidnext == 0 || uidnext == UINT32_MAX) throw StoreError("UID space of the mailbox is exhausted");
}
}  // namespace

// ---- keywords ----

std::vector<std::string> normalize_keywords(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const auto& k : in) {
    if (k.empty() || k.size() > kMaxKeywordLength || k[0] == '\\') throw MailboxError("Invalid keyword: " + k);
    for (char c : k) {
      auto u = static_cast<unsigned char>(c);
      // RFC 3501 section 9: atom-specials are not allowed in a flag keyword.
      if (u <= 0x20 || u >= 0x7F || c == '(' || c == ')' || c == '{' || c == '%' || c == '*' || c == '"' ||
          c == '\\' || c == ']')
        throw MailboxError("Invalid keyword: " + k);
    }
    bool dup = false;
    for (const auto& o : out) dup = dup || util::iequals(o, k);
    if (!dup) out.push_back(k);
  }
  if (out.size() > kMaxKeywords) throw MailboxError("Too many keywords on one message");
  return out;
}

std::string join_keywords(const std::vector<std::string>& kw) {
  std::string s;
  for (const auto& k : kw) {
    if (!s.empty()) s.push_back(' ');
    s += k;
  }
  return s;
}

std::vector<std::string> split_keywords(std::string_view s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  for (auto k : util::split(s, ' '))
    if (!k.empty()) out.emplace_back(k);
  return out;
}

// ---- rows ----

std::vector<MaildirStore::Row> MaildirStore::rows(int64_t box_id) {
  std::vector<Row> out;
  auto q = db_->query(
      "SELECT uid, base, file, flags, keywords, internal_date, size, modseq FROM messages WHERE mailbox_id=? "
      "ORDER BY uid");
  q.bind(1, box_id);
  while (q.step()) out.push_back(row_from(q));
  return out;
}

std::optional<MaildirStore::Row> MaildirStore::row(int64_t box_id, uint32_t uid) {
  auto q = db_->query(
      "SELECT uid, base, file, flags, keywords, internal_date, size, modseq FROM messages WHERE mailbox_id=? AND "
      "uid=?");
  q.bind(1, box_id).bind(2, int64_t{uid});
  if (!q.step()) return std::nullopt;
  return row_from(q);
}

void MaildirStore::insert_row(int64_t box_id, const Row& r) {
  auto q = db_->query(
      "INSERT INTO messages(mailbox_id, uid, base, file, flags, keywords, internal_date, size, modseq) "
      "VALUES(?,?,?,?,?,?,?,?,?)");
  q.bind(1, box_id).bind(2, int64_t{r.uid}).bind(3, r.base).bind(4, r.file).bind(5, int64_t{r.flags});
  q.bind(6, r.keywords).bind(7, r.internal_date).bind(8, static_cast<int64_t>(r.size));
  q.bind(9, static_cast<int64_t>(r.modseq));
  q.run();
}

void MaildirStore::forget_row(Box& b, uint32_t uid, uint64_t modseq) {
  {
    auto q = db_->query("DELETE FROM messages WHERE mailbox_id=? AND uid=?");
    q.bind(1, b.id).bind(2, int64_t{uid});
    q.run();
  }
  auto q = db_->query("INSERT OR REPLACE INTO expunged(mailbox_id, uid, modseq) VALUES(?,?,?)");
  q.bind(1, b.id).bind(2, int64_t{uid}).bind(3, static_cast<int64_t>(modseq));
  q.run();
}

std::string MaildirStore::locate(const Box& b, const Row& r) {
  std::string path = box_path(b);
  if (fs::stat_path(path + "/" + r.file).exists) return r.file;
  // Another Maildir tool may have moved it (new/ -> cur/) or changed its flags.
  for (const char* sub : {"cur", "new"}) {
    for (const auto& n : fs::list_dir(path + "/" + sub)) {
      auto p = maildir::parse_name(n);
      if (p && p->base == r.base) return std::string(sub) + "/" + n;
    }
  }
  return {};
}

// ---- delivery ----

uint32_t MaildirStore::deliver(std::string_view mailbox, std::string_view message, uint32_t flags,
                               int64_t internal_date, const std::vector<std::string>& keywords) {
  flags &= kAllFlags;
  std::string kw = join_keywords(normalize_keywords(keywords));
  Box b = need_box(mailbox);
  int64_t now = std::time(nullptr);
  if (internal_date <= 0) internal_date = now;
  std::string base = maildir::unique_base(now, message.size());
  // 1. tmp/ then fsync (Maildir delivery step 1-3), outside the write lock.
  std::string tmp = box_path(b) + "/tmp/" + base;
  fs::write_new_file(tmp, message, internal_date);
  try {
    WriteTxn t(*db_);
    auto cur = find_box_id(b.id);
    if (!cur) throw MailboxError("Mailbox does not exist: " + b.name);
    b = *cur;  // it may have been renamed meanwhile; tmp/ moved with the folder
    tmp = box_path(b) + "/tmp/" + base;
    check_uid_space(b.uidnext);
    Row r;
    r.uid = b.uidnext;
    r.base = base + ",U=" + std::to_string(r.uid);
    r.file = file_for(r.base, flags, {}, true);
    r.flags = flags;
    r.keywords = kw;
    r.internal_date = internal_date;
    r.size = message.size();
    r.modseq = ++b.highest_modseq;
    b.uidnext = r.uid + 1;
    // 2. rename into new/ (or cur/), fsync the directory, then the index transaction.
    std::string final_path = box_path(b) + "/" + r.file;
    if (int err = fs::rename_path(tmp, final_path); err != 0)
      throw StoreError("cannot move message into " + b.name + ": " + fs::errno_text(err));
    try {
      fs::fsync_dir(box_path(b) + "/" + r.file.substr(0, 3));
      insert_row(b.id, r);
      save_counters(b);
      t.commit();
    } catch (...) {
      // Not indexed: remove the file so the caller's retry does not duplicate it.
      fs::unlink_path(final_path);
      throw;
    }
    return r.uid;
  } catch (...) {
    fs::unlink_path(tmp);
    throw;
  }
}

// ---- reads ----

std::vector<MessageInfo> MaildirStore::messages(std::string_view mailbox) {
  ReadTxn rt(*db_);
  Box b = need_box(mailbox);
  std::vector<MessageInfo> out;
  for (const auto& r : rows(b.id)) out.push_back(message_info(r));
  return out;
}

std::optional<MessageInfo> MaildirStore::message(std::string_view mailbox, uint32_t uid) {
  ReadTxn rt(*db_);
  Box b = need_box(mailbox);
  auto r = row(b.id, uid);
  if (!r) return std::nullopt;
  return message_info(*r);
}

std::string MaildirStore::message_path(std::string_view mailbox, uint32_t uid) {
  Box b = need_box(mailbox);
  auto r = row(b.id, uid);
  if (!r) throw MailboxError("No message with UID " + std::to_string(uid) + " in " + b.name);
  std::string file = locate(b, *r);
  if (file.empty()) throw StoreError("message file vanished: " + b.name + " UID " + std::to_string(uid));
  return box_path(b) + "/" + file;
}

std::string MaildirStore::read_message(std::string_view mailbox, uint32_t uid) {
  // A concurrent flag change may rename the file between lookup and open: retry.
  for (int attempt = 0;; ++attempt) {
    std::string path = message_path(mailbox, uid);
    try {
      return fs::read_file(path);
    } catch (const StoreError&) {
      if (attempt >= 3 || fs::stat_path(path).exists) throw;
    }
  }
}

std::vector<uint32_t> MaildirStore::expunged_since(std::string_view mailbox, uint64_t modseq) {
  Box b = need_box(mailbox);
  std::vector<uint32_t> out;
  auto q = db_->query("SELECT uid FROM expunged WHERE mailbox_id=? AND modseq>? ORDER BY uid");
  q.bind(1, b.id).bind(2, static_cast<int64_t>(std::min<uint64_t>(modseq, INT64_MAX)));
  while (q.step()) out.push_back(static_cast<uint32_t>(q.i64(0)));
  return out;
}

// ---- flags ----

std::vector<MessageInfo> MaildirStore::store_flags(std::string_view mailbox, const std::vector<uint32_t>& uids,
                                                   FlagOp op, uint32_t flags,
                                                   const std::vector<std::string>& keywords) {
  flags &= kAllFlags;
  std::vector<std::string> kw = normalize_keywords(keywords);
  std::set<uint32_t> wanted(uids.begin(), uids.end());
  WriteTxn t(*db_);
  Box b = need_box(mailbox);
  std::vector<MessageInfo> changed;
  uint64_t modseq = 0;
  for (uint32_t uid : wanted) {
    auto r = row(b.id, uid);
    if (!r) continue;
    uint32_t nf = r->flags;
    std::vector<std::string> nk = split_keywords(r->keywords);
    auto has = [&](const std::string& k) {
      return std::any_of(nk.begin(), nk.end(), [&](const std::string& o) { return util::iequals(o, k); });
    };
    switch (op) {
      case FlagOp::set:
        nf = flags;
        nk = kw;
        break;
      case FlagOp::add:
        nf |= flags;
        for (const auto& k : kw)
          if (!has(k)) nk.push_back(k);
        break;
      case FlagOp::remove:
        nf &= ~flags;
        nk.erase(std::remove_if(nk.begin(), nk.end(),
                                [&](const std::string& o) {
                                  return std::any_of(kw.begin(), kw.end(),
                                                     [&](const std::string& k) { return util::iequals(o, k); });
                                }),
                 nk.end());
        break;
    }
    if (nk.size() > kMaxKeywords) throw MailboxError("Too many keywords on one message");
    std::string nks = join_keywords(nk);
    if (nf == r->flags && nks == r->keywords) continue;
    if (modseq == 0) modseq = ++b.highest_modseq;
    // The index is the authority; the file name follows when it can. If the
    // rename fails the row keeps the name actually on disk, so sync() does not
    // mistake it for a change made by another tool.
    if (nf != r->flags) {
      std::string on_disk = locate(b, *r);
      if (!on_disk.empty()) {
        std::string target = file_for(r->base, nf, other_letters(on_disk), false);
        if (target == on_disk || fs::rename_path(box_path(b) + "/" + on_disk, box_path(b) + "/" + target) == 0)
          r->file = target;
        else
          r->file = on_disk;
      }
    }
    r->flags = nf;
    r->keywords = nks;
    r->modseq = modseq;
    auto q = db_->query("UPDATE messages SET file=?, flags=?, keywords=?, modseq=? WHERE mailbox_id=? AND uid=?");
    q.bind(1, r->file).bind(2, int64_t{nf}).bind(3, nks).bind(4, static_cast<int64_t>(modseq));
    q.bind(5, b.id).bind(6, int64_t{uid});
    q.run();
    changed.push_back(message_info(*r));
  }
  if (modseq != 0) save_counters(b);
  t.commit();
  return changed;
}

// ---- expunge ----

std::vector<uint32_t> MaildirStore::expunge(std::string_view mailbox,
                                            const std::optional<std::vector<uint32_t>>& only) {
  std::optional<std::set<uint32_t>> filter;
  if (only) filter.emplace(only->begin(), only->end());
  WriteTxn t(*db_);
  Box b = need_box(mailbox);
  std::vector<uint32_t> gone;
  uint64_t modseq = 0;
  for (const auto& r : rows(b.id)) {
    if (!(r.flags & kDeleted)) continue;
    if (filter && !filter->count(r.uid)) continue;
    // Unlink before COMMIT: a crash in between leaves a row without a file, which
    // sync() forgets; the reverse order could resurrect an expunged message.
    std::string file = locate(b, r);
    if (!file.empty()) {
      int err = fs::unlink_path(box_path(b) + "/" + file);
      if (err != 0 && err != ENOENT) throw StoreError("cannot remove message file: " + fs::errno_text(err));
    }
    if (modseq == 0) modseq = ++b.highest_modseq;
    forget_row(b, r.uid, modseq);
    gone.push_back(r.uid);
  }
  if (!gone.empty()) {
    save_counters(b);
    write_hints(b);  // so a rebuilt index never hands out these UIDs again
  }
  t.commit();
  return gone;
}

// ---- copy / move ----

CopyResult MaildirStore::copy_messages(std::string_view from, const std::vector<uint32_t>& uids, std::string_view to) {
  return transfer(from, uids, to, false);
}

CopyResult MaildirStore::move_messages(std::string_view from, const std::vector<uint32_t>& uids, std::string_view to) {
  return transfer(from, uids, to, true);
}

CopyResult MaildirStore::transfer(std::string_view from, const std::vector<uint32_t>& uids, std::string_view to,
                                  bool move) {
  std::set<uint32_t> wanted(uids.begin(), uids.end());
  WriteTxn t(*db_);
  Box src = need_box(from);
  Box dst_storage = need_box(to);
  bool same = src.id == dst_storage.id;
  Box& dst = same ? src : dst_storage;
  CopyResult res;
  res.dest_uidvalidity = dst.uidvalidity;
  struct Pending {
    Row src_row, dst_row;
    std::string src_file, dst_path;
  };
  std::vector<Pending> done;  // files already placed, removed again if we fail
  int64_t now = std::time(nullptr);
  try {
    for (uint32_t uid : wanted) {
      auto r = row(src.id, uid);
      if (!r) continue;
      std::string file = locate(src, *r);
      if (file.empty()) continue;  // vanished behind our back; sync() will forget it
      check_uid_space(dst.uidnext);
      Pending p;
      p.src_row = *r;
      p.dst_row = *r;
      p.src_file = file;
      p.dst_row.uid = dst.uidnext++;
      p.dst_row.base = maildir::unique_base(now, r->size) + ",U=" + std::to_string(p.dst_row.uid);
      p.dst_row.file = file_for(p.dst_row.base, r->flags, other_letters(file), file.rfind("new/", 0) == 0);
      p.dst_path = box_path(dst) + "/" + p.dst_row.file;
      std::string src_path = box_path(src) + "/" + file;
      int err = move ? fs::rename_path(src_path, p.dst_path) : fs::link_path(src_path, p.dst_path);
      if (err != 0 && !move) {
        // No hard links here (EPERM, EMLINK, ...): copy the bytes via tmp/.
        std::string tmp = box_path(dst) + "/tmp/" + p.dst_row.base;
        fs::write_new_file(tmp, fs::read_file(src_path), r->internal_date);
        err = fs::rename_path(tmp, p.dst_path);
        if (err != 0) fs::unlink_path(tmp);
      }
      if (err != 0) throw StoreError("cannot place message in " + dst.name + ": " + fs::errno_text(err));
      done.push_back(std::move(p));
      res.source_uids.push_back(uid);
      res.dest_uids.push_back(done.back().dst_row.uid);
    }
    if (done.empty()) {
      t.commit();
      return res;
    }
    for (const char* sub : {"/cur", "/new"}) fs::fsync_dir(box_path(dst) + sub);
    if (move) {
      uint64_t m = ++src.highest_modseq;
      for (const auto& p : done) forget_row(src, p.src_row.uid, m);
      if (!same) save_counters(src);
      write_hints(src);  // a rebuilt index must not hand these UIDs out again
    }
    uint64_t m = ++dst.highest_modseq;
    for (auto& p : done) {
      p.dst_row.modseq = m;
      insert_row(dst.id, p.dst_row);
    }
    save_counters(dst);
    t.commit();
  } catch (...) {
    // Undo file placement so the index and the Maildir agree after the rollback.
    for (const auto& p : done) {
      if (move)
        fs::rename_path(p.dst_path, box_path(src) + "/" + p.src_file);
      else
        fs::unlink_path(p.dst_path);
    }
    throw;
  }
  return res;
}

}  // namespace postern::store
