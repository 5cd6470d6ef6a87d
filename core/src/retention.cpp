#include "tillit/core/retention.h"

#include <algorithm>

namespace tillit {

std::vector<std::string> past_retention(std::vector<DatedItem> items, Timestamp now, std::chrono::days keep_for,
                                        unsigned keep_at_least) {
  std::sort(items.begin(), items.end(), [](const DatedItem& a, const DatedItem& b) {
    return a.at != b.at ? a.at > b.at : a.name > b.name;  // newest first
  });
  std::vector<std::string> removed;
  for (std::size_t i = keep_at_least; i < items.size(); ++i)
    if (now - items[i].at > keep_for) removed.push_back(items[i].name);
  std::reverse(removed.begin(), removed.end());
  return removed;
}

}  // namespace tillit
