// Repositories: the only place where services' records meet SQL. Each function runs inside
// the caller's transaction, so a service decides what commits together.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "tillit/store/database.h"

namespace tillit::store {

// --- installation and keys -------------------------------------------------------------
struct Installation {
  std::string installation_id;
  std::string created_at;
};
Result<std::optional<Installation>> load_installation(Transaction& tx);
Status save_installation(Transaction& tx, const Installation& i);

struct WrappedKey {
  std::string name;           // "audit-chain", "audit-signing", ...
  std::string master_key_id;  // which master key sealed it
  std::string sealed;         // base64 AES-256-GCM
  std::string created_at;
};
Status save_wrapped_key(Transaction& tx, const WrappedKey& k);
Result<std::optional<WrappedKey>> load_wrapped_key(Transaction& tx, const std::string& name);

// --- imported catalogues -------------------------------------------------------------------
struct StoredCatalog {
  std::string id;
  std::string source_text;  // the file as imported, validated
  std::string sha256;
  std::string imported_at;
  std::string imported_by;
};
Status upsert_catalog(Transaction& tx, const StoredCatalog& c);
Result<std::vector<StoredCatalog>> list_catalogs(Transaction& tx);

// --- scheduled job runs ----------------------------------------------------------------------
struct JobRun {
  std::string job;
  std::string slot;  // RFC 3339 start of the period this run covers
  std::string holder;
  std::string started_at;
  std::string lease_until;
  std::string finished_at;  // empty while running
  std::string outcome;      // "ok" or what failed
};
// Claims (job, slot) for `holder`: true when this caller must run it. A slot is claimed
// once; a claim whose lease ran out unfinished may be taken over.
Result<bool> claim_job_run(Transaction& tx, const JobRun& run);
Status finish_job_run(Transaction& tx, const std::string& job, const std::string& slot, const std::string& holder,
                      const std::string& finished_at, const std::string& outcome);
Result<std::vector<JobRun>> recent_job_runs(Transaction& tx, std::int64_t limit);

}  // namespace tillit::store
