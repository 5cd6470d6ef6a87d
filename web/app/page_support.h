// Small helpers shared by the administration and account pages: form fields, times, the
// words for roles, statuses and permissions, and the one-line notices shown after a change.
// Presentation only; what may be done is decided in services/.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "tillit/services/actor.h"
#include "tillit/web/app.h"
#include "view.h"

namespace tillit::web::pages {

inline std::string field(const std::map<std::string, std::string>& form, const std::string& name) {
  const auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

inline bool checked(const std::map<std::string, std::string>& form, const std::string& name) {
  return form.count(name) != 0;
}

// "2026-11-23 14:01 UTC", or "never" for an empty time.
inline std::string when(const Request& r, const std::string& at) {
  if (at.size() < 16) return at.empty() ? t(r, "never") : at;
  return at.substr(0, 10) + " " + at.substr(11, 5) + " UTC";
}

// The UI word for a value, e.g. word(r, "role_", "auditor"); the value itself when none exists.
inline std::string word(const Request& r, const std::string& prefix, const std::string& value) {
  const auto& all = ui_strings();
  const auto it = all.find(prefix + value);
  if (it == all.end()) return value;
  return language_of(r) == "en" ? it->second.second : it->second.first;
}

inline std::string joined_words(const Request& r, const std::string& prefix, const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + word(r, prefix, v);
  return out.empty() ? t(r, "none_word") : out;
}

// A UI string with "{id}" replaced.
inline std::string with_id(const Request& r, const std::string& key, std::int64_t id) {
  std::string text = t(r, key);
  if (const auto at = text.find("{id}"); at != std::string::npos) text.replace(at, 4, "#" + std::to_string(id));
  return text;
}

// A positive whole number from a query parameter, form field or path segment; 0 otherwise.
inline std::int64_t positive_number(const std::string& s) {
  if (s.empty() || s.size() > 18) return 0;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + (c - '0');
  }
  return v;
}

inline std::string query_of(const Request& r, const std::string& name) {
  const auto it = r.query.find(name);
  return it == r.query.end() ? std::string() : it->second;
}

// Sets "has_notice"/"notice" from ?done=KEY (a fixed word from `keys`, looked up as "done_KEY")
// and ?request=N (a four-eyes request was opened).
inline void notice_from_query(const Request& r, data& view, std::initializer_list<const char*> keys) {
  std::string notice;
  const std::string done = query_of(r, "done");
  const std::int64_t request = positive_number(query_of(r, "request"));
  for (const char* k : keys)
    if (done == k) notice = request ? with_id(r, std::string("done_") + k, request) : t(r, std::string("done_") + k);
  if (notice.empty() && request && done.empty()) notice = with_id(r, "request_opened", request);
  view.set("has_notice", flag(!notice.empty()));
  view.set("notice", notice);
  view.set("notice_is_request", flag(request && done.empty()));
}

inline Response redirect_to(const Request& r, const std::string& path, const std::string& query = {}) {
  return Response::redirect(path + "?lang=" + language_of(r) + query);
}

// The error page for a refused request, with the signed-in person's menu still in the header.
inline Response refused(const Request& r, const Identity& who, const Error& e) {
  return error_page(r, http_status(e.code), e.message, &who);
}

// The administration pages' second-level menu ({{>admin_subnav}}) with the `current` entry
// marked: aria-current="page" on that very page, "true" on a page below it.
inline void admin_subnav(data& view, const char* current, bool on_that_page = true) {
  view.set("admin_subnav", kainjow::mustache::partial([] {
    return std::string(embedded::find("admin_subnav.mustache").value_or(""));
  }));
  view.set(std::string("subnav_") + current, on_that_page ? "page" : "true");
}

}  // namespace tillit::web::pages
