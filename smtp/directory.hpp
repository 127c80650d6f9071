// What the SMTP session needs from postern-authd, as an interface: user
// lookups at RCPT and SASL exchanges at AUTH. The production implementation
// forwards to authclient::AuthClient; unit tests plug in an in-memory one.
// Trust boundary: authd's answers are trusted; the SASL payloads passed
// through are the client's credentials and are never logged.
#pragma once

#include <asio.hpp>

#include <memory>
#include <optional>
#include <string_view>

#include "common/authclient/authclient.hpp"

namespace postern::smtp {

class UserDirectory {
 public:
  virtual ~UserDirectory() = default;
  // The user receiving mail for `local` (a local part without "+tag"), or
  // nullopt; *temp_error is set when the answer is unknown (authd down).
  virtual asio::awaitable<std::optional<authclient::UserInfo>> lookup(std::string_view local, bool* temp_error) = 0;
  virtual std::unique_ptr<authclient::SaslExchange> sasl(const authclient::ClientInfo& client) = 0;
};

class AuthClientDirectory : public UserDirectory {
 public:
  explicit AuthClientDirectory(std::shared_ptr<authclient::AuthClient> client) : client_(std::move(client)) {}
  asio::awaitable<std::optional<authclient::UserInfo>> lookup(std::string_view local, bool* temp_error) override {
    co_return co_await client_->lookup(local, temp_error);
  }
  std::unique_ptr<authclient::SaslExchange> sasl(const authclient::ClientInfo& client) override {
    return client_->sasl(client);
  }

 private:
  std::shared_ptr<authclient::AuthClient> client_;
};

}  // namespace postern::smtp
