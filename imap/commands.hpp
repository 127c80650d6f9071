// Command handlers, one file per group (cmd_*.cpp), and the one dispatcher
// that enforces the command table's states and flags before calling them.
#pragma once

#include "imap/context.hpp"

namespace postern::imap {

// Runs one parsed command: state check, plaintext-auth check, the handler,
// then (in the selected state) the untagged updates the client is owed.
awaitable<Reply> dispatch(SessionContext& ctx, const Command& cmd);

// Updates for the selected mailbox, if any: new EXISTS, EXPUNGE, FETCH FLAGS.
std::string mailbox_updates(SessionContext& ctx, bool allow_expunge);

// cmd_auth.cpp
awaitable<Reply> cmd_capability(SessionContext& ctx, const Command& cmd);
awaitable<Reply> cmd_noop(SessionContext& ctx, const Command& cmd);
awaitable<Reply> cmd_logout(SessionContext& ctx, const Command& cmd);
awaitable<Reply> cmd_starttls(SessionContext& ctx, const Command& cmd);
awaitable<Reply> cmd_login(SessionContext& ctx, const Command& cmd);
awaitable<Reply> cmd_authenticate(SessionContext& ctx, const Command& cmd);
// cmd_mailbox.cpp
awaitable<Reply> cmd_select(SessionContext& ctx, const Command& cmd);
awaitable<Reply> cmd_create(SessionContext& ctx, const Command& cmd);
awaitable<Reply> cmd_delete(SessionContext& ctx, const Command& cmd);
awaitable<Reply> cmd_rename(SessionContext& ctx, const Command& cmd);
awaitable<Reply> cmd_subscribe(SessionContext& ctx, const Command& cmd);
awaitable<Reply> cmd_list(SessionContext& ctx, const Command& cmd);
awaitable<Reply> cmd_status(SessionContext& ctx, const Command& cmd);
// cmd_fetch.cpp
awaitable<Reply> cmd_fetch(SessionContext& ctx, const Command& cmd);
// cmd_store.cpp
awaitable<Reply> cmd_store(SessionContext& ctx, const Command& cmd);
awaitable<Reply> cmd_close(SessionContext& ctx, const Command& cmd);
awaitable<Reply> cmd_expunge(SessionContext& ctx, const Command& cmd);
awaitable<Reply> cmd_copy(SessionContext& ctx, const Command& cmd);
// cmd_append.cpp
awaitable<Reply> cmd_append(SessionContext& ctx, const Command& cmd);
// cmd_misc.cpp
awaitable<Reply> cmd_id(SessionContext& ctx, const Command& cmd);
awaitable<Reply> cmd_enable(SessionContext& ctx, const Command& cmd);
awaitable<Reply> cmd_namespace(SessionContext& ctx, const Command& cmd);
awaitable<Reply> cmd_idle(SessionContext& ctx, const Command& cmd);
// cmd_search.cpp
awaitable<Reply> cmd_search(SessionContext& ctx, const Command& cmd);

}  // namespace postern::imap
