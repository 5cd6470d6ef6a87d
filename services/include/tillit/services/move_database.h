// Moving an installation from its SQLite file to PostgreSQL, for the step from one server to
// several. The move is verified before it is reported done: same row counts, and the audit
// chain verifies on the target with the same head. On any failure the target is emptied
// again and the SQLite installation is untouched.
#pragma once

#include <string>
#include <vector>

#include "tillit/services/installation.h"

namespace tillit::services {

struct MoveReport {
  std::vector<std::pair<std::string, std::int64_t>> rows;  // per table
  std::int64_t audit_events = 0;
  std::string audit_head;
};

// `config` is the SQLite installation's; on success its data directory's configuration
// names `database_url` from then on (the SQLite file stays as it was, as a backup).
Result<MoveReport> move_to_postgresql(const Config& config, const std::string& database_url);

}  // namespace tillit::services
