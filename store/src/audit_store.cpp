#include "tillit/store/audit_store.h"

namespace tillit::store {
namespace {

constexpr const char* kEventColumns =
    "seq, at, actor, action, object_type, object_id, changes, client_address, prev_hash, hash";

audit::Event event_from(const Row& r) {
  return audit::Event{r.integer(0), r.text(1), r.text(2), r.text(3), r.text(4),
                      r.text(5),    r.text(6), r.text(7), r.text(8), r.text(9)};
}

}  // namespace

Result<std::optional<AuditHead>> AuditStore::head(Transaction& tx) {
  auto rows = tx.query("SELECT seq, hash, mac FROM audit_head WHERE id = 1");
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<AuditHead>{};
  const auto& r = rows->front();
  return std::optional<AuditHead>{AuditHead{r.integer(0), r.text(1), r.text(2)}};
}

Result<audit::Event> AuditStore::append(Transaction& tx, audit::Event event) const {
  // Appends are serialised across every process sharing the database: read head, link,
  // insert and move the head happen as one step.
  if (auto s = tx.lock("tillit-audit-chain"); !s) return s.error();
  auto current = head(tx);
  if (!current) return current.error();
  const AuditHead previous = current->value_or(AuditHead{});
  event.seq = previous.seq + 1;
  chain_.seal(event, previous.hash);
  if (auto s = tx.exec(std::string("INSERT INTO audit_events (") + kEventColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       {event.seq, event.at, event.actor, event.action, event.object_type, event.object_id,
                        event.changes, event.client_address, event.prev_hash, event.hash});
      !s)
    return s.error();
  const std::string mac = chain_.head_mac(event.seq, event.hash);
  const auto s = current->has_value()
                     ? tx.exec("UPDATE audit_head SET seq = ?, hash = ?, mac = ? WHERE id = 1", {event.seq, event.hash, mac})
                     : tx.exec("INSERT INTO audit_head (id, seq, hash, mac) VALUES (1, ?, ?, ?)", {event.seq, event.hash, mac});
  if (!s) return s.error();
  return event;
}

Status AuditStore::for_each(Transaction& tx, std::int64_t after_seq,
                            const std::function<bool(const audit::Event&)>& on_event) {
  return tx.for_each(std::string("SELECT ") + kEventColumns + " FROM audit_events WHERE seq > ? ORDER BY seq",
                     {after_seq}, [&](const Row& r) { return on_event(event_from(r)); });
}

Result<std::optional<audit::Event>> AuditStore::event(Transaction& tx, std::int64_t seq) {
  auto rows = tx.query(std::string("SELECT ") + kEventColumns + " FROM audit_events WHERE seq = ?", {seq});
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<audit::Event>{};
  return std::optional<audit::Event>{event_from(rows->front())};
}

Status AuditStore::add_checkpoint(Transaction& tx, const audit::Checkpoint& c) {
  return tx.exec("INSERT INTO audit_checkpoints (seq, hash, at, signature) VALUES (?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING",
                 {c.seq, c.hash, c.at, c.signature});
}

Result<std::vector<audit::Checkpoint>> AuditStore::checkpoints(Transaction& tx, std::int64_t after_seq) {
  auto rows = tx.query("SELECT seq, hash, at, signature FROM audit_checkpoints WHERE seq > ? ORDER BY seq", {after_seq});
  if (!rows) return rows.error();
  std::vector<audit::Checkpoint> out;
  for (const auto& r : *rows) out.push_back({r.integer(0), r.text(1), r.text(2), r.text(3)});
  return out;
}

}  // namespace tillit::store
