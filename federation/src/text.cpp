#include "text.h"

namespace tillit::federation {

std::string percent_encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (const unsigned char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0x0f];
    }
  }
  return out;
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += percent_encode(name) + '=' + percent_encode(value);
  }
  return out;
}

std::string in_quotes(std::string_view text) {
  constexpr std::size_t limit = 120;
  std::string out = "\"";
  for (const unsigned char c : text.substr(0, limit)) out += (c < 0x20 || c == 0x7f || c == '"') ? '?' : static_cast<char>(c);
  out += text.size() > limit ? "...\"" : "\"";
  return out;
}

std::string acr_advice(std::string_view required_acr) {
  constexpr std::string_view prefix = "http://id.elegnamnden.se/loa/1.0/loa";
  if (required_acr.size() == prefix.size() + 1 && required_acr.substr(0, prefix.size()) == prefix)
    return std::string("sign in with an eID at LoA") + required_acr.back();
  return "sign in with a method the identity provider certifies at that level";
}

}  // namespace tillit::federation
