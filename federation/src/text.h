// Small text helpers of the federation library: URL encoding for requests to the identity
// provider, and making provider-supplied text safe to put in a message.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tillit::federation {

// Percent-encodes everything but RFC 3986's unreserved characters.
std::string percent_encode(std::string_view text);

// application/x-www-form-urlencoded, also used for query strings: name=value pairs joined by
// '&', both percent-encoded.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

// Text from the identity provider (or a token) for an error message: in double quotes, control
// characters replaced, cut at 120 bytes, so that a hostile value cannot forge log lines or
// flood a page.
std::string in_quotes(std::string_view text);

// What a user should do to reach `required_acr`: "sign in with an eID at LoA3" for the Swedish
// levels, a general sentence for others.
std::string acr_advice(std::string_view required_acr);

}  // namespace tillit::federation
