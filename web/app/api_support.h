// What every JSON API handler file shares: serialising, the error shape, reading a JSON
// object body and its string members, and reading query and path parameters.
#pragma once

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "tillit/core/result.h"
#include "tillit/services/identity_reports.h"
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

// A query parameter, or `fallback` when the request has none.
inline std::string query(const Request& r, const char* name, const char* fallback = "") {
  const auto it = r.query.find(name);
  return it == r.query.end() ? std::string(fallback) : it->second;
}

// The items of a comma-separated parameter ("open,in_progress"), empty ones dropped.
inline std::vector<std::string> list_of(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

// A whole number from 1 to `max`; `fallback` when `text` is empty. `name` says what it is in
// the error ("page", "the finding id").
inline Result<std::int64_t> whole_number(const std::string& text, const std::string& name, std::int64_t fallback,
                                         std::int64_t max) {
  if (text.empty()) return fallback;
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v < 1 || v > max)
    return make_error(ErrorCode::invalid_argument, name + " must be a whole number from 1 to " + std::to_string(max));
  return v;
}

// A record id in the path (parameter `param`, "id" by default).
inline Result<std::int64_t> path_id(const Request& r, const std::string& what, const char* param = "id") {
  const auto& text = r.params.at(param);
  if (text.empty()) return make_error(ErrorCode::invalid_argument, what + " must be a positive whole number");
  return whole_number(text, what, 0, INT64_MAX);
}

// A yes/no query parameter: "true", "false" or absent (false).
inline Result<bool> true_or_false(const Request& r, const char* name) {
  const std::string v = query(r, name);
  if (v.empty() || v == "false") return false;
  if (v == "true") return true;
  return make_error(ErrorCode::invalid_argument, std::string(name) + " must be true or false");
}

// One page of a list, with the paging facts every list answer carries.
inline json page_json(json items, std::int64_t page, std::int64_t per_page, std::int64_t total) {
  return {{"items", std::move(items)}, {"page", page}, {"per_page", per_page}, {"total", total}};
}

// A report as a download; the file name is ours (ASCII), never taken from the request.
inline Response download(const services::ReportFile& f) {
  Response res;
  res.status = 200;
  res.content_type = f.content_type;
  res.body = f.content;
  res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + f.filename + "\"");
  if (!f.csv_sha256.empty()) res.headers.emplace_back("X-Tillit-CSV-SHA256", f.csv_sha256);
  return res;
}

}  // namespace tillit::web::api
