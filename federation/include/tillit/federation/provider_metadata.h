// An OpenID Provider's configuration document (OpenID Connect Discovery 1.0,
// ISSUER/.well-known/openid-configuration), reduced to what the code flow needs and checked.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tillit/core/result.h"

namespace tillit::federation {

struct ProviderMetadata {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string jwks_uri;
  std::vector<std::string> token_endpoint_auth_methods;  // empty when the document does not say
  std::vector<std::string> acr_values_supported;         // empty when the document does not say
  bool iss_parameter_supported = false;  // RFC 9207: the provider puts `iss` in its redirect
};

// The discovery URL for an issuer: the issuer without a trailing '/', then the well-known path.
std::string discovery_url(std::string_view issuer);

// Parses and checks the document: `issuer` exactly equal to `expected_issuer` (Discovery §4.3:
// otherwise a provider could impersonate another), the three endpoints present and https, and,
// where the document lists them, the authorization-code response type, PKCE S256 and one of
// RS256/PS256/ES256 for ID tokens offered. Failures are ErrorCode::unavailable with a message
// for the administrator.
Result<ProviderMetadata> parse_provider_metadata(std::string_view json, std::string_view expected_issuer);

// True for an absolute https URL with a host and no fragment, user info or whitespace.
bool is_https_url(std::string_view url);

}  // namespace tillit::federation
