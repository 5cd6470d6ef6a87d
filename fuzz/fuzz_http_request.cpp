// Fuzzes what the web layer itself makes of a request's text (Boost.Beast parses the HTTP
// framing): the query string and form decoding (parse_urlencoded, percent_decode) and the
// router's path matching with its parameter decoding (and its answer to which routes stream
// their bodies), and the Cookie header parsing that finds the session cookie.
//
// Input: a request target ("/path?query"), as a client could send it.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "tillit/web/http.h"
#include "tillit/web/router.h"

namespace {

const tillit::web::Router& router() {
  static const tillit::web::Router r = [] {
    tillit::web::Router built;
    auto echo = [](tillit::web::Request& req) {
      std::string body;
      for (const auto& [k, v] : req.params) body += k + "=" + v + "\n";
      return tillit::web::Response::text(200, body);
    };
    built.add("GET", "/", echo);
    built.add("GET", "/catalog/{catalog}", echo);
    built.add("GET", "/catalog/{catalog}/{id}", echo);
    built.add("GET", "/api/v1/catalogs/{catalog}/requirements/{id}", echo);
    built.add("POST", "/api/v1/catalogs", echo);
    built.add("POST", "/api/v1/imports", echo, tillit::web::StreamedBody{512});
    return built;
  }();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view target = tillit::fuzz::as_text(data, size);
  const auto question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);

  // Decoding never grows the text, and plain text decodes to itself.
  if (auto decoded = tillit::web::percent_decode(query, true)) {
    FUZZ_CHECK_MSG(decoded->size() <= query.size(), tillit::fuzz::show(query));
    if (query.find_first_of("%+") == std::string_view::npos) FUZZ_CHECK_MSG(*decoded == query, tillit::fuzz::show(query));
  }
  if (auto fields = tillit::web::parse_urlencoded(query)) {
    for (const auto& [name, value] : *fields) FUZZ_CHECK_MSG(name.size() + value.size() <= query.size(), tillit::fuzz::show(query));
  }

  // The whole input as a Cookie header: a value found is a piece of it between separators.
  tillit::web::Headers cookies;
  cookies.add("Cookie", std::string(target));
  for (const char* name : {"__Host-tillit-session", "a", ""}) {
    if (auto value = tillit::web::cookie_value(cookies, name)) {
      FUZZ_CHECK_MSG(value->find(';') == std::string::npos, tillit::fuzz::show(target));
      FUZZ_CHECK_MSG(target.find(*value) != std::string_view::npos, tillit::fuzz::show(target));
    }
  }

  tillit::web::Request request;
  request.method = size % 2 ? "GET" : "POST";
  request.target = std::string(target);
  request.path = std::string(path);
  // What the server asks before reading a body must agree with where dispatch then goes.
  const auto streamed_limit = router().streamed_body_limit(request);
  const auto response = router().dispatch(request);
  if (streamed_limit) FUZZ_CHECK_MSG(*streamed_limit == 512 && response.status == 200, tillit::fuzz::show(target));
  FUZZ_CHECK_MSG(response.status == 200 || response.status == 400 || response.status == 404 || response.status == 405,
             std::to_string(response.status));
  // A matched route's parameters are whole decoded segments: never a '/' of the path itself
  // unless it was sent encoded.
  if (response.status == 200 && path.find("%2") == std::string_view::npos && path.find("%2f") == std::string_view::npos)
    for (const auto& [name, value] : request.params) FUZZ_CHECK_MSG(value.find('/') == std::string::npos, tillit::fuzz::show(path));
  return 0;
}
