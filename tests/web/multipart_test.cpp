// The streaming multipart/form-data reader: a browser's upload read part by part, the file
// handed on in bounded pieces however the body arrives, and malformed bodies refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "tillit/web/multipart.h"

namespace tillit::web {
namespace {

// A body that arrives `step` bytes at a time, like a slow client's.
class TrickleBody final : public BodyStream {
 public:
  TrickleBody(std::string bytes, std::size_t step, std::size_t limit = static_cast<std::size_t>(-1))
      : bytes_(std::move(bytes)), step_(step), limit_(limit) {}
  BodyChunk read(char* buffer, std::size_t capacity) override {
    if (offset_ >= limit_ && offset_ < bytes_.size()) return {0, BodyError::too_large};
    const std::size_t n = std::min({capacity, step_, bytes_.size() - offset_});
    std::copy_n(bytes_.data() + offset_, n, buffer);
    offset_ += n;
    return {n, BodyError::none};
  }
  std::size_t limit() const override { return limit_; }
  std::optional<std::size_t> content_length() const override { return bytes_.size(); }

 private:
  std::string bytes_;
  std::size_t step_, limit_, offset_ = 0;
};

const std::string kBoundary = "----TillitBoundary7MA4YWxk";

std::string part(const std::string& headers, const std::string& content) {
  return "--" + kBoundary + "\r\n" + headers + "\r\n\r\n" + content + "\r\n";
}

// The file's content holds what looks like the start of a delimiter, CR LF pairs and a
// boundary without its leading CR LF: none of it may end the part.
const std::string kFile = "%PDF-1.7\r\n--" + kBoundary.substr(0, 10) + "\r\n\r\n-- not the end --" + kBoundary +
                          std::string(70000, 'x') + "åäö\r\n";

std::string form_body() {
  return "preamble to ignore\r\n" + part("Content-Disposition: form-data; name=\"title\"", "Återläsningstest 2026") +
         part("Content-Disposition: form-data; name=\"valid_until\"", "2027-12-31") +
         part("Content-Disposition: form-data; name=\"file\"; filename=\"restore test.pdf\"\r\nContent-Type: application/pdf",
              kFile) +
         "--" + kBoundary + "--\r\nepilogue";
}

struct Read {
  std::vector<MultipartPart> parts;
  std::vector<std::string> contents;
  std::string error;
};

Read read_all(BodyStream& body, std::size_t piece) {
  Read out;
  MultipartReader reader(body, kBoundary);
  for (;;) {
    auto p = reader.next_part();
    if (!p) {
      out.error = p.error().message;
      return out;
    }
    if (!*p) return out;
    out.parts.push_back(**p);
    std::string content;
    std::string buffer(piece, '\0');
    for (;;) {
      auto n = reader.read(buffer.data(), buffer.size());
      if (!n) {
        out.error = n.error().message;
        return out;
      }
      if (*n == 0) break;
      EXPECT_LE(*n, piece);
      content.append(buffer.data(), *n);
    }
    out.contents.push_back(content);
  }
}

TEST(Multipart, BoundaryComesFromTheContentType) {
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=" + kBoundary).value(), kBoundary);
  EXPECT_EQ(multipart_boundary("Multipart/Form-Data;charset=utf-8; boundary=\"a b;c\"").value(), "a b;c");
  EXPECT_FALSE(multipart_boundary("application/json"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'x')));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=\"unterminated"));
}

TEST(Multipart, FieldsAndTheFileArriveWhole) {
  // However the body is cut on the way and however little the reader asks for at a time.
  for (std::size_t step : {1u, 7u, 4096u, 1u << 20}) {
    for (std::size_t piece : {3u, 64u * 1024u}) {
      if (step == 1 && piece > 3) continue;  // enough of the one-byte case
      TrickleBody body(form_body(), step);
      const auto r = read_all(body, piece);
      ASSERT_EQ(r.error, "") << step << "/" << piece;
      ASSERT_EQ(r.parts.size(), 3u);
      EXPECT_EQ(r.parts[0].name, "title");
      EXPECT_FALSE(r.parts[0].is_file);
      EXPECT_EQ(r.contents[0], "Återläsningstest 2026");
      EXPECT_EQ(r.contents[1], "2027-12-31");
      EXPECT_EQ(r.parts[2].name, "file");
      EXPECT_TRUE(r.parts[2].is_file);
      EXPECT_EQ(r.parts[2].filename, "restore test.pdf");
      EXPECT_EQ(r.parts[2].content_type, "application/pdf");
      EXPECT_EQ(r.contents[2], kFile) << step << "/" << piece;
    }
  }
}

TEST(Multipart, SkippedPartsAndTextLimits) {
  TrickleBody body(form_body(), 1000);
  MultipartReader reader(body, kBoundary);
  auto first = reader.next_part();
  ASSERT_TRUE(first && *first);
  EXPECT_FALSE(reader.read_text(5));  // longer than allowed
  TrickleBody again(form_body(), 1000);
  MultipartReader skipping(again, kBoundary);
  ASSERT_TRUE(skipping.next_part().value());
  ASSERT_TRUE(skipping.next_part().value());  // the title is skipped unread
  EXPECT_EQ(skipping.read_text(100).value(), "2027-12-31");
}

TEST(Multipart, MalformedBodiesAreRefused) {
  const std::string file_part =
      part("Content-Disposition: form-data; name=\"file\"; filename=\"a.txt\"", "content");
  const std::pair<std::string, std::string> cases[] = {
      {file_part, "no closing boundary"},                                             // cut off
      {"--" + kBoundary + "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + kBoundary + "--", "Content-Disposition"},
      {"--" + kBoundary + "\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--" + kBoundary + "--",
       "not form-data"},
      {"--" + kBoundary + "\r\nContent-Disposition form-data\r\n\r\nx\r\n--" + kBoundary + "--", "colon"},
      {"--" + kBoundary + "XX\r\n", "CRLF"},
      {"nothing like a form", "no closing boundary"},
  };
  for (const auto& [bytes, why] : cases) {
    TrickleBody body(bytes, 5);
    const auto r = read_all(body, 100);
    EXPECT_NE(r.error.find(why), std::string::npos) << bytes << " -> " << r.error;
  }
  std::string many;
  for (int i = 0; i < 70; ++i) many += part("Content-Disposition: form-data; name=\"f" + std::to_string(i) + "\"", "x");
  many += "--" + kBoundary + "--";
  TrickleBody body(many, 4096);
  EXPECT_NE(read_all(body, 100).error.find("more than 64 parts"), std::string::npos);
}

TEST(Multipart, TheBodysOwnLimitIsReported) {
  TrickleBody body(form_body(), 4096, 20000);
  const auto r = read_all(body, 4096);
  EXPECT_NE(r.error.find("larger than this form allows"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace tillit::web
