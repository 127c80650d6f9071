// Index schema versions and migrations (description of the layout in schema.cpp).
#pragma once

#include "common/store/sqlite_db.hpp"

namespace postern::store::schema {

// Current PRAGMA user_version written by migrate().
int current_version();
// Applies every missing migration in order; must run inside a write transaction.
// Throws StoreError if the index is newer than this program knows.
void migrate(Db& db);

}  // namespace postern::store::schema
