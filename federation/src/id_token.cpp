#include "tillit/federation/id_token.h"

#include <cmath>

#include "tillit/crypto/crypto.h"
#include "text.h"

namespace tillit::federation {
namespace {

Error refused(std::string message) { return make_error(ErrorCode::unauthenticated, std::move(message)); }

// JSON numeric dates (RFC 7519 §2) between 1970 and 9999; fractions are cut to whole seconds.
std::optional<std::int64_t> numeric_date(const nlohmann::json& payload, const char* name) {
  const auto it = payload.find(name);
  if (it == payload.end() || !it->is_number()) return std::nullopt;
  const double value = it->get<double>();
  if (!std::isfinite(value) || value < 0 || value > 253402300799.0) return std::nullopt;
  return static_cast<std::int64_t>(value);
}

std::string when(std::int64_t seconds) {
  return format_rfc3339(Timestamp(std::chrono::seconds(seconds)));
}

}  // namespace

Result<IdTokenClaims> validate_id_token(std::string_view compact, const Jwks& keys,
                                        const IdTokenExpectations& expect, Timestamp now) {
  auto jws = parse_jws(compact);
  if (!jws) return jws.error();
  return validate_id_token(*jws, keys, expect, now);
}

Result<IdTokenClaims> validate_id_token(const Jws& token, const Jwks& keys, const IdTokenExpectations& expect,
                                        Timestamp now) {
  // The signature first: until it verifies, nothing in the payload is to be believed, not even
  // enough to put in an error message.
  const auto candidates = candidate_keys(keys, token);
  if (candidates.empty()) {
    if (token.kid.empty())
      return refused("the ID token names no signing key (\"kid\") and the identity provider's key set does not "
                     "hold exactly one " + std::string(to_string(token.alg)) + " key; sign in again, and if this "
                     "repeats, ask the provider to put a kid in its ID tokens");
    return refused("the ID token was signed with key " + in_quotes(token.kid) +
                   ", which is not in the identity provider's key set (JWKS) for " + to_string(token.alg) +
                   "; if the provider has just rotated its keys, sign in again in a minute");
  }
  bool verified = false;
  for (const Jwk* key : candidates) verified = verified || verify_signature(token, *key);
  if (!verified)
    return refused("the ID token's signature does not verify with the identity provider's key " +
                   in_quotes(token.kid.empty() ? candidates.front()->kid : token.kid) +
                   ": it was altered or not issued by the configured provider. Sign in again");

  const auto& p = token.payload;
  IdTokenClaims claims;
  claims.payload = p;

  const auto iss = p.find("iss");
  if (iss == p.end() || !iss->is_string())
    return refused("the ID token has no issuer (\"iss\"); the identity provider is not following OpenID Connect");
  claims.issuer = iss->get<std::string>();
  if (claims.issuer != expect.issuer)
    return refused("the ID token was issued by " + in_quotes(claims.issuer) + ", but Tillit is configured for " +
                   in_quotes(expect.issuer) + "; check the issuer in Tillit's OpenID Connect configuration");

  const auto aud = p.find("aud");
  if (aud != p.end() && aud->is_string()) {
    claims.audience.push_back(aud->get<std::string>());
  } else if (aud != p.end() && aud->is_array()) {
    for (const auto& a : *aud) {
      if (!a.is_string()) return refused("the ID token's audience (\"aud\") holds something that is not a string");
      claims.audience.push_back(a.get<std::string>());
    }
  }
  if (claims.audience.empty())
    return refused("the ID token has no audience (\"aud\"); the identity provider is not following OpenID Connect");
  bool for_us = false;
  for (const auto& a : claims.audience) for_us = for_us || a == expect.client_id;
  if (!for_us)
    return refused("the ID token is meant for " + in_quotes(claims.audience.front()) +
                   (claims.audience.size() > 1 ? " (and others)" : "") + ", not for Tillit's client id " +
                   in_quotes(expect.client_id) + "; check the client id in Tillit's OpenID Connect configuration");
  const auto azp = p.find("azp");
  if (azp != p.end() && (!azp->is_string() || *azp != expect.client_id))
    return refused("the ID token was issued to another party (\"azp\" is not " + in_quotes(expect.client_id) +
                   "); sign in again from Tillit's login page");
  if (claims.audience.size() > 1 && azp == p.end())
    return refused("the ID token names several audiences but no authorized party (\"azp\"), so Tillit cannot tell "
                   "that it was issued to Tillit; ask the provider to add azp or issue the token to Tillit alone");

  const std::int64_t now_s = std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::int64_t skew = expect.clock_skew.count();
  const auto exp = numeric_date(p, "exp");
  if (!exp) return refused("the ID token has no valid expiry time (\"exp\"); the identity provider is not following OpenID Connect");
  claims.expires_at = *exp;
  if (now_s >= *exp + skew)
    return refused("the ID token expired at " + when(*exp) + " (it is now " + when(now_s) + ", tolerance " +
                   std::to_string(skew) + " s); sign in again, and check this server's clock if it repeats");
  if (p.contains("nbf")) {
    const auto nbf = numeric_date(p, "nbf");
    if (!nbf) return refused("the ID token's not-before time (\"nbf\") is not a valid time");
    if (*nbf > now_s + skew)
      return refused("the ID token is not valid before " + when(*nbf) + " (it is now " + when(now_s) +
                     "); the clocks of this server and the identity provider disagree, so set both with NTP");
  }
  const auto iat = numeric_date(p, "iat");
  if (!iat) return refused("the ID token has no valid issue time (\"iat\"); the identity provider is not following OpenID Connect");
  claims.issued_at = *iat;
  if (*iat > now_s + skew)
    return refused("the ID token claims to have been issued at " + when(*iat) + ", in the future (it is now " +
                   when(now_s) + "); the clocks of this server and the identity provider disagree, so set both with NTP");
  if (p.contains("auth_time")) {
    claims.auth_time = numeric_date(p, "auth_time");
    if (!claims.auth_time) return refused("the ID token's authentication time (\"auth_time\") is not a valid time");
  }

  const auto nonce = p.find("nonce");
  if (nonce == p.end() || !nonce->is_string() || expect.nonce.empty() ||
      !crypto::constant_time_equal(nonce->get_ref<const std::string&>(), expect.nonce))
    return refused("the ID token's nonce does not match this sign-in: the token was issued for another sign-in "
                   "attempt (a replay, or two logins in parallel). Start the sign-in again");

  const auto sub = p.find("sub");
  if (sub == p.end() || !sub->is_string() || sub->get_ref<const std::string&>().empty() ||
      sub->get_ref<const std::string&>().size() > 255)
    return refused("the ID token has no usable subject (\"sub\", 1 to 255 characters), so Tillit cannot tell who "
                   "signed in; the identity provider is not following OpenID Connect");
  claims.subject = sub->get<std::string>();

  const auto acr = p.find("acr");
  if (acr == p.end() || !acr->is_string())
    return refused("the identity provider did not state at which assurance level it authenticated you (no \"acr\" "
                   "in the ID token), but Tillit requires " + in_quotes(expect.required_acr) +
                   "; " + acr_advice(expect.required_acr) + ", or ask the administrator to check the provider's configuration");
  claims.acr = acr->get<std::string>();
  if (claims.acr != expect.required_acr)
    return refused("the identity provider authenticated you at assurance level " + in_quotes(claims.acr) +
                   ", but Tillit requires " + in_quotes(expect.required_acr) + "; " + acr_advice(expect.required_acr));
  return claims;
}

}  // namespace tillit::federation
