// Reading a rendered PDF back with poppler's command-line tools (poppler-utils), which is
// how the tests see what a reader of the report sees.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tillit::render::testing {

// The tool's full path when it is on PATH.
std::optional<std::string> find_tool(const std::string& name);

struct ToolOutput {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Writes `pdf` to a temporary file and runs `tool args... FILE extra_args...` on it.
ToolOutput run_on_pdf(const std::string& tool, const std::vector<std::string>& args, const std::string& pdf,
                      const std::vector<std::string>& extra_args = {});

// pdftotext's text of the whole document ('\f' between pages).
std::string pdf_text(const std::string& pdf);
// pdftotext's text, one entry per page.
std::vector<std::string> pdf_pages(const std::string& pdf);
// The value of `field` ("Pages", "Title", ...) in the output of pdfinfo `args`.
std::string pdf_info(const std::string& pdf, const std::string& field, const std::vector<std::string>& args = {});

// How many times `needle` occurs in `haystack`.
std::size_t count_of(const std::string& haystack, const std::string& needle);

}  // namespace tillit::render::testing

// Skips the current test when a poppler tool is missing.
#define TILLIT_REQUIRE_PDF_TOOL(name)                                                                     \
  do {                                                                                                     \
    if (!::tillit::render::testing::find_tool(name))                                                       \
      GTEST_SKIP() << name << " not found on PATH: install poppler-utils (scripts/setup.sh) to check the " \
                   << "PDF as a reader sees it";                                                           \
  } while (false)
