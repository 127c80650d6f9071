// One user's mail store: a Maildir++ tree plus an SQLite index (WAL), which is
// the authority for mailboxes, UIDVALIDITY, UIDNEXT, UIDs, flags, MODSEQ.
// Layout under <root>/<user>/: cur/ new/ tmp/ for INBOX, .Name/ for others
// (Maildir++ with '.' as hierarchy separator), index.sqlite.
// Delivery is crash-safe: write tmp/, fsync, rename into new/ (or cur/), fsync
// the directory, then one index transaction. sync() picks up files another
// Maildir tool dropped in and forgets files that vanished.
// Trust boundary: message bytes are untrusted and stored as-is; mailbox names
// come from clients and are validated here (no "..", no '/', bounded length).
// Not thread-safe: one MailStore per session (open it per use).
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
};

}  // namespace postern::store
