// Unit tests for Router: parameters, specificity, 400/404/405 and the error responder.

#include "tillit/web/router.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <stdexcept>

namespace tillit::web {
namespace {

Handler answer(std::string text) {
  return [text](Request&) { return Response::text(200, text); };
}

Request request_for(std::string method, std::string path) {
  Request request;
  request.method = std::move(method);
  request.path = request.target = std::move(path);
  return request;
}

Response dispatch(const Router& router, std::string method, std::string path) {
  Request request = request_for(std::move(method), std::move(path));
  return router.dispatch(request);
}

TEST(Router, CapturesDecodedParameters) {
  Router router;
  std::map<std::string, std::string> seen;
  router.add("GET", "/api/v1/catalogs/{catalog}/requirements/{id}", [&seen](Request& request) {
    seen = request.params;
    return Response::json(200, "{}");
  });

  Request request = request_for("GET", "/api/v1/catalogs/iso%2027001/requirements/A.5.1");
  request.params["stale"] = "from an earlier dispatch";
  EXPECT_EQ(router.dispatch(request).status, 200);
  EXPECT_EQ(seen, (std::map<std::string, std::string>{{"catalog", "iso 27001"}, {"id", "A.5.1"}}));
}

TEST(Router, EncodedSlashStaysInsideOneParameter) {
  Router router;
  std::string seen;
  router.add("GET", "/files/{name}", [&seen](Request& request) {
    seen = request.params.at("name");
    return Response::json(200, "{}");
  });
  EXPECT_EQ(dispatch(router, "GET", "/files/a%2Fb").status, 200);
  EXPECT_EQ(seen, "a/b");
  EXPECT_EQ(dispatch(router, "GET", "/files/a/b").status, 404);
}

TEST(Router, UnknownPathIsNotFoundJson) {
  Router router;
  router.add("GET", "/risks", answer("risks"));
  for (const char* path : {"/nothing", "/risks/", "/risks/1", "/", "//risks", "/Risks"}) {
    const Response response = dispatch(router, "GET", path);
    EXPECT_EQ(response.status, 404) << path;
    EXPECT_EQ(response.content_type, "application/json");
    EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["code"], "not_found") << path;
  }
}

TEST(Router, EmptySegmentDoesNotMatchParameter) {
  Router router;
  router.add("GET", "/risks/{id}", answer("one"));
  EXPECT_EQ(dispatch(router, "GET", "/risks/").status, 404);
}

TEST(Router, WrongMethodIsMethodNotAllowedWithAllow) {
  Router router;
  router.add("GET", "/risks/{id}", answer("get"));
  router.add("DELETE", "/risks/{id}", answer("delete"));
  router.add("PUT", "/risks/{risk}", answer("put"));
  const Response response = dispatch(router, "POST", "/risks/7");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.header("Allow"), "DELETE, GET, HEAD, PUT");
  EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["code"], "method_not_allowed");
}

TEST(Router, LiteralSegmentBeatsParameterWhateverTheOrder) {
  Router router;
  router.add("GET", "/risks/{id}/history", answer("param"));
  router.add("GET", "/risks/export/history", answer("literal"));
  router.add("GET", "/{section}/export/{what}", answer("late-literal"));
  EXPECT_EQ(dispatch(router, "GET", "/risks/export/history").body, "literal");
  EXPECT_EQ(dispatch(router, "GET", "/risks/7/history").body, "param");
  EXPECT_EQ(dispatch(router, "GET", "/assets/export/csv").body, "late-literal");
}

TEST(Router, MethodFallsThroughToLessSpecificPattern) {
  Router router;
  router.add("POST", "/risks/export", answer("post-export"));
  router.add("GET", "/risks/{id}", answer("get-one"));
  EXPECT_EQ(dispatch(router, "GET", "/risks/export").body, "get-one");
}

TEST(Router, HeadUsesGetRouteUnlessItHasItsOwn) {
  Router router;
  router.add("GET", "/a", answer("get-a"));
  router.add("GET", "/b", answer("get-b"));
  router.add("HEAD", "/b", answer("head-b"));
  EXPECT_EQ(dispatch(router, "HEAD", "/a").body, "get-a");
  EXPECT_EQ(dispatch(router, "HEAD", "/b").body, "head-b");
}

TEST(Router, RootPattern) {
  Router router;
  router.add("GET", "/", answer("root"));
  EXPECT_EQ(dispatch(router, "GET", "/").body, "root");
  EXPECT_EQ(dispatch(router, "GET", "/x").status, 404);
}

TEST(Router, BadEscapeInPathIsBadRequest) {
  Router router;
  router.add("GET", "/files/{name}", answer("file"));
  const Response response = dispatch(router, "GET", "/files/%zz");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["code"], "bad_request");
}

TEST(Router, CustomErrorResponderBuildsErrors) {
  Router router;
  router.add("GET", "/risks", answer("risks"));
  router.set_error_responder([](const Request&, int status, std::string_view code, std::string_view message) {
    return Response::html(status, "<p>" + std::string(code) + ": " + std::string(message));
  });
  const Response missing = dispatch(router, "GET", "/missing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(missing.body, "<p>not_found: resource not found");

  const Response wrong_method = dispatch(router, "DELETE", "/risks");
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.header("Allow"), "GET, HEAD");
  EXPECT_EQ(wrong_method.body, "<p>method_not_allowed: method not allowed");
}

TEST(Router, HandlerExceptionsPropagate) {
  Router router;
  router.add("GET", "/boom", [](Request&) -> Response { throw std::runtime_error("boom"); });
  EXPECT_THROW(dispatch(router, "GET", "/boom"), std::runtime_error);
}

TEST(Router, RejectsMalformedPatterns) {
  Router router;
  for (const char* pattern : {"", "risks", "/risks/", "/a//b", "/{}", "/{a-b}", "/x{id}",
                              "/{id}x", "/{id}/{id}", "/a}"}) {
    EXPECT_THROW(router.add("GET", pattern, answer("x")), std::invalid_argument) << pattern;
  }
  EXPECT_THROW(router.add("", "/a", answer("x")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/a", Handler()), std::invalid_argument);
  EXPECT_TRUE(router.routes().empty());
}

TEST(Router, RejectsClashingRoutes) {
  Router router;
  router.add("GET", "/risks/{id}", answer("x"));
  EXPECT_THROW(router.add("GET", "/risks/{id}", answer("y")), std::invalid_argument);
  EXPECT_THROW(router.add("GET", "/risks/{risk}", answer("y")), std::invalid_argument);
  EXPECT_NO_THROW(router.add("PUT", "/risks/{id}", answer("y")));
  EXPECT_NO_THROW(router.add("GET", "/risks/export", answer("y")));
}

TEST(Router, RoutesListsRegistrationOrder) {
  Router router;
  router.add("GET", "/api/v1/risks", answer("x"));
  router.add("POST", "/api/v1/risks", answer("x"));
  router.add("GET", "/api/v1/risks/{id}", answer("x"));
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"GET", "/api/v1/risks"}, {"POST", "/api/v1/risks"}, {"GET", "/api/v1/risks/{id}"}};
  EXPECT_EQ(router.routes(), expected);
}

}  // namespace
}  // namespace tillit::web
