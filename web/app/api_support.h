// What every JSON API handler file shares: serialising, the error shape, and reading a JSON
// object body and its string members.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "tillit/core/result.h"
#include "tillit/web/app.h"
#include "tillit/web/http.h"

namespace tillit::web::api {

using nlohmann::json;

// Invalid UTF-8 in stored text is replaced rather than throwing in the middle of a response.
inline std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }
inline Response error_json(const Error& e) { return json_error(http_status(e.code), to_string(e.code), e.message); }
inline Response ok(const json& j, int status = 200) { return Response::json(status, dump(j)); }

// The body as a JSON object; an empty body is an empty object.
inline Result<json> body_of(const Request& r) {
  auto j = json::parse(r.body.empty() ? "{}" : r.body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return make_error(ErrorCode::invalid_argument, "the request body must be a JSON object");
  return j;
}

// A string member, or "" when absent or null; an error when present with another type.
inline Result<std::string> text(const json& body, const char* name) {
  if (!body.contains(name) || body[name].is_null()) return std::string();
  if (!body[name].is_string()) return make_error(ErrorCode::invalid_argument, std::string("'") + name + "' must be a string");
  return body[name].get<std::string>();
}

}  // namespace tillit::web::api
