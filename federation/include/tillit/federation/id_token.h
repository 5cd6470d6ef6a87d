// Validation of an OpenID Connect ID token (OpenID Connect Core 1.0 §3.1.3.7) as the relying
// party for the authorization-code flow must do it, plus Tillit's own rule: the token must carry
// the required assurance level (`acr`). Pure: no I/O, the current time is a parameter.
//
// Each rule that fails gives its own message, saying what was wrong and what to do, so that a
// refused sign-in can be explained to the user and recorded in the audit log.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tillit/core/result.h"
#include "tillit/core/time.h"
#include "tillit/federation/jose.h"

namespace tillit::federation {

// The Swedish eID framework's assurance level 3 (two independent factors, proofed identity).
inline constexpr std::string_view kLoa3 = "http://id.elegnamnden.se/loa/1.0/loa3";

struct IdTokenExpectations {
  std::string issuer;        // exact match with `iss`
  std::string client_id;     // must be in `aud`; `azp`, when present, must equal it
  std::string nonce;         // the nonce sent in this sign-in's authorization request
  std::string required_acr;  // exact match with `acr`
  std::chrono::seconds clock_skew{60};  // tolerance for exp, nbf and iat
};

// The validated claims Tillit uses. Times are seconds since the Unix epoch.
struct IdTokenClaims {
  std::string issuer;
  std::string subject;
  std::string acr;
  std::vector<std::string> audience;
  std::int64_t expires_at = 0;
  std::int64_t issued_at = 0;
  std::optional<std::int64_t> auth_time;
  nlohmann::json payload;  // every claim, for the caller to read profile claims from
};

// Checks, in this order: the algorithm is allowed (parse_jws), a key of `keys` verifies the
// signature, then iss, aud/azp, exp, nbf, iat, nonce, sub and acr. Every failure is
// ErrorCode::unauthenticated.
Result<IdTokenClaims> validate_id_token(const Jws& token, const Jwks& keys, const IdTokenExpectations& expect,
                                        Timestamp now);
Result<IdTokenClaims> validate_id_token(std::string_view compact, const Jwks& keys,
                                        const IdTokenExpectations& expect, Timestamp now);

}  // namespace tillit::federation
