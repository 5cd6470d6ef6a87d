// libharu's errors reach the caller as values, and the document stays usable for nothing
// else once one happened.
#include <gtest/gtest.h>

#include "haru_document.h"

using namespace tillit;
using namespace tillit::render::detail;

TEST(HaruDocumentTest, BrokenFontIsAnErrorNotACrash) {
  HaruDocument document;
  auto font = document.load_font("this is not a TrueType font", "Broken Sans");
  ASSERT_FALSE(font.ok());
  EXPECT_EQ(font.error().code, ErrorCode::internal);
  EXPECT_NE(font.error().message.find("libharu failed with error 0x"), std::string::npos) << font.error().message;
  EXPECT_NE(font.error().message.find("loading the font Broken Sans"), std::string::npos) << font.error().message;

  // The first error sticks: nothing is written after it, and saving reports the same error.
  auto saved = document.save();
  ASSERT_FALSE(saved.ok());
  const std::string& message = font.error().message;
  const std::string code = message.substr(0, message.find(" (detail"));  // "libharu failed with error 0x...."
  EXPECT_EQ(saved.error().message.rfind(code, 0), 0u) << saved.error().message;
  EXPECT_NE(saved.error().message.find("while writing the PDF"), std::string::npos) << saved.error().message;
}

TEST(HaruDocumentTest, EmptyDocumentSaves) {
  HaruDocument document;
  HPDF_AddPage(document.handle());
  auto saved = document.save();
  ASSERT_TRUE(saved.ok()) << saved.error().message;
  EXPECT_EQ(saved->substr(0, 5), "%PDF-");
}
