// Rendering the HTML pages: the UI strings in Swedish and English, the layout around each
// page, and the error page. Templates are mustache files compiled into the binary; every value
// is HTML-escaped by the engine; no inline script or style, so the strict CSP holds.
#pragma once

#include <kainjow/mustache.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "identity.h"
#include "tillit/web/http.h"

namespace tillit::web {

namespace embedded {
std::optional<std::string_view> find(std::string_view name);
}

using kainjow::mustache::data;
using kainjow::mustache::list;

const std::map<std::string, std::pair<const char*, const char*>>& ui_strings();

std::string language_of(const Request& r);
std::string t(const Request& r, const std::string& key);
std::string percent_encode_segment(std::string_view s);
data flag(bool value);

// Renders `page` (a template name without .mustache) with `view` into the layout. With an
// identity the layout shows who is signed in, the menu their roles may use and a sign-out
// button carrying the CSRF token.
Response render(const Request& r, const Identity* who, int status, std::string_view page, data view,
                const std::string& title, std::string_view nav);
// With `who`, the signed-in person's menu and sign-out stay in the header.
Response error_page(const Request& r, int status, std::string_view message, const Identity* who = nullptr);

}  // namespace tillit::web
