// MaildirStore: reconciling the index with the Maildir — files another Maildir
// tool (or a crashed delivery) left without a row get the next UIDs; rows whose
// file vanished are forgotten; renamed files update flags; tmp/ is cleaned;
// a missing index is rebuilt; mailbox folders made by other tools are adopted.
// Trust boundary: directory entries are untrusted names (maildir::parse_name).
// Maildir spec (cr.yp.to/proto/maildir.html): tmp/ files older than 36 hours
// are removed; RFC 3501 section 2.3.1.1: UIDs strictly ascending, never reused.
#include <algorithm>
#include <ctime>
#include <set>

#include "common/log/log.hpp"
#include "common/store/fs.hpp"
#include "common/store/maildir_name.hpp"
#include "common/store/mailbox_name.hpp"
#include "common/store/maildir_store.hpp"

namespace postern::store {

namespace {
constexpr int64_t kTmpMaxAge = 36 * 3600;
}

std::map<std::string, MaildirStore::DiskFile> MaildirStore::scan(const Box& b) {
  std::map<std::string, DiskFile> out;
  std::string path = box_path(b);
  for (const char* sub : {"new", "cur"}) {  // cur/ second: it wins over a stale new/ twin
    for (const auto& n : fs::list_dir(path + "/" + sub)) {
      auto p = maildir::parse_name(n);
      if (!p) continue;
      DiskFile f;
      f.file = std::string(sub) + "/" + n;
      f.flags = p->flags;
      f.uid_hint = p->uid;
      out[std::string(p->base)] = std::move(f);
    }
  }
  return out;
}

bool MaildirStore::sync_needed(const Box& b) {
  auto disk = scan(b);
  size_t n = 0;
  auto q = db_->query("SELECT base, file FROM messages WHERE mailbox_id=?");
  q.bind(1, b.id);
  while (q.step()) {
    ++n;
    auto it = disk.find(q.text(0));
    if (it == disk.end() || it->second.file != q.text(1)) return true;
  }
  return n != disk.size();
}

void MaildirStore::sync_locked(Box& b, bool rebuild) {
  auto disk = scan(b);
  uint64_t modseq = 0;
  auto bump = [&] {
    if (modseq == 0) modseq = ++b.highest_modseq;
    return modseq;
  };
  bool forgot = false;
  std::set<uint32_t> used;
  for (const auto& r : rows(b.id)) {
    auto it = disk.find(r.base);
    if (it == disk.end()) {
      forget_row(b, r.uid, bump());
      forgot = true;
      continue;
    }
    used.insert(r.uid);
    if (it->second.file != r.file) {
      // Renamed by another Maildir tool: its flags letters are news to us.
      uint32_t nf = it->second.flags;
      bool flags_changed = nf != r.flags;
      auto q = db_->query("UPDATE messages SET file=?, flags=?, modseq=? WHERE mailbox_id=? AND uid=?");
      q.bind(1, it->second.file).bind(2, int64_t{nf});
      q.bind(3, static_cast<int64_t>(flags_changed ? bump() : r.modseq)).bind(4, b.id).bind(5, int64_t{r.uid});
      q.run();
    }
    disk.erase(it);
  }
  // What is left on disk has no row: new messages.
  struct New {
    std::string base;
    DiskFile f;
    fs::Stat st;
  };
  std::vector<New> fresh;
  for (auto& [base, f] : disk) {
    fs::Stat st = fs::stat_path(box_path(b) + "/" + f.file);
    if (!st.exists || st.is_dir) continue;
    fresh.push_back({base, f, st});
  }
  std::sort(fresh.begin(), fresh.end(), [](const New& a, const New& c) {
    return a.st.mtime != c.st.mtime ? a.st.mtime < c.st.mtime : a.base < c.base;
  });
  // A crashed delivery named its file with the UID it was about to get (U=);
  // keep it when that UID is still free. On rebuild every free hint is kept.
  std::vector<std::pair<uint32_t, New*>> assigned;
  for (auto& n : fresh) {
    if (!n.f.uid_hint) continue;
    uint32_t h = *n.f.uid_hint;
    if (h == UINT32_MAX || used.count(h) || (!rebuild && h < b.uidnext)) continue;
    used.insert(h);
    assigned.emplace_back(h, &n);
  }
  for (const auto& [uid, n] : assigned) b.uidnext = std::max(b.uidnext, uid + 1);
  for (auto& n : fresh) {
    bool done = std::any_of(assigned.begin(), assigned.end(), [&](const auto& a) { return a.second == &n; });
    if (done) continue;
    while (used.count(b.uidnext)) ++b.uidnext;
    if (b.uidnext == UINT32_MAX) throw StoreError("UID space of the mailbox is exhausted");
    used.insert(b.uidnext);
    assigned.emplace_back(b.uidnext++, &n);
  }
  for (const auto& [uid, n] : assigned) {
    Row r;
    r.uid = uid;
    r.base = n->base;
    r.file = n->f.file;
    r.flags = n->f.flags;
    r.internal_date = n->st.mtime;
    r.size = n->st.size;
    r.modseq = bump();
    insert_row(b.id, r);
  }
  if (modseq != 0) save_counters(b);
  if (forgot) write_hints(b);
}

void MaildirStore::clean_tmp(const Box& b) {
  std::string tmp = box_path(b) + "/tmp";
  int64_t cutoff = static_cast<int64_t>(std::time(nullptr)) - kTmpMaxAge;
  for (const auto& n : fs::list_dir(tmp)) {
    fs::Stat st = fs::stat_path(tmp + "/" + n);
    if (st.exists && !st.is_dir && st.mtime < cutoff) fs::unlink_path(tmp + "/" + n);
  }
}

MaildirStore::Stamp MaildirStore::stamp(const Box& b) {
  Stamp s;
  s.new_ns = fs::stat_path(box_path(b) + "/new").mtime_ns;
  s.cur_ns = fs::stat_path(box_path(b) + "/cur").mtime_ns;
  // A timestamp within the last 2 seconds may not change again for an entry
  // added in the same clock tick: do not trust it for skipping.
  int64_t recent = (static_cast<int64_t>(std::time(nullptr)) - 2) * 1000000000;
  if (s.new_ns > recent || s.cur_ns > recent) return Stamp{};
  return s;
}

void MaildirStore::sync(std::string_view mailbox) {
  Box b = need_box(mailbox);
  if (tmp_cleaned_.insert(b.id).second) clean_tmp(b);
  Stamp st = stamp(b);
  auto it = clean_.find(b.id);
  if (st != Stamp{} && it != clean_.end() && it->second == st) return;
  if (sync_needed(b)) {
    WriteTxn t(*db_);
    auto cur = find_box_id(b.id);
    if (!cur) throw MailboxError("Mailbox does not exist: " + b.name);
    sync_locked(*cur, false);
    t.commit();
  }
  clean_[b.id] = st;
}

void MaildirStore::sync_all() {
  std::vector<std::string> all;
  {
    auto q = db_->query("SELECT name FROM mailboxes ORDER BY name");
    while (q.step()) all.push_back(q.text(0));
  }
  for (const auto& n : all) {
    try {
      sync(n);
    } catch (const MailboxError&) {
      // deleted meanwhile
    }
  }
}

void MaildirStore::initialize_locked() {
  // Every folder on disk (a rebuild after the index was deleted), then the defaults.
  std::vector<std::pair<std::string, std::string>> found = {{"INBOX", ""}};
  for (const auto& n : fs::list_dir(home_)) {
    if (n.empty() || n[0] != '.' || !fs::stat_path(home_ + "/" + n).is_dir) continue;
    if (auto name = names::from_dir(n))
      found.emplace_back(*name, n);
    else
      log::warn("store {}: ignoring folder {} (not a valid mailbox name)", home_, n);
  }
  for (const auto& [name, dir] : found) {
    Hints h = read_hints(dir);
    std::string su = h.special_use;
    for (const auto& [dn, dsu] : default_mailboxes())
      if (su.empty() && name == dn) su = dsu;
    Box b = add_box_locked(name, su, &h);
    sync_locked(b, true);
  }
  for (const auto& [dn, dsu] : default_mailboxes())
    if (!find_box(dn)) add_box_locked(dn, dsu, nullptr);
}

void MaildirStore::reconcile_dirs() {
  auto plan = [&](bool apply) {
    bool needed = false;
    std::set<std::string> known;
    std::vector<std::string> missing_dirs;
    {
      auto q = db_->query("SELECT dir FROM mailboxes");
      while (q.step()) known.insert(q.text(0));
    }
    for (const auto& d : known)
      if (!fs::stat_path(box_path_of_dir(d) + "/cur").is_dir) missing_dirs.push_back(d);
    needed = needed || !missing_dirs.empty();
    if (apply)
      for (const auto& d : missing_dirs) make_box_dirs(d);  // an emptied folder comes back empty
    for (const auto& n : fs::list_dir(home_)) {
      if (n.empty() || n[0] != '.' || known.count(n)) continue;
      if (!fs::stat_path(home_ + "/" + n + "/cur").is_dir) continue;
      auto name = names::from_dir(n);
      if (!name || find_box(*name)) continue;
      needed = true;
      if (apply) {
        Hints h = read_hints(n);
        Box b = add_box_locked(*name, h.special_use, &h);
        sync_locked(b, true);
      }
    }
    return needed;
  };
  if (!plan(false)) return;
  WriteTxn t(*db_);
  plan(true);
  t.commit();
}

}  // namespace postern::store
