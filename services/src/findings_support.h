// What the finding service's files share: JSON text for stored arrays, severity order and
// the reopening of expired acceptances (run by imports and by the workflow).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tillit/services/installation.h"
#include "tillit/store/database.h"

namespace tillit::services {

inline std::string dump_json(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// 0 for critical up to 5 for unknown (core's severity_names() order).
int severity_rank(const std::string& severity);

// Reopens, in `tx`, every accepted risk or false positive whose acceptance ended before
// `now`, with a history row each and one audit event; returns how many.
Result<std::int64_t> reopen_expired_in(store::Transaction& tx, Installation& inst, const Actor& actor, Timestamp now);

}  // namespace tillit::services
