// Persistence of the audit chain. append() runs inside the caller's write transaction, so
// an event is stored exactly when the change it records is.
#pragma once

#include <functional>
#include <optional>

#include "tillit/audit/chain.h"
#include "tillit/store/database.h"

namespace tillit::store {

struct AuditHead {
  std::int64_t seq = 0;
  std::string hash = audit::kGenesisHash;
  std::string mac;
};

class AuditStore {
 public:
  explicit AuditStore(const audit::Chain& chain) : chain_(chain) {}

  // Numbers, links and seals `event` after the current head and stores it with the new head.
  Result<audit::Event> append(Transaction& tx, audit::Event event) const;

  static Result<std::optional<AuditHead>> head(Transaction& tx);
  // Visits events with seq > after_seq in order; `on_event` returns false to stop.
  static Status for_each(Transaction& tx, std::int64_t after_seq, const std::function<bool(const audit::Event&)>& on_event);
  static Result<std::optional<audit::Event>> event(Transaction& tx, std::int64_t seq);
  static Status add_checkpoint(Transaction& tx, const audit::Checkpoint& c);
  static Result<std::vector<audit::Checkpoint>> checkpoints(Transaction& tx, std::int64_t after_seq);

 private:
  const audit::Chain& chain_;
};

}  // namespace tillit::store
