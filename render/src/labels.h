// The fixed strings the writers add to a report, in Swedish and English.
#pragma once

#include <string>

#include "tillit/render/document.h"

namespace tillit::render::detail {

struct Labels {
  const char* organisation;
  const char* period;
  const char* generated_at;
  const char* generated_by;
  const char* report_id;
  const char* data_sha256;
  const char* page_of;  // "Page {n} of {m}" with the numbers in order
};

const Labels& labels_for(Language language);

// "Page 3 of 12" / "Sida 3 av 12".
std::string page_number_text(const Labels& labels, int page, int page_count);

}  // namespace tillit::render::detail
