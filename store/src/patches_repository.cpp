#include "tillit/store/patches_repository.h"

namespace tillit::store {
namespace {

constexpr const char* kColumns =
    "id, asset, product, advisory, vendor, severity, released_on, planned_on, rollout_started_on, applied_on, "
    "change_ref, note, created_at, created_by, updated_at, updated_by";

PatchRecord patch_of(const Row& r) {
  return {r.integer(0), r.text(1),  r.text(2),  r.text(3),  r.text(4),  r.text(5),  r.text(6),  r.text(7),
          r.text(8),    r.text(9),  r.text(10), r.text(11), r.text(12), r.text(13), r.text(14), r.text(15)};
}

}  // namespace

Result<std::int64_t> insert_patch(Transaction& tx, const PatchRecord& p) {
  auto rows = tx.query(
      "INSERT INTO patches (asset, product, advisory, vendor, severity, released_on, planned_on, rollout_started_on, "
      "applied_on, change_ref, note, created_at, created_by, updated_at, updated_by) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
      {p.asset, p.product, p.advisory, p.vendor, p.severity, p.released_on, nullable(p.planned_on),
       nullable(p.rollout_started_on), nullable(p.applied_on), p.change_ref, p.note, p.created_at, p.created_by,
       p.updated_at, p.updated_by});
  if (!rows) {
    if (rows.error().code == ErrorCode::conflict)
      return make_error(ErrorCode::conflict, "the asset '" + p.asset + "' already has a record of " + p.advisory +
                                                 "; update that one");
    return rows.error();
  }
  return rows->front().integer(0);
}

Status update_patch(Transaction& tx, const PatchRecord& p) {
  return tx.exec(
      "UPDATE patches SET asset = ?, product = ?, advisory = ?, vendor = ?, severity = ?, released_on = ?, "
      "planned_on = ?, rollout_started_on = ?, applied_on = ?, change_ref = ?, note = ?, updated_at = ?, "
      "updated_by = ? WHERE id = ?",
      {p.asset, p.product, p.advisory, p.vendor, p.severity, p.released_on, nullable(p.planned_on),
       nullable(p.rollout_started_on), nullable(p.applied_on), p.change_ref, p.note, p.updated_at, p.updated_by, p.id});
}

Result<std::optional<PatchRecord>> find_patch(Transaction& tx, std::int64_t id) {
  auto rows = tx.query(std::string("SELECT ") + kColumns + " FROM patches WHERE id = ?", {id});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<PatchRecord>();
  return std::optional<PatchRecord>(patch_of(rows->front()));
}

Result<std::vector<PatchRecord>> list_patches(Transaction& tx, const PatchFilter& filter) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM patches WHERE 1 = 1";
  Params params;
  if (!filter.asset.empty()) {
    sql += " AND asset = ?";
    params.push_back(filter.asset);
  }
  if (!filter.released_from.empty()) {
    sql += " AND released_on >= ?";
    params.push_back(filter.released_from);
  }
  if (!filter.released_to.empty()) {
    sql += " AND released_on <= ?";
    params.push_back(filter.released_to);
  }
  sql += " ORDER BY released_on DESC, id DESC";
  auto rows = tx.query(sql, params);
  if (!rows) return rows.error();
  std::vector<PatchRecord> out;
  for (const auto& r : *rows) out.push_back(patch_of(r));
  return out;
}

}  // namespace tillit::store
