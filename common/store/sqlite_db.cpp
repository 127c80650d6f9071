// SQLite connection wrapper for the per-user index (see sqlite_db.hpp).
// WAL lets imapd read while smtpd writes; BEGIN IMMEDIATE serializes writers
// across processes so UID assignment is race-free (sqlite.org/wal.html,
// sqlite.org/lang_transaction.html).
#include "common/store/sqlite_db.hpp"

#include "common/store/store.hpp"

namespace postern::store {

Query::~Query() {
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
}

Query& Query::bind(int i, int64_t v) {
  if (sqlite3_bind_int64(st_, i, v) != SQLITE_OK) db_.fail("bind");
  return *this;
}

Query& Query::bind(int i, std::string_view v) {
  if (sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) != SQLITE_OK) db_.fail("bind");
  return *this;
}

bool Query::step() {
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_.fail("step");
}

std::string Query::text(int col) const {
  const auto* p = sqlite3_column_text(st_, col);
  int n = sqlite3_column_bytes(st_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

Db::Db(const std::string& path, int busy_timeout_ms) {
  int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError("cannot open index " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db_, busy_timeout_ms);
  try {
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=FULL");
    exec("PRAGMA foreign_keys=ON");
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

Db::~Db() {
  for (auto& [k, st] : cache_) sqlite3_finalize(st);
  if (db_) sqlite3_close(db_);
}

void Db::fail(std::string_view what) {
  int code = sqlite3_extended_errcode(db_);
  std::string msg = std::string("index ") + std::string(what) + ": " + sqlite3_errmsg(db_);
  if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED) msg += " (index busy, try again)";
  throw StoreError(msg);
}

void Db::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "error";
    sqlite3_free(err);
    int code = sqlite3_extended_errcode(db_);
    if ((code & 0xff) == SQLITE_BUSY) msg += " (index busy, try again)";
    throw StoreError("index: " + msg);
  }
}

Query Db::query(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK) fail("prepare");
    it = cache_.emplace(sql, st).first;
  }
  return Query(*this, it->second);
}

int Db::user_version() {
  auto q = query("PRAGMA user_version");
  return q.step() ? static_cast<int>(q.i64(0)) : 0;
}

WriteTxn::WriteTxn(Db& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

WriteTxn::~WriteTxn() {
  if (!done_ && db_.in_transaction()) {
    try {
      db_.exec("ROLLBACK");
    } catch (...) {
    }
  }
}

void WriteTxn::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

ReadTxn::ReadTxn(Db& db) : db_(db) { db_.exec("BEGIN"); }

ReadTxn::~ReadTxn() {
  try {
    db_.exec("COMMIT");
  } catch (...) {
  }
}

}  // namespace postern::store
