// Submission (587/465, authenticated): DKIM signatures for the message's
// From domain, with every key configured for it (rsa-sha256 and
// ed25519-sha256 when both are), prepended above our trace fields.
// RFC 6376 5 (signer actions), RFC 8463 (ed25519-sha256), RFC 8601 5
// (Authentication-Results claiming our authserv-id are removed here too: a
// local user must not hand another local user a forged verdict).
// Trust boundary: the user is authenticated but the message text is still
// theirs; the From domain only selects among our own keys.
#include "smtp/mailauth/mailauth_filter.hpp"

#include "mailauth/authres/remove.hpp"
#include "mailauth/dmarc/from.hpp"
#include "mailauth/dmarc/header_fields.hpp"

namespace postern::smtp::mailauth {

namespace {
// True when every From: mailbox is the user's own address (local part the
// user name, or user+tag); the domain only selects among our keys. Our
// signature must not vouch for another user's address (the envelope sender
// is checked by the session; the header is checked here).
bool from_is_users(std::string_view message, std::string_view user) {
  auto block = dmarc::split_header_fields(message, 1000);
  size_t seen = 0;
  for (const auto& f : block.fields) {
    if (!dmarc::iequals_ascii(f.name, "From")) continue;
    std::vector<dmarc::Mailbox> boxes;
    std::string error;
    if (!dmarc::parse_address_list(dmarc::unfold(f.value), boxes, error)) return false;
    for (const auto& b : boxes) {
      std::string_view local = b.local;
      if (auto plus = local.find('+'); plus != std::string_view::npos) local = local.substr(0, plus);
      if (!dmarc::iequals_ascii(local, user)) return false;
      ++seen;
    }
  }
  return seen > 0;
}
}  // namespace

Outcome MailAuth::submission(const FilterInput& in) const {
  Outcome out;
  authres::Removal removal = authres::remove_forged(in.message, our_ids_);
  if (removal.removed > 0) out.rewritten_message = std::move(removal.message);
  std::string_view message = out.rewritten_message ? std::string_view(*out.rewritten_message) : in.message;

  std::string signed_with;
  if (!cfg_.mailauth.dkim_sign || !signer_ || signer_->empty()) {
    signed_with = "off";
  } else if (in.auth_user.empty()) {
    signed_with = "no (not authenticated)";
  } else if (!(in.mode == Mode::pickup && in.auth_user == "root") && !from_is_users(message, in.auth_user)) {
    // root on the local pickup socket is trusted, like Postfix's trusted users.
    signed_with = "no (From: is not the user's own address)";
  } else {
    try {
      auto fields = signer_->sign(message, {}, options_.now);
      for (auto& f : fields) out.verdict.prepend += f;
      signed_with = fields.empty() ? std::string("no (no key for the From domain)")
                                   : std::to_string(fields.size()) + " signature(s)";
    } catch (const dkim::SignError& e) {
      // A message we cannot sign (no From, broken header) still goes out
      // unsigned, as OpenDKIM does; receivers will judge it.
      signed_with = std::string("no (") + e.what() + ")";
    }
  }
  out.log_line = "mailauth submission user=" + in.auth_user + " dkim_sign=" + signed_with +
                 " forged_ar_removed=" + std::to_string(removal.removed);
  return out;
}

}  // namespace postern::smtp::mailauth
