// Federated sign-in: Tillit as an OpenID Connect relying party, authorization-code flow with
// PKCE (S256), requiring the configured assurance level (by default the Swedish eID
// framework's LoA3). See federation/README.md for what is validated and why.
//
// Use from the web layer:
//
//   GET /login/oidc
//     auto login = client.begin(now);                  // may fetch the provider's configuration
//     store login->pending in the server-side login session, then
//     303 See Other to login->authorization_url
//
//   GET /auth/oidc/callback?code=...&state=...&iss=...   (or ?error=...&error_description=...)
//     take the PendingLogin out of the login session (delete it first: one use only), then
//     auto identity = client.finish(callback, pending, now);
//     link the account by (identity->issuer, identity->subject), never by e-mail.
//
// All failures are values. finish() fails with ErrorCode::unauthenticated when the sign-in is
// refused (its message is fit to show the user and to record in the audit log) and with
// ErrorCode::unavailable when the provider cannot be reached or is misconfigured.
//
// Thread-safety: one OidcClient serves all threads. It keeps the provider's configuration and
// key set in memory (refreshed as they age or when a token names an unknown key); everything
// a sign-in needs between begin() and finish() is in PendingLogin, so any server behind a load
// balancer can finish a sign-in another began.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "tillit/core/result.h"
#include "tillit/core/time.h"
#include "tillit/crypto/crypto.h"
#include "tillit/federation/http_client.h"
#include "tillit/federation/id_token.h"
#include "tillit/federation/jose.h"
#include "tillit/federation/provider_metadata.h"

namespace tillit::federation {

enum class TokenAuthMethod {
  automatic,            // client_secret_basic unless the provider offers only client_secret_post
  client_secret_basic,  // HTTP Basic with the form-encoded id and secret (RFC 6749 §2.3.1)
  client_secret_post,   // id and secret in the token request body
};

struct OidcConfig {
  std::string issuer;              // https URL, exactly as the provider states it
  std::string client_id;
  std::string client_secret_file;  // file holding the client secret (mode 0600); never the secret itself
  std::string redirect_uri;        // https, registered at the provider: Tillit's /auth/oidc/callback
  std::string scopes = "openid profile email";
  std::string required_acr = std::string(kLoa3);
  std::string ca_bundle_file;      // PEM CA bundle for the provider's TLS; empty: the system's
  TokenAuthMethod token_auth_method = TokenAuthMethod::automatic;
  std::chrono::seconds clock_skew{60};
  std::chrono::seconds login_timeout{600};  // how long a begun sign-in may take to finish
  std::chrono::seconds connect_timeout{5};
  std::chrono::seconds request_timeout{15};
};

// What the caller keeps server-side between begin() and finish(). Secrets: never put them in a
// cookie, URL or log.
struct PendingLogin {
  std::string state;          // 256 random bits, base64url; binds the callback to this browser session
  std::string nonce;          // 256 random bits, base64url; binds the ID token to this sign-in
  std::string code_verifier;  // PKCE (RFC 7636), 256 random bits, base64url
  Timestamp created_at;
};

struct LoginRequest {
  std::string authorization_url;  // send the browser here (303)
  PendingLogin pending;
};

// The query parameters of the provider's redirect to redirect_uri, as received.
struct CallbackParams {
  std::string code;
  std::string state;
  std::string iss;                // RFC 9207 issuer identifier; empty if absent
  std::string error;              // set instead of code when the provider refused or the user cancelled
  std::string error_description;
};

// A value that is sensitive personal data. It has no stream operator, so it cannot end up in
// a log or message by accident; read it with reveal() where it is really needed, and store it
// encrypted.
class Sensitive {
 public:
  explicit Sensitive(std::string value) : value_(std::move(value)) {}
  const std::string& reveal() const { return value_; }

 private:
  std::string value_;
};

// The verified person. (issuer, subject) is the stable key to link a Tillit account with: the
// subject never changes for a person at one provider, whereas names and e-mail addresses do.
struct Identity {
  std::string issuer;
  std::string subject;
  std::string acr;                       // equals the configured required_acr
  std::optional<Timestamp> auth_time;    // when the person authenticated at the provider, if stated
  std::string name;                      // profile claims: empty when the provider sent none
  std::string given_name;
  std::string family_name;
  std::string email;
  bool email_verified = false;
  std::string transaction_id;            // "txn" (Swedish profile): the provider's id for this sign-in, for the audit log
  // Swedish personal identity number (claim https://id.oidc.se/claim/personalIdentityNumber), only
  // when the provider sent it (scope https://id.oidc.se/scope/naturalPersonNumber). Sensitive
  // personal data (GDPR art. 87, dataskyddslagen 3 kap. 10 §): store it only when needed,
  // encrypted, and never use it as the link key.
  std::optional<Sensitive> personal_identity_number;
};

inline constexpr std::string_view kPersonalIdentityNumberClaim = "https://id.oidc.se/claim/personalIdentityNumber";

class OidcClient {
 public:
  // Checks the configuration and reads the client secret file (which must be private to the
  // user running Tillit). No network access: the provider is contacted on first use. `http`
  // replaces the libcurl client (tests); null means make_https_client() with the timeouts and
  // CA bundle of `config`.
  static Result<std::unique_ptr<OidcClient>> create(OidcConfig config, std::shared_ptr<HttpClient> http = nullptr);

  // Starts a sign-in: fresh state, nonce and PKCE verifier, and the authorization URL asking for
  // the code flow, the configured scopes and acr_values=<required acr>.
  Result<LoginRequest> begin(Timestamp now);

  // Completes a sign-in from the provider's redirect: checks state (and iss), exchanges the code
  // with the PKCE verifier, validates the ID token (validate_id_token) and returns who signed in.
  Result<Identity> finish(const CallbackParams& callback, const PendingLogin& pending, Timestamp now);

  const OidcConfig& config() const { return config_; }

 private:
  OidcClient(OidcConfig config, crypto::SecretBytes secret, std::shared_ptr<HttpClient> http);
  Result<ProviderMetadata> metadata(Timestamp now);
  // The key set, fetched when missing or when `refresh` (an unknown kid) and the last fetch is
  // old enough that asking again is not hammering the provider.
  Result<Jwks> keys(const ProviderMetadata& meta, Timestamp now, bool refresh);
  Result<std::string> exchange_code(const ProviderMetadata& meta, const std::string& code,
                                    const PendingLogin& pending);

  OidcConfig config_;
  crypto::SecretBytes client_secret_;
  std::shared_ptr<HttpClient> http_;

  std::mutex mutex_;  // guards the caches below
  std::optional<ProviderMetadata> metadata_;
  Timestamp metadata_fetched_at_{};
  std::optional<Jwks> jwks_;
  Timestamp jwks_fetched_at_{};
};

}  // namespace tillit::federation
