#include "pdf_tools.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "process.h"

namespace tillit::render::testing {
namespace {

class TemporaryFile {
 public:
  explicit TemporaryFile(const std::string& bytes) {
    path_ = "/tmp/tillit-render-test-XXXXXX";
    const int fd = ::mkstemp(path_.data());
    if (fd < 0) throw std::runtime_error("mkstemp failed");
    ::close(fd);
    std::ofstream(path_, std::ios::binary) << bytes;
  }
  ~TemporaryFile() { ::unlink(path_.c_str()); }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

std::optional<std::string> find_tool(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

ToolOutput run_on_pdf(const std::string& tool, const std::vector<std::string>& args, const std::string& pdf,
                      const std::vector<std::string>& extra_args) {
  const TemporaryFile file(pdf);
  std::vector<std::string> argv{find_tool(tool).value_or(tool)};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(file.path());
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  const auto result = tillit::testing::run_command(argv);
  return {result.exit_code, result.out, result.err};
}

std::string pdf_text(const std::string& pdf) {
  const ToolOutput result = run_on_pdf("pdftotext", {"-enc", "UTF-8"}, pdf, {"-"});
  if (result.exit_code != 0) throw std::runtime_error("pdftotext failed: " + result.err);
  return result.out;
}

std::vector<std::string> pdf_pages(const std::string& pdf) {
  std::vector<std::string> pages;
  std::stringstream text(pdf_text(pdf));
  std::string page;
  while (std::getline(text, page, '\f')) pages.push_back(page);
  if (!pages.empty() && pages.back().find_first_not_of(" \n") == std::string::npos) pages.pop_back();
  return pages;
}

std::string pdf_info(const std::string& pdf, const std::string& field, const std::vector<std::string>& args) {
  std::vector<std::string> all_args{"-enc", "UTF-8"};
  all_args.insert(all_args.end(), args.begin(), args.end());
  const ToolOutput result = run_on_pdf("pdfinfo", all_args, pdf);
  if (result.exit_code != 0) throw std::runtime_error("pdfinfo failed: " + result.err);
  std::stringstream lines(result.out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      const auto value = line.find_first_not_of(' ', field.size() + 1);
      return value == std::string::npos ? "" : line.substr(value);
    }
  }
  return "";
}

std::size_t count_of(const std::string& haystack, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + needle.size())) ++count;
  return count;
}

}  // namespace tillit::render::testing
