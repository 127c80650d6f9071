// One user's mail store: a Maildir++ tree plus an SQLite index (WAL), which is
// the authority for mailboxes, UIDVALIDITY, UIDNEXT, UIDs, flags, MODSEQ.
// Layout under <root>/<user>/: cur/ new/ tmp/ for INBOX, .Name/ for others
// (Maildir++ with '.' as hierarchy separator), index.sqlite. The full on-disk
// layout and index schema are described at the top of common/store/schema.cpp.
// Delivery is crash-safe: write tmp/, fsync, rename into new/ (or cur/), fsync
// the directory, then one index transaction. sync() picks up files another
// Maildir tool dropped in and forgets files that vanished.
// Trust boundary: message bytes are untrusted and stored as-is (size = bytes
// stored; no line-ending conversion); mailbox names come from clients and are
// validated here (no "..", no '/', bounded length) — MailboxError carries a
// message fit for the client. Other errors are StoreError (I/O, index busy).
// Several MailStore objects, in several processes, may use one user's store at
// once (writes take the SQLite write lock). Not thread-safe: one MailStore per
// session or per delivery; never use one across fork().
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace postern::store {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// A mailbox name that is not allowed (or does not exist) — reported to the client.
class MailboxError : public StoreError {
 public:
  using StoreError::StoreError;
};

enum Flag : uint32_t {
  kSeen = 1,
  kAnswered = 2,
  kFlagged = 4,
  kDeleted = 8,
  kDraft = 16,
};

enum class FlagOp { set, add, remove };

struct MessageInfo {
  uint32_t uid = 0;
  uint64_t modseq = 0;
  uint32_t flags = 0;                 // Flag bits
  std::vector<std::string> keywords;  // user keywords ($Junk, ...)
  int64_t internal_date = 0;          // unix seconds
  uint64_t size = 0;                  // RFC822.SIZE (bytes, CRLF line ends)
};

struct MailboxInfo {
  std::string name;           // "INBOX", "Sent", "Archive/2024" ('/' separator to clients)
  std::string special_use;    // "\\Sent", "\\Drafts", "\\Trash", "\\Junk", "\\Archive" or ""
  uint32_t uidvalidity = 0;
  uint32_t uidnext = 1;
  uint64_t highest_modseq = 0;
  uint32_t exists = 0;
  uint32_t unseen = 0;
  bool subscribed = true;
};

// Result of copy_messages / move_messages, shaped for UIDPLUS COPYUID (RFC 4315
// section 3): source_uids[i] became dest_uids[i] in a mailbox whose UIDVALIDITY is
// dest_uidvalidity. UIDs that did not exist in the source are skipped.
struct CopyResult {
  uint32_t dest_uidvalidity = 0;
  std::vector<uint32_t> source_uids;
  std::vector<uint32_t> dest_uids;
};

class MailStore {
 public:
  virtual ~MailStore() = default;
  // Opens (creating if missing, with the default mailboxes INBOX, Sent,
  // Drafts, Trash, Junk, Archive) the store of `user` under `root`.
  static std::unique_ptr<MailStore> open(const std::string& root, const std::string& user);

  virtual std::vector<MailboxInfo> list_mailboxes() = 0;
  virtual std::optional<MailboxInfo> mailbox(std::string_view name) = 0;  // INBOX is case-insensitive
  virtual void create_mailbox(std::string_view name, std::string_view special_use = "") = 0;

  // Stores a message durably (see top); returns its UID. internal_date 0 = now.
  virtual uint32_t deliver(std::string_view mailbox, std::string_view message, uint32_t flags = 0,
                           int64_t internal_date = 0, const std::vector<std::string>& keywords = {}) = 0;
  // Reconciles the index with the Maildir folder.
  virtual void sync(std::string_view mailbox) = 0;
  // All messages, by ascending UID.
  virtual std::vector<MessageInfo> messages(std::string_view mailbox) = 0;
  // The whole message as stored. Throws MailboxError if the UID does not exist.
  virtual std::string read_message(std::string_view mailbox, uint32_t uid) = 0;
  // Changes flags; returns the changed messages with their new MODSEQ.
  virtual std::vector<MessageInfo> store_flags(std::string_view mailbox, const std::vector<uint32_t>& uids, FlagOp op,
                                               uint32_t flags, const std::vector<std::string>& keywords = {}) = 0;
  // Removes messages flagged \Deleted (restricted to `only` if given); returns their UIDs.
  virtual std::vector<uint32_t> expunge(std::string_view mailbox,
                                        const std::optional<std::vector<uint32_t>>& only = std::nullopt) = 0;

  // --- additions (store engineer) ---
  // Renames a mailbox and its inferiors ("A" also moves "A/B"). Renaming INBOX
  // moves all its messages into a new mailbox and leaves INBOX empty (RFC 3501
  // section 6.3.5). Missing superior names of the target are created.
  virtual void rename_mailbox(std::string_view from, std::string_view to) = 0;
  // Deletes a mailbox and its messages (not its inferiors). INBOX cannot be deleted.
  virtual void delete_mailbox(std::string_view name) = 0;
  virtual void set_subscribed(std::string_view name, bool subscribed) = 0;
  // Copies messages (flags, keywords and internal date kept) into `to`, assigning new
  // UIDs there in ascending source-UID order. move_messages does the same and removes
  // them from `from` (RFC 6851: the source UIDs are expunged).
  virtual CopyResult copy_messages(std::string_view from, const std::vector<uint32_t>& uids,
                                   std::string_view to) = 0;
  virtual CopyResult move_messages(std::string_view from, const std::vector<uint32_t>& uids,
                                   std::string_view to) = 0;
  // One message's metadata, or nullopt if the UID does not exist.
  virtual std::optional<MessageInfo> message(std::string_view mailbox, uint32_t uid) = 0;
  // UIDs removed (expunge, move, or vanished files) with MODSEQ > `modseq`, ascending
  // (for QRESYNC VANISHED, RFC 7162 section 3.2.10).
  virtual std::vector<uint32_t> expunged_since(std::string_view mailbox, uint64_t modseq) = 0;
  // Absolute path of the message file (for streaming large bodies); the file may be
  // renamed by a concurrent flag change, so prefer read_message for small reads.
  virtual std::string message_path(std::string_view mailbox, uint32_t uid) = 0;
  // Syncs every mailbox (used after open by imapd for LIST-STATUS and by `postern`).
  virtual void sync_all() = 0;
};

}  // namespace postern::store
