#include "tillit/federation/provider_metadata.h"

#include <algorithm>

#include "text.h"
#include "tillit/federation/jose.h"

namespace tillit::federation {
namespace {

Error misconfigured(std::string message) { return make_error(ErrorCode::unavailable, std::move(message)); }

// A list member as strings; a member of another type counts as absent (the checks then do not
// apply), which is how lenient providers are best met.
std::vector<std::string> strings(const nlohmann::json& doc, const char* name) {
  std::vector<std::string> out;
  const auto it = doc.find(name);
  if (it == doc.end() || !it->is_array()) return out;
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

bool has(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

bool is_https_url(std::string_view url) {
  constexpr std::string_view scheme = "https://";
  if (url.size() <= scheme.size() || url.size() > 2048 || url.substr(0, scheme.size()) != scheme) return false;
  for (const unsigned char c : url)
    if (c <= 0x20 || c >= 0x7f || c == '#' || c == '\\') return false;
  const auto authority = url.substr(scheme.size(), url.find_first_of("/?", scheme.size()) - scheme.size());
  return !authority.empty() && authority.find('@') == std::string_view::npos && authority.front() != ':';
}

std::string discovery_url(std::string_view issuer) {
  std::string base(issuer);
  if (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/.well-known/openid-configuration";
}

Result<ProviderMetadata> parse_provider_metadata(std::string_view json, std::string_view expected_issuer) {
  const std::string where = "the identity provider's configuration (" + discovery_url(expected_issuer) + ")";
  auto parsed = parse_json_object(json, where, 512 * 1024);
  if (!parsed) return misconfigured(parsed.error().message + "; check the configured issuer URL");
  const auto& doc = *parsed;

  ProviderMetadata m;
  const auto text = [&](const char* name) -> std::string {
    const auto it = doc.find(name);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  m.issuer = text("issuer");
  if (m.issuer != expected_issuer)
    return misconfigured(where + " names the issuer " + in_quotes(m.issuer) + ", not the configured " +
                         in_quotes(expected_issuer) + "; set Tillit's issuer to exactly the provider's issuer");
  for (auto [name, field] : {std::pair{"authorization_endpoint", &m.authorization_endpoint},
                             std::pair{"token_endpoint", &m.token_endpoint}, std::pair{"jwks_uri", &m.jwks_uri}}) {
    *field = text(name);
    if (!is_https_url(*field))
      return misconfigured(where + " has no https " + name + " (it has " + in_quotes(*field) +
                           "); Tillit talks to identity providers over https only");
  }

  const auto response_types = strings(doc, "response_types_supported");
  if (!response_types.empty() && !has(response_types, "code"))
    return misconfigured(where + " does not offer the authorization-code flow (response type \"code\"), "
                         "the only one Tillit uses");
  const auto pkce = strings(doc, "code_challenge_methods_supported");
  if (!pkce.empty() && !has(pkce, "S256"))
    return misconfigured(where + " does not offer PKCE with S256, which Tillit requires; enable it at the provider");
  const auto algs = strings(doc, "id_token_signing_alg_values_supported");
  if (!algs.empty() && !has(algs, "RS256") && !has(algs, "PS256") && !has(algs, "ES256"))
    return misconfigured(where + " signs ID tokens with none of RS256, PS256, ES256, the algorithms Tillit accepts");

  m.token_endpoint_auth_methods = strings(doc, "token_endpoint_auth_methods_supported");
  m.acr_values_supported = strings(doc, "acr_values_supported");
  const auto iss_param = doc.find("authorization_response_iss_parameter_supported");
  m.iss_parameter_supported = iss_param != doc.end() && iss_param->is_boolean() && iss_param->get<bool>();
  return m;
}

}  // namespace tillit::federation
