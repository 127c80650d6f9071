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

namespace postern::smtp::mailauth {

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
