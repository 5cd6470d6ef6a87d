// Retention of dated items (backup archives): what a policy of "keep for N days, but never
// fewer than the newest K" removes. Pure, so the policy is tested with explicit dates.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "tillit/core/time.h"

namespace tillit {

struct DatedItem {
  std::string name;
  Timestamp at;
};

// The names of the items older than `keep_for` at `now`, leaving the newest `keep_at_least`
// whatever their age (so a stopped schedule never deletes the last good backups), oldest first.
std::vector<std::string> past_retention(std::vector<DatedItem> items, Timestamp now, std::chrono::days keep_for,
                                        unsigned keep_at_least);

}  // namespace tillit
