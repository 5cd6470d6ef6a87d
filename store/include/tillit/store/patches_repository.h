// Security updates per asset (migration 9). Runs inside the caller's transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tillit/store/database.h"

namespace tillit::store {

struct PatchRecord {
  std::int64_t id = 0;
  std::string asset, product, advisory, vendor, severity;
  std::string released_on, planned_on, rollout_started_on, applied_on;  // YYYY-MM-DD; "" for none
  std::string change_ref, note;
  std::string created_at, created_by, updated_at, updated_by;
};

// Conflict when the asset already has a record of this advisory.
Result<std::int64_t> insert_patch(Transaction& tx, const PatchRecord& p);
// Every field but id and the created_* ones.
Status update_patch(Transaction& tx, const PatchRecord& p);
Result<std::optional<PatchRecord>> find_patch(Transaction& tx, std::int64_t id);

struct PatchFilter {
  std::string asset;          // exact; empty: any
  std::string released_from;  // YYYY-MM-DD inclusive; empty: no bound
  std::string released_to;    // YYYY-MM-DD inclusive; empty: no bound
};
// Newest release first, then id.
Result<std::vector<PatchRecord>> list_patches(Transaction& tx, const PatchFilter& filter);

}  // namespace tillit::store
