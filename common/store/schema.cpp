// The store's on-disk layout and the SQLite index schema, with its migrations.
// Trust boundary: none (fixed SQL); the files described here are owned by the
// `postern` user, directories 0700, files 0600.
//
// On-disk layout (one tree per user, <root> = store root, default /var/lib/postern/mail):
//
//   <root>/                 created 0700 if missing
//   <root>/<user>/          INBOX's Maildir (cur/ new/ tmp/) and the Maildir++ root
//     index.sqlite[-wal,-shm]  the SQLite index (WAL mode), the authority for
//                          mailboxes, UIDVALIDITY, UIDNEXT, UIDs, flags, keywords, MODSEQ
//     postern-uidvalidity  last UIDVALIDITY handed out (text); new ones are
//                          max(now, last + 1), so UIDVALIDITY only moves forward even
//                          when the index is deleted and rebuilt
//     postern-mailbox      INBOX's recovery hints (see below)
//     .Sent/ .Drafts/ .Trash/ .Junk/ .Archive/   default mailboxes, Maildir++ folders
//     .Archive.2024/       client name "Archive/2024": '/' becomes '.', a literal '.'
//                          in a name is stored as "%2E" ('%' is not allowed in names)
//       cur/ new/ tmp/ maildirfolder postern-mailbox
//     postern-deleted.<random>/   a deleted mailbox being removed (cleaned at open)
//
// Message files: <unique>[:2,<flags>] with unique = "<time>.<pid>_<random>.<host>,S=<size>,U=<uid>".
// S= is the byte size, U= the UID assigned at delivery (a hint used to give a
// crashed delivery the UID it was about to get, and to keep UIDs on rebuild).
// Flags D F R S T (draft, flagged, replied, seen, trashed) are kept in the name
// in ASCII order; other letters written by other tools (P, a-z) are preserved.
// Files without flags live in new/, with flags in cur/. The file's mtime is the
// internal date. Keywords live only in the index (lost on a rebuild).
//
// postern-mailbox (per mailbox, text "key value" lines): uidvalidity, uidnext and
// special-use, rewritten whenever UIDs leave the mailbox (create, expunge, move,
// vanished files) and read only on rebuild, so that UIDNEXT does not go
// backwards (together with the U= hints) and special-use survives.
//
// Delivery: write tmp/<unique>, fsync; BEGIN IMMEDIATE; uid = UIDNEXT; rename to
// new/<unique>,U=<uid> (or cur/...:2,FLAGS); fsync the directory; insert; COMMIT.
// sync() (under the same write lock) indexes files with no row and forgets rows
// with no file, so a crash between rename and COMMIT loses nothing and indexes
// nothing twice. tmp/ files older than 36 hours are removed by sync(). sync()
// skips the directory scan while new/ and cur/ keep the mtimes they had at the
// last clean sync (only trusted once they are more than 2 seconds old).
// Mailbox folders made by other tools (".Name" with cur/) are adopted at open.
//
// Index schema (PRAGMA user_version = 1):
//   mailboxes(id INTEGER PRIMARY KEY, name TEXT UNIQUE  -- client form, '/' separator
//             dir TEXT UNIQUE           -- "" for INBOX, ".A.B"
//             special_use TEXT, uidvalidity, uidnext, highest_modseq, subscribed)
//   messages(mailbox_id, uid, base TEXT -- unique part of the file name,
//            file TEXT                  -- "new/<name>" or "cur/<name>", relative to the mailbox dir
//            flags INTEGER (store::Flag bits), keywords TEXT (space-separated),
//            internal_date, size, modseq; PRIMARY KEY(mailbox_id, uid), UNIQUE(mailbox_id, base))
//   expunged(mailbox_id, uid, modseq)  -- removed UIDs for QRESYNC VANISHED (RFC 7162)
// Every change (delivery, flag change, expunge, vanished file) takes
// highest_modseq + 1 (RFC 7162 section 3.1). If index.sqlite is deleted, open()
// rebuilds it from the Maildir with new UIDVALIDITYs.
#include "common/store/schema.hpp"

#include <string>
#include <vector>

#include "common/store/store.hpp"

namespace postern::store::schema {

namespace {
// migrations[i] takes user_version i to i + 1. Append only; never edit a shipped entry.
const std::vector<const char*>& migrations() {
  static const std::vector<const char*> m = {
      // 0 -> 1: initial schema
      R"sql(
CREATE TABLE mailboxes (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  dir TEXT NOT NULL UNIQUE,
  special_use TEXT NOT NULL DEFAULT '',
  uidvalidity INTEGER NOT NULL,
  uidnext INTEGER NOT NULL DEFAULT 1,
  highest_modseq INTEGER NOT NULL DEFAULT 1,
  subscribed INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE messages (
  mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  uid INTEGER NOT NULL,
  base TEXT NOT NULL,
  file TEXT NOT NULL,
  flags INTEGER NOT NULL DEFAULT 0,
  keywords TEXT NOT NULL DEFAULT '',
  internal_date INTEGER NOT NULL,
  size INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  PRIMARY KEY (mailbox_id, uid),
  UNIQUE (mailbox_id, base)
) WITHOUT ROWID;
CREATE TABLE expunged (
  mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  uid INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  PRIMARY KEY (mailbox_id, uid)
) WITHOUT ROWID;
CREATE INDEX expunged_modseq ON expunged(mailbox_id, modseq);
)sql",
  };
  return m;
}
}  // namespace

int current_version() { return static_cast<int>(migrations().size()); }

void migrate(Db& db) {
  int v = db.user_version();
  if (v > current_version())
    throw StoreError("index schema version " + std::to_string(v) + " is newer than this program (" +
                     std::to_string(current_version()) + ")");
  for (; v < current_version(); ++v) {
    db.exec(migrations()[static_cast<size_t>(v)]);
    db.exec(("PRAGMA user_version=" + std::to_string(v + 1)).c_str());
  }
}

}  // namespace postern::store::schema
