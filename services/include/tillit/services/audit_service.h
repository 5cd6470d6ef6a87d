// Verifying and exporting the audit log, and making signed checkpoints.
#pragma once

#include <optional>
#include <ostream>

#include "tillit/audit/export.h"
#include "tillit/services/installation.h"

namespace tillit::services {

struct VerifyReport {
  bool intact = false;
  std::int64_t events = 0;
  std::string head_hash;
  std::optional<std::int64_t> bad_seq;
  std::string failure;  // empty when intact
};

// Walks the whole chain in the database and checks every hash, link and the head record.
Result<VerifyReport> verify_audit_log(Installation& inst, const Actor& actor);

// Signs a checkpoint at the current head (no-op on an empty log) and stores it.
Result<std::optional<audit::Checkpoint>> make_checkpoint(Installation& inst, const Actor& actor);

// Writes a signed JSON Lines export of the events at or after `since` (all when empty).
// The chain is verified first: a broken log is never signed as if it were whole.
Result<audit::ExportSummary> export_audit_log(Installation& inst, const Actor& actor, std::ostream& out,
                                              std::optional<Timestamp> since);

}  // namespace tillit::services
