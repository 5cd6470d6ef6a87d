#include "haru_document.h"

#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "pdf_doc_encoding.h"
#include "to_unicode_cmap.h"

namespace tillit::render::detail {
namespace {

// libharu 2.3.0 loads TrueType fonts only from a file name. The font bytes live in the
// binary, so they go into an anonymous in-memory file (memfd) that libharu opens by its
// /proc path: nothing touches the disk and nothing is left behind. libharu keeps its own
// handle open until the document is freed, so ours can be closed at once.
class MemoryFile {
 public:
  explicit MemoryFile(std::string_view bytes) : fd_(::memfd_create("tillit-font", MFD_CLOEXEC)) {
    std::size_t written = 0;
    while (fd_ >= 0 && written < bytes.size()) {
      const ssize_t n = ::write(fd_, bytes.data() + written, bytes.size() - written);
      if (n <= 0) {
        ::close(fd_);
        fd_ = -1;
        break;
      }
      written += static_cast<std::size_t>(n);
    }
  }
  ~MemoryFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;

  bool ok() const { return fd_ >= 0; }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  int fd_;
};

HPDF_Date pdf_date(Timestamp t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{floor<seconds>(t - day)};
  HPDF_Date date{};
  date.year = static_cast<int>(ymd.year());
  date.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  date.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  date.hour = static_cast<int>(hms.hours().count());
  date.minutes = static_cast<int>(hms.minutes().count());
  date.seconds = static_cast<int>(hms.seconds().count());
  date.ind = 'Z';  // UTC, like every timestamp Tillit stores
  return date;
}

std::string hex(HPDF_STATUS value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%04lX", static_cast<unsigned long>(value));
  return buf;
}

}  // namespace

HaruDocument::HaruDocument() {
  doc_ = HPDF_New(&HaruDocument::on_error, this);
  if (doc_ == nullptr) return;
  HPDF_SetCompressionMode(doc_, HPDF_COMP_ALL);
  HPDF_UseUTFEncodings(doc_);
}

HaruDocument::~HaruDocument() {
  if (doc_ != nullptr) HPDF_Free(doc_);
}

void HPDF_STDCALL HaruDocument::on_error(HPDF_STATUS error, HPDF_STATUS detail, void* self) {
  auto* document = static_cast<HaruDocument*>(self);
  if (document->error_ != HPDF_OK) return;  // the first error is the cause; later ones follow from it
  document->error_ = error;
  document->detail_ = detail;
}

Status HaruDocument::status(std::string_view stage) const {
  if (doc_ == nullptr)
    return make_error(ErrorCode::unavailable,
                      "could not start a PDF document (out of memory); retry when the server has memory to spare");
  if (error_ == HPDF_OK) return {};
  if (error_ == HPDF_FAILD_TO_ALLOC_MEM)
    return make_error(ErrorCode::unavailable, "ran out of memory while " + std::string(stage) +
                                                  "; retry later, or narrow the report's period to make it smaller");
  return make_error(ErrorCode::internal, "libharu failed with error " + hex(error_) + " (detail " +
                                             std::to_string(detail_) + ") while " + std::string(stage) +
                                             "; this is a defect in Tillit's PDF writer: report it with the "
                                             "report's id");
}

Result<HPDF_Font> HaruDocument::load_font(std::string_view truetype_bytes, std::string_view font_name) {
  const std::string stage = "loading the font " + std::string(font_name);
  if (failed()) return status(stage).error();
  MemoryFile file(truetype_bytes);
  if (!file.ok())
    return make_error(ErrorCode::unavailable, "could not create an in-memory file for the font " +
                                                  std::string(font_name) + "; check the process's file descriptor limit");
  const char* loaded_name = HPDF_LoadTTFontFromFile(doc_, file.path().c_str(), HPDF_TRUE);
  if (loaded_name == nullptr) {
    if (error_ == HPDF_FILE_OPEN_ERROR)
      return make_error(ErrorCode::unavailable, "could not open the in-memory font file through /proc/self/fd; the "
                                                "PDF writer needs /proc mounted");
    return status(stage).error();
  }
  HPDF_Font font = HPDF_GetFont(doc_, loaded_name, "UTF-8");
  if (font == nullptr || failed()) return status(stage).error();
  if (auto repaired = repair_to_unicode_cmap(font); !repaired) return repaired.error();
  return font;
}

Status HaruDocument::set_info(std::string_view title, std::string_view subject, Timestamp created) {
  if (failed()) return status("setting the document information");
  const std::string pdf_title = to_pdf_doc_encoding(title);
  const std::string pdf_subject = to_pdf_doc_encoding(subject);
  HPDF_SetInfoAttr(doc_, HPDF_INFO_TITLE, pdf_title.c_str());
  if (!pdf_subject.empty()) HPDF_SetInfoAttr(doc_, HPDF_INFO_SUBJECT, pdf_subject.c_str());
  HPDF_SetInfoAttr(doc_, HPDF_INFO_AUTHOR, "Tillit");
  HPDF_SetInfoAttr(doc_, HPDF_INFO_CREATOR, "Tillit");
  HPDF_SetInfoDateAttr(doc_, HPDF_INFO_CREATION_DATE, pdf_date(created));
  HPDF_SetInfoDateAttr(doc_, HPDF_INFO_MOD_DATE, pdf_date(created));
  return status("setting the document information");
}

Result<std::string> HaruDocument::save() {
  if (failed()) return status("writing the PDF").error();
  if (HPDF_SaveToStream(doc_) != HPDF_OK) return status("writing the PDF").error();
  HPDF_UINT32 size = HPDF_GetStreamSize(doc_);
  std::string bytes(size, '\0');
  HPDF_UINT32 read = size;
  const HPDF_STATUS result = HPDF_ReadFromStream(doc_, reinterpret_cast<HPDF_BYTE*>(bytes.data()), &read);
  if ((result != HPDF_OK && result != HPDF_STREAM_EOF) || read != size) {
    if (auto s = status("reading the finished PDF"); !s) return s.error();
    return make_error(ErrorCode::internal, "libharu returned " + std::to_string(read) + " of " + std::to_string(size) +
                                               " PDF bytes; this is a defect in Tillit's PDF writer");
  }
  return bytes;
}

}  // namespace tillit::render::detail
