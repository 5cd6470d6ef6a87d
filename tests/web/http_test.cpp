// Unit tests for the request/response helpers and URL decoding.

#include "tillit/web/http.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace tillit::web {
namespace {

TEST(PercentDecode, DecodesEscapesAndOptionallyPlus) {
  EXPECT_EQ(percent_decode("a%20b%2Fc", false), "a b/c");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("%e2%82%AC", false), "\xe2\x82\xac");
}

TEST(PercentDecode, RejectsTruncatedOrNonHexEscapes) {
  EXPECT_EQ(percent_decode("%", false), std::nullopt);
  EXPECT_EQ(percent_decode("abc%4", false), std::nullopt);
  EXPECT_EQ(percent_decode("%zz", false), std::nullopt);
}

TEST(ParseUrlencoded, SplitsPairsAndKeepsFirstOfRepeatedNames) {
  const auto fields = parse_urlencoded("owner=ana+lima&flag&&x=1%262&owner=other");
  ASSERT_TRUE(fields.has_value());
  EXPECT_EQ(fields->size(), 3u);
  EXPECT_EQ(fields->at("owner"), "ana lima");
  EXPECT_EQ(fields->at("flag"), "");
  EXPECT_EQ(fields->at("x"), "1&2");
}

TEST(ParseUrlencoded, RejectsBadEscape) {
  EXPECT_EQ(parse_urlencoded("a=%G1"), std::nullopt);
  EXPECT_TRUE(parse_urlencoded("")->empty());
}

TEST(Headers, LookupIgnoresCaseAndKeepsRepeats) {
  Headers headers;
  headers.add("Content-Type", "text/plain");
  headers.add("X-Tag", "one");
  headers.add("x-tag", "two");
  EXPECT_EQ(headers.get("content-type"), "text/plain");
  EXPECT_EQ(headers.get("X-TAG"), "one");
  EXPECT_EQ(headers.get_all("x-Tag"), (std::vector<std::string>{"one", "two"}));
  EXPECT_FALSE(headers.contains("Accept"));
  EXPECT_EQ(headers.get("Accept"), std::nullopt);

  Request request;
  request.headers = headers;
  EXPECT_EQ(request.header("CONTENT-TYPE"), "text/plain");
}

TEST(JsonError, ProducesEscapedErrorObject) {
  const Response response = json_error(404, "not_found", "say \"hi\"\\\n");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/json");
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["error"]["code"], "not_found");
  EXPECT_EQ(body["error"]["message"], "say \"hi\"\\\n");
  EXPECT_EQ(json_error(400, "a", "b").body, R"({"error":{"code":"a","message":"b"}})");
}

TEST(ResponseHelpers, SetStatusTypeAndHeaders) {
  EXPECT_EQ(Response::json(201, "{}").content_type, "application/json");
  EXPECT_EQ(Response::html(200, "<p>").content_type, "text/html; charset=utf-8");
  EXPECT_EQ(Response::text(200, "x").content_type, "text/plain; charset=utf-8");

  const Response redirect = Response::redirect("/login");
  EXPECT_EQ(redirect.status, 303);
  EXPECT_EQ(redirect.header("location"), "/login");
  EXPECT_TRUE(redirect.body.empty());
  EXPECT_EQ(Response::redirect("/x", 308).status, 308);
}

}  // namespace
}  // namespace tillit::web
