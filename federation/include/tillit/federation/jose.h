// The JOSE pieces an OpenID Connect relying party needs, and nothing more: base64url, public
// JSON Web Keys (RSA and P-256, RFC 7517/7518) and the parsing and signature check of compact
// JWS tokens (RFC 7515) under a fixed allow-list of algorithms: RS256, PS256, ES256.
//
// Verification is done with OpenSSL 3 directly from the key's n/e or x/y members. Everything
// here reads outside input (a provider's JWK Set, a token from the network): nothing throws,
// failures are values, and every limit (sizes, key strength) is enforced before any
// cryptography runs. Thread-safe: keys are immutable once parsed and may be shared.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tillit/core/result.h"

namespace tillit::federation {

// Unpadded base64url (RFC 4648 §5), as JOSE uses it.
std::string base64url_encode(std::string_view bytes);
// Strict: only the base64url alphabet, no padding, no whitespace, and canonical (unused
// trailing bits zero), so every byte string has exactly one accepted encoding.
Result<std::string> base64url_decode(std::string_view text);

// Parses a JSON object from outside input. Refuses other JSON values, duplicate member names
// (a parser that kept the first and one that kept the last would disagree on what was signed),
// and input over `max_bytes`. `what` names the document in messages ("the ID token header").
Result<nlohmann::json> parse_json_object(std::string_view text, std::string_view what,
                                         std::size_t max_bytes = 256 * 1024);

// The only signature algorithms Tillit accepts. "none" and the HMAC family are refused by
// construction: an HMAC "signature" keyed with a public key could be made by anyone.
enum class JwsAlgorithm { rs256, ps256, es256 };
const char* to_string(JwsAlgorithm alg);

class VerificationKey;  // an OpenSSL public key (opaque)

// One usable public key from a JWK Set.
struct Jwk {
  enum class Type { rsa, ec_p256 };
  Type type = Type::rsa;
  std::string kid;  // empty when the key has none
  std::string alg;  // empty unless the key restricts itself to one algorithm
  std::shared_ptr<const VerificationKey> key;
};

struct Jwks {
  std::vector<Jwk> keys;
};

// Reads a JWK Set document ({"keys": [...]}). Keys Tillit cannot or must not use for ID token
// signatures are left out: encryption keys (use "enc"), other key types and curves, RSA keys
// under 2048 bits, keys with private members. Fails when the document is malformed or when no
// usable key remains.
Result<Jwks> parse_jwks(std::string_view json);

// A compact JWS split and decoded, its signature not yet checked.
struct Jws {
  JwsAlgorithm alg = JwsAlgorithm::rs256;
  std::string kid;             // empty when the header has none
  std::string signing_input;   // "BASE64URL(header).BASE64URL(payload)", what the signature covers
  std::string signature;       // raw bytes
  nlohmann::json header;
  nlohmann::json payload;      // a JSON object
};

// Maximum length of a compact token Tillit reads (ID tokens are a few kilobytes).
inline constexpr std::size_t kMaxTokenBytes = 64 * 1024;

// Splits and decodes a compact JWS and checks its header: a known, allowed `alg`; no `crit`
// extensions (none is understood, so any must be refused); `typ`, if present, "JWT". Refuses
// JWE (five parts) and unsigned tokens with a message saying so.
Result<Jws> parse_jws(std::string_view compact);

// The keys of `jwks` that may verify `jws`: same kid (when the token names one; with no kid,
// only a set holding a single key of the right type qualifies), key type matching the
// algorithm, and the key's own `alg`, if any, equal to the token's.
std::vector<const Jwk*> candidate_keys(const Jwks& jwks, const Jws& jws);

// True when the signature over jws.signing_input verifies with `key` under jws.alg.
bool verify_signature(const Jws& jws, const Jwk& key);

}  // namespace tillit::federation
