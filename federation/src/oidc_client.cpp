#include "tillit/federation/oidc_client.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "text.h"
#include "tillit/crypto/key_file.h"

namespace tillit::federation {
namespace {

// How long the provider's configuration and key set are trusted before they are fetched again:
// long enough not to ask on every sign-in, short enough that a key the provider withdrew stops
// being accepted within the hour.
constexpr auto kCacheLifetime = std::chrono::hours(1);
// An unknown kid makes Tillit fetch the key set again, but not more often than this.
constexpr auto kKeyRefetchInterval = std::chrono::seconds(10);

Error config_error(std::string message) { return make_error(ErrorCode::invalid_argument, std::move(message)); }
Error refused(std::string message) { return make_error(ErrorCode::unauthenticated, std::move(message)); }

bool printable(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) { return c >= 0x20 && c != 0x7f; });
}

std::string random_token() { return base64url_encode(crypto::as_chars(crypto::random_bytes(32))); }

Result<crypto::SecretBytes> read_secret_file(const std::string& path) {
  if (path.empty())
    return config_error("no client secret file is configured; write the client secret the identity provider "
                        "issued into a file readable only by Tillit (chmod 600) and configure its path");
  if (auto st = crypto::check_private_permissions(path); !st) return st.error();
  std::ifstream in(path, std::ios::binary);
  if (!in) return config_error("cannot read the client secret file '" + path + "'; check the path and its owner");
  std::ostringstream text;
  text << in.rdbuf();
  std::string secret = text.str();
  while (!secret.empty() && std::isspace(static_cast<unsigned char>(secret.back()))) secret.pop_back();
  crypto::SecretBytes out(crypto::Bytes(secret.begin(), secret.end()));
  std::fill(secret.begin(), secret.end(), '\0');
  if (out.empty()) return config_error("the client secret file '" + path + "' is empty; put the client secret in it");
  if (!printable(out.view()))
    return config_error("the client secret file '" + path + "' holds control characters or several lines; it "
                        "must hold only the client secret");
  return out;
}

Status check_config(const OidcConfig& c) {
  if (!is_https_url(c.issuer) || c.issuer.find('?') != std::string::npos)
    return config_error("the OpenID Connect issuer " + in_quotes(c.issuer) +
                        " is not an https URL without query; set it to the provider's issuer, e.g. https://idp.example.se");
  if (c.client_id.empty() || c.client_id.size() > 255 || !printable(c.client_id))
    return config_error("the OpenID Connect client id is missing or malformed; set it to the id the identity "
                        "provider registered for Tillit");
  if (!is_https_url(c.redirect_uri))
    return config_error("the OpenID Connect redirect URI " + in_quotes(c.redirect_uri) +
                        " is not an https URL; set it to Tillit's public URL followed by /auth/oidc/callback");
  bool openid = false;
  std::istringstream scopes(c.scopes);
  for (std::string scope; scopes >> scope;) {
    openid = openid || scope == "openid";
    if (!printable(scope) || scope.find_first_of("\"\\") != std::string::npos)
      return config_error("the OpenID Connect scope " + in_quotes(scope) + " has characters a scope cannot have");
  }
  if (!openid) return config_error("the OpenID Connect scopes must include \"openid\" (they are " + in_quotes(c.scopes) + ")");
  if (c.required_acr.empty() || !printable(c.required_acr) || c.required_acr.find(' ') != std::string::npos)
    return config_error("the required assurance level (acr) must be one URI, e.g. " + std::string(kLoa3));
  if (c.clock_skew < std::chrono::seconds(0) || c.clock_skew > std::chrono::minutes(5))
    return config_error("the clock-skew tolerance must be between 0 and 300 seconds");
  if (c.login_timeout < std::chrono::minutes(1) || c.login_timeout > std::chrono::hours(1))
    return config_error("the sign-in timeout must be between 60 and 3600 seconds");
  if (c.connect_timeout <= std::chrono::seconds(0) || c.request_timeout <= std::chrono::seconds(0))
    return config_error("the HTTP timeouts towards the identity provider must be at least 1 second");
  if (!c.ca_bundle_file.empty() && !std::ifstream(c.ca_bundle_file))
    return config_error("cannot read the identity provider's CA bundle '" + c.ca_bundle_file + "'; check the path");
  return {};
}

// The provider's error response (RFC 6749 §5.2) as text for a message.
std::string oauth_error(const std::string& body, std::string* code_out) {
  auto doc = parse_json_object(body, "the token endpoint's error");
  std::string code, description;
  if (doc) {
    if (const auto e = doc->find("error"); e != doc->end() && e->is_string()) code = e->get<std::string>();
    if (const auto d = doc->find("error_description"); d != doc->end() && d->is_string()) description = d->get<std::string>();
  }
  if (code_out) *code_out = code;
  if (code.empty()) return "no OAuth error code";
  return description.empty() ? in_quotes(code) : in_quotes(code) + ": " + in_quotes(description);
}

std::string claim_text(const nlohmann::json& payload, std::string_view name) {
  const auto it = payload.find(name);
  return it != payload.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Result<std::unique_ptr<OidcClient>> OidcClient::create(OidcConfig config, std::shared_ptr<HttpClient> http) {
  if (auto st = check_config(config); !st) return st.error();
  auto secret = read_secret_file(config.client_secret_file);
  if (!secret) return secret.error();
  if (!http) {
    HttpOptions options;
    options.ca_bundle_file = config.ca_bundle_file;
    options.connect_timeout = config.connect_timeout;
    options.request_timeout = config.request_timeout;
    http = make_https_client(options);
  }
  return std::unique_ptr<OidcClient>(new OidcClient(std::move(config), std::move(*secret), std::move(http)));
}

OidcClient::OidcClient(OidcConfig config, crypto::SecretBytes secret, std::shared_ptr<HttpClient> http)
    : config_(std::move(config)), client_secret_(std::move(secret)), http_(std::move(http)) {}

Result<ProviderMetadata> OidcClient::metadata(Timestamp now) {
  {
    std::lock_guard lock(mutex_);
    if (metadata_ && now - metadata_fetched_at_ < kCacheLifetime) return *metadata_;
  }
  const std::string url = discovery_url(config_.issuer);
  Result<ProviderMetadata> fresh = make_error(ErrorCode::unavailable, "");
  if (auto response = http_->get(url); !response)
    fresh = response.error();
  else if (response->status != 200)
    fresh = make_error(ErrorCode::unavailable, "the identity provider answered " + std::to_string(response->status) +
                                                   " for its configuration at " + url + "; check the configured issuer URL");
  else
    fresh = parse_provider_metadata(response->body, config_.issuer);
  std::lock_guard lock(mutex_);
  if (!fresh) {
    // A provider briefly unreachable should not stop sign-ins that a cached copy can serve.
    if (metadata_) return *metadata_;
    return fresh.error();
  }
  metadata_ = *fresh;
  metadata_fetched_at_ = now;
  return fresh;
}

Result<Jwks> OidcClient::keys(const ProviderMetadata& meta, Timestamp now, bool refresh) {
  {
    std::lock_guard lock(mutex_);
    if (jwks_) {
      const auto age = now - jwks_fetched_at_;
      if (refresh ? age < kKeyRefetchInterval : age < kCacheLifetime) return *jwks_;
    }
  }
  Result<Jwks> fresh = make_error(ErrorCode::unavailable, "");
  if (auto response = http_->get(meta.jwks_uri); !response)
    fresh = response.error();
  else if (response->status != 200)
    fresh = make_error(ErrorCode::unavailable, "the identity provider answered " + std::to_string(response->status) +
                                                   " for its key set at " + meta.jwks_uri + "; try again later");
  else if (auto parsed = parse_jwks(response->body); !parsed)
    fresh = make_error(ErrorCode::unavailable, parsed.error().message);
  else
    fresh = std::move(*parsed);
  std::lock_guard lock(mutex_);
  if (!fresh) {
    if (jwks_) return *jwks_;  // as for the configuration: a stale set beats no sign-in
    return fresh.error();
  }
  jwks_ = *fresh;
  jwks_fetched_at_ = now;
  return fresh;
}

Result<LoginRequest> OidcClient::begin(Timestamp now) {
  auto meta = metadata(now);
  if (!meta) return meta.error();
  const auto& offered = meta->acr_values_supported;
  if (!offered.empty() && std::find(offered.begin(), offered.end(), config_.required_acr) == offered.end()) {
    std::string list;
    for (const auto& a : offered) list += (list.empty() ? "" : ", ") + in_quotes(a);
    return make_error(ErrorCode::unavailable,
                      "the identity provider does not offer the assurance level Tillit requires, " +
                          in_quotes(config_.required_acr) + " (it offers " + list +
                          "); configure a provider, or a client at the provider, that authenticates at that level");
  }

  LoginRequest out;
  out.pending.state = random_token();
  out.pending.nonce = random_token();
  out.pending.code_verifier = random_token();
  out.pending.created_at = now;
  const auto digest = crypto::sha256(out.pending.code_verifier);
  const std::string challenge =
      base64url_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
  const std::string query = form_encode({
      {"response_type", "code"},
      {"client_id", config_.client_id},
      {"redirect_uri", config_.redirect_uri},
      {"scope", config_.scopes},
      {"state", out.pending.state},
      {"nonce", out.pending.nonce},
      {"code_challenge", challenge},
      {"code_challenge_method", "S256"},
      {"acr_values", config_.required_acr},
  });
  const auto& endpoint = meta->authorization_endpoint;
  out.authorization_url = endpoint + (endpoint.find('?') == std::string::npos ? '?' : '&') + query;
  return out;
}

Result<std::string> OidcClient::exchange_code(const ProviderMetadata& meta, const std::string& code,
                                              const PendingLogin& pending) {
  auto method = config_.token_auth_method;
  if (method == TokenAuthMethod::automatic) {
    const auto& offered = meta.token_endpoint_auth_methods;
    const bool basic = offered.empty() || std::find(offered.begin(), offered.end(), "client_secret_basic") != offered.end();
    const bool post = std::find(offered.begin(), offered.end(), "client_secret_post") != offered.end();
    if (!basic && !post)
      return make_error(ErrorCode::unavailable,
                        "the identity provider's token endpoint accepts neither client_secret_basic nor "
                        "client_secret_post, the client authentication methods Tillit supports");
    method = basic ? TokenAuthMethod::client_secret_basic : TokenAuthMethod::client_secret_post;
  }
  std::vector<std::pair<std::string, std::string>> fields = {
      {"grant_type", "authorization_code"},
      {"code", code},
      {"redirect_uri", config_.redirect_uri},
      {"code_verifier", pending.code_verifier},
  };
  std::vector<std::string> headers;
  if (method == TokenAuthMethod::client_secret_basic) {
    // RFC 6749 §2.3.1: the id and the secret are form-encoded before they are joined.
    headers.push_back("Authorization: Basic " +
                      crypto::to_base64(percent_encode(config_.client_id) + ":" +
                                        percent_encode(client_secret_.view())));
  } else {
    fields.emplace_back("client_id", config_.client_id);
    fields.emplace_back("client_secret", std::string(client_secret_.view()));
  }
  auto response = http_->post_form(meta.token_endpoint, form_encode(fields), headers);
  if (!response) return response.error();
  if (response->status != 200) {
    std::string error_code;
    const std::string what = oauth_error(response->body, &error_code);
    if (error_code == "invalid_grant")
      return refused("the identity provider refused the authorization code (" + what +
                     "): it was already used, has expired or belongs to another sign-in. Start the sign-in again");
    if (error_code == "invalid_client" || error_code == "unauthorized_client" || response->status == 401)
      return make_error(ErrorCode::unavailable, "the identity provider did not accept Tillit's client credentials (" +
                                                    what + "); check the client id and the client secret file");
    return make_error(ErrorCode::unavailable, "the identity provider's token endpoint answered " +
                                                  std::to_string(response->status) + " (" + what + "); try again later");
  }
  auto doc = parse_json_object(response->body, "the token endpoint's answer", 512 * 1024);
  if (!doc) return make_error(ErrorCode::unavailable, doc.error().message);
  const auto id_token = doc->find("id_token");
  if (id_token == doc->end() || !id_token->is_string())
    return make_error(ErrorCode::unavailable, "the identity provider's token endpoint returned no ID token; check that "
                                              "the scopes configured for Tillit include \"openid\"");
  return id_token->get<std::string>();
}

Result<Identity> OidcClient::finish(const CallbackParams& callback, const PendingLogin& pending, Timestamp now) {
  if (!callback.error.empty()) {
    const std::string what = in_quotes(callback.error) +
                             (callback.error_description.empty() ? "" : ": " + in_quotes(callback.error_description));
    if (callback.error == "access_denied")
      return refused("the sign-in was cancelled or refused at the identity provider (" + what + "); sign in again");
    return refused("the identity provider could not sign you in (" + what + "); sign in again, and tell the "
                   "administrator if this repeats");
  }
  if (pending.state.empty() || !crypto::constant_time_equal(callback.state, pending.state))
    return refused("this sign-in response does not belong to the sign-in started in this browser (state mismatch); "
                   "start the sign-in again from Tillit's login page");
  if (now - pending.created_at > config_.login_timeout || pending.created_at - now > config_.clock_skew)
    return refused("the sign-in took longer than " + std::to_string(config_.login_timeout.count() / 60) +
                   " minutes; start it again from Tillit's login page");
  if (callback.code.empty() || callback.code.size() > 4096 || !printable(callback.code))
    return refused("the identity provider's response carries no usable authorization code; start the sign-in again");

  auto meta = metadata(now);
  if (!meta) return meta.error();
  // RFC 9207: a response naming another issuer was meant for another provider (mix-up attack).
  if (!callback.iss.empty() && callback.iss != meta->issuer)
    return refused("the sign-in response comes from issuer " + in_quotes(callback.iss) + ", not from the configured " +
                   in_quotes(meta->issuer) + "; start the sign-in again");
  if (callback.iss.empty() && meta->iss_parameter_supported)
    return refused("the sign-in response lacks the issuer (\"iss\") that the identity provider always sends; "
                   "start the sign-in again");

  auto id_token = exchange_code(*meta, callback.code, pending);
  if (!id_token) return id_token.error();
  auto jws = parse_jws(*id_token);
  if (!jws) return jws.error();
  auto jwks = keys(*meta, now, false);
  if (!jwks) return jwks.error();
  if (candidate_keys(*jwks, *jws).empty()) {
    // The provider may have rotated its keys since the set was fetched.
    jwks = keys(*meta, now, true);
    if (!jwks) return jwks.error();
  }
  IdTokenExpectations expect{meta->issuer, config_.client_id, pending.nonce, config_.required_acr, config_.clock_skew};
  auto claims = validate_id_token(*jws, *jwks, expect, now);
  if (!claims) return claims.error();

  Identity who;
  who.issuer = claims->issuer;
  who.subject = claims->subject;
  who.acr = claims->acr;
  if (claims->auth_time) who.auth_time = Timestamp(std::chrono::seconds(*claims->auth_time));
  const auto& p = claims->payload;
  who.name = claim_text(p, "name");
  who.given_name = claim_text(p, "given_name");
  who.family_name = claim_text(p, "family_name");
  who.email = claim_text(p, "email");
  const auto verified = p.find("email_verified");
  who.email_verified = verified != p.end() && verified->is_boolean() && verified->get<bool>();
  who.transaction_id = claim_text(p, "txn");
  if (auto pnr = claim_text(p, kPersonalIdentityNumberClaim); !pnr.empty()) who.personal_identity_number.emplace(std::move(pnr));
  return who;
}

}  // namespace tillit::federation
