// Thin RAII wrapper over one SQLite connection: cached prepared statements,
// scoped queries that reset themselves, BEGIN IMMEDIATE write transactions.
// Errors become StoreError carrying sqlite3_errmsg. Not thread-safe.
// Trust boundary: values are always bound, never spliced into SQL text.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace postern::store {

class Db;

// One execution of a cached statement; resets and clears bindings on destruction.
class Query {
 public:
  Query(Db& db, sqlite3_stmt* st) : db_(db), st_(st) {}
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& bind(int i, int64_t v);
  Query& bind(int i, std::string_view v);
  // True while a row is available; false when done. Throws on error.
  bool step();
  void run() {
    while (step()) {
    }
  }
  int64_t i64(int col) const { return sqlite3_column_int64(st_, col); }
  std::string text(int col) const;

 private:
  Db& db_;
  sqlite3_stmt* st_;
};

class Db {
 public:
  // Opens (creating) the database; sets busy_timeout, WAL, synchronous=FULL.
  explicit Db(const std::string& path, int busy_timeout_ms = 30000);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const char* sql);
  // `sql` must be a string literal (the cache key is its address).
  Query query(const char* sql);
  int64_t last_insert_rowid() { return sqlite3_last_insert_rowid(db_); }
  int user_version();
  [[noreturn]] void fail(std::string_view what);
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

// BEGIN IMMEDIATE (takes the write lock, waiting up to busy_timeout); rolls back
// unless commit() was called. Nested use is not supported.
class WriteTxn {
 public:
  explicit WriteTxn(Db& db);
  ~WriteTxn();
  WriteTxn(const WriteTxn&) = delete;
  WriteTxn& operator=(const WriteTxn&) = delete;
  void commit();

 private:
  Db& db_;
  bool done_ = false;
};

// BEGIN (deferred): a consistent snapshot for several reads.
class ReadTxn {
 public:
  explicit ReadTxn(Db& db);
  ~ReadTxn();
  ReadTxn(const ReadTxn&) = delete;
  ReadTxn& operator=(const ReadTxn&) = delete;

 private:
  Db& db_;
};

}  // namespace postern::store
