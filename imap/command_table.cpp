// The IMAP command table (see command_table.hpp). States per RFC 9051 section 6:
// 6.1 any state, 6.2 not authenticated, 6.3 authenticated (also valid when
// selected), 6.4 selected.
#include "imap/command_table.hpp"

#include <array>

#include "common/util/strings.hpp"

namespace postern::imap {

namespace {
constexpr std::array kCommands = {
    CommandSpec{"CAPABILITY", CommandId::capability, kAnyState, 0},
    CommandSpec{"NOOP", CommandId::noop, kAnyState, 0},
    CommandSpec{"LOGOUT", CommandId::logout, kAnyState, 0},
    CommandSpec{"ID", CommandId::id, kAnyState, 0},
    CommandSpec{"STARTTLS", CommandId::starttls, kNotAuth, 0},
    CommandSpec{"LOGIN", CommandId::login, kNotAuth, kPlaintextAuth},
    CommandSpec{"AUTHENTICATE", CommandId::authenticate, kNotAuth, kPlaintextAuth},
    CommandSpec{"ENABLE", CommandId::enable, kAuth, 0},
    CommandSpec{"NAMESPACE", CommandId::namespace_, kAuthOrSelected, 0},
    CommandSpec{"IDLE", CommandId::idle, kAuthOrSelected, 0},
    CommandSpec{"SELECT", CommandId::select, kAuthOrSelected, 0},
    CommandSpec{"EXAMINE", CommandId::examine, kAuthOrSelected, 0},
    CommandSpec{"CREATE", CommandId::create, kAuthOrSelected, 0},
    CommandSpec{"DELETE", CommandId::delete_, kAuthOrSelected, 0},
    CommandSpec{"RENAME", CommandId::rename, kAuthOrSelected, 0},
    CommandSpec{"SUBSCRIBE", CommandId::subscribe, kAuthOrSelected, 0},
    CommandSpec{"UNSUBSCRIBE", CommandId::unsubscribe, kAuthOrSelected, 0},
    CommandSpec{"LIST", CommandId::list, kAuthOrSelected, 0},
    CommandSpec{"LSUB", CommandId::lsub, kAuthOrSelected, 0},
    CommandSpec{"STATUS", CommandId::status, kAuthOrSelected, 0},
    CommandSpec{"APPEND", CommandId::append, kAuthOrSelected, 0},
    CommandSpec{"CHECK", CommandId::check, kSelected, 0},
    CommandSpec{"CLOSE", CommandId::close, kSelected, 0},
    CommandSpec{"UNSELECT", CommandId::unselect, kSelected, 0},
    CommandSpec{"EXPUNGE", CommandId::expunge, kSelected, kUidVariant},
    CommandSpec{"SEARCH", CommandId::search, kSelected, kUsesSeqNumbers | kUidVariant},
    CommandSpec{"FETCH", CommandId::fetch, kSelected, kUsesSeqNumbers | kUidVariant},
    CommandSpec{"STORE", CommandId::store, kSelected, kUsesSeqNumbers | kUidVariant},
    CommandSpec{"COPY", CommandId::copy, kSelected, kUidVariant},
    CommandSpec{"MOVE", CommandId::move, kSelected, kUidVariant},
};
}  // namespace

const CommandSpec* find_command(std::string_view name) {
  for (const auto& c : kCommands)
    if (util::iequals(c.name, name)) return &c;
  return nullptr;
}

}  // namespace postern::imap
