#include "tillit/store/repositories.h"

namespace tillit::store {

Result<std::optional<Installation>> load_installation(Transaction& tx) {
  auto rows = tx.query("SELECT installation_id, created_at FROM installation WHERE id = 1");
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<Installation>{};
  return std::optional<Installation>{Installation{rows->front().text(0), rows->front().text(1)}};
}

Status save_installation(Transaction& tx, const Installation& i) {
  return tx.exec("INSERT INTO installation (id, installation_id, created_at) VALUES (1, ?, ?)",
                 {i.installation_id, i.created_at});
}

Status save_wrapped_key(Transaction& tx, const WrappedKey& k) {
  return tx.exec(
      "INSERT INTO wrapped_keys (name, master_key_id, sealed, created_at) VALUES (?, ?, ?, ?) "
      "ON CONFLICT (name) DO UPDATE SET master_key_id = excluded.master_key_id, sealed = excluded.sealed",
      {k.name, k.master_key_id, k.sealed, k.created_at});
}

Result<std::optional<WrappedKey>> load_wrapped_key(Transaction& tx, const std::string& name) {
  auto rows = tx.query("SELECT name, master_key_id, sealed, created_at FROM wrapped_keys WHERE name = ?", {name});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<WrappedKey>{};
  const auto& r = rows->front();
  return std::optional<WrappedKey>{WrappedKey{r.text(0), r.text(1), r.text(2), r.text(3)}};
}

Status upsert_catalog(Transaction& tx, const StoredCatalog& c) {
  return tx.exec(
      "INSERT INTO catalogs (id, source_text, sha256, imported_at, imported_by) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT (id) DO UPDATE SET source_text = excluded.source_text, sha256 = excluded.sha256, "
      "imported_at = excluded.imported_at, imported_by = excluded.imported_by",
      {c.id, c.source_text, c.sha256, c.imported_at, c.imported_by});
}

Result<std::vector<StoredCatalog>> list_catalogs(Transaction& tx) {
  auto rows = tx.query("SELECT id, source_text, sha256, imported_at, imported_by FROM catalogs ORDER BY id");
  if (!rows) return rows.error();
  std::vector<StoredCatalog> out;
  for (const auto& r : *rows) out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.text(4)});
  return out;
}

Result<bool> claim_job_run(Transaction& tx, const JobRun& run) {
  auto inserted = tx.query(
      "INSERT INTO job_runs (job, slot, holder, started_at, lease_until) VALUES (?, ?, ?, ?, ?) "
      "ON CONFLICT (job, slot) DO NOTHING RETURNING job",
      {run.job, run.slot, run.holder, run.started_at, run.lease_until});
  if (!inserted) return inserted.error();
  if (!inserted->empty()) return true;
  // Taken already: take it over only if its holder stopped renewing before finishing.
  auto taken = tx.query(
      "UPDATE job_runs SET holder = ?, started_at = ?, lease_until = ? "
      "WHERE job = ? AND slot = ? AND finished_at IS NULL AND lease_until < ? RETURNING job",
      {run.holder, run.started_at, run.lease_until, run.job, run.slot, run.started_at});
  if (!taken) return taken.error();
  return !taken->empty();
}

Status finish_job_run(Transaction& tx, const std::string& job, const std::string& slot, const std::string& holder,
                      const std::string& finished_at, const std::string& outcome) {
  return tx.exec("UPDATE job_runs SET finished_at = ?, outcome = ? WHERE job = ? AND slot = ? AND holder = ?",
                 {finished_at, outcome, job, slot, holder});
}

Result<std::vector<JobRun>> recent_job_runs(Transaction& tx, std::int64_t limit) {
  auto rows = tx.query(
      "SELECT job, slot, holder, started_at, lease_until, finished_at, outcome FROM job_runs "
      "ORDER BY started_at DESC, job LIMIT ?",
      {limit});
  if (!rows) return rows.error();
  std::vector<JobRun> out;
  for (const auto& r : *rows) out.push_back({r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.text(6)});
  return out;
}

}  // namespace tillit::store
