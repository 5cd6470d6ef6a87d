// Request/Response helpers and URL decoding. No Boost: cheap to compile and to test.

#include "tillit/web/http.h"

#include <algorithm>

namespace tillit::web {
namespace {

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20) {
      out += "\\u00";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
}

Response with_content(int status, std::string content_type, std::string body) {
  Response response;
  response.status = status;
  response.content_type = std::move(content_type);
  response.body = std::move(body);
  return response;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

void Headers::add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string> Headers::get(std::string_view name) const {
  for (const auto& [field_name, value] : fields_) {
    if (iequals(field_name, name)) return value;
  }
  return std::nullopt;
}

std::vector<std::string> Headers::get_all(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [field_name, value] : fields_) {
    if (iequals(field_name, name)) values.push_back(value);
  }
  return values;
}

bool Headers::contains(std::string_view name) const { return get(name).has_value(); }

Response Response::json(int status, std::string body) {
  return with_content(status, "application/json", std::move(body));
}

Response Response::html(int status, std::string body) {
  return with_content(status, "text/html; charset=utf-8", std::move(body));
}

Response Response::text(int status, std::string body) {
  return with_content(status, "text/plain; charset=utf-8", std::move(body));
}

Response Response::redirect(std::string location, int status) {
  Response response = with_content(status, "", "");
  response.headers.emplace_back("Location", std::move(location));
  return response;
}

std::optional<std::string> Response::header(std::string_view name) const {
  for (const auto& [field_name, value] : headers) {
    if (iequals(field_name, name)) return value;
  }
  return std::nullopt;
}

Response json_error(int status, std::string_view code, std::string_view message) {
  std::string body = R"({"error":{"code":)";
  append_json_string(body, code);
  body += R"(,"message":)";
  append_json_string(body, message);
  body += "}}";
  return Response::json(status, std::move(body));
}

BodyChunk MemoryBodyStream::read(char* buffer, std::size_t capacity) {
  const std::size_t size = std::min(capacity, bytes_.size() - offset_);
  if (size > 0 && offset_ + size > limit_) return {0, BodyError::too_large};
  std::copy_n(bytes_.data() + offset_, size, buffer);
  offset_ += size;
  return {size, BodyError::none};
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      decoded += static_cast<char>(high * 16 + low);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      decoded += ' ';
    } else {
      decoded += c;
    }
  }
  return decoded;
}

std::optional<std::map<std::string, std::string>> parse_urlencoded(std::string_view text) {
  std::map<std::string, std::string> fields;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('&'), text.size());
    const std::string_view pair = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    if (pair.empty()) continue;
    const std::size_t equals = std::min(pair.find('='), pair.size());
    auto name = percent_decode(pair.substr(0, equals), true);
    auto value = percent_decode(pair.substr(std::min(equals + 1, pair.size())), true);
    if (!name || !value) return std::nullopt;
    fields.emplace(std::move(*name), std::move(*value));
  }
  return fields;
}

std::optional<std::string> cookie_value(const Headers& headers, std::string_view name) {
  for (const auto& header : headers.get_all("Cookie")) {
    std::string_view rest = header;
    while (!rest.empty()) {
      const auto semi = rest.find(';');
      std::string_view pair = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      const auto eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
    }
  }
  return std::nullopt;
}

}  // namespace tillit::web
