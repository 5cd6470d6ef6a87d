#include "tillit/services/audit_service.h"

#include "tillit/store/audit_store.h"
#include "tillit/store/repositories.h"

namespace tillit::services {

Result<VerifyReport> verify_audit_log(Installation& inst, const Actor& actor) {
  if (auto s = authorize(actor, Permission::audit_verify); !s) return s.error();
  auto tx = inst.db().begin(store::Access::read);
  if (!tx) return tx.error();
  audit::Verifier verifier(&inst.chain());
  if (auto s = store::AuditStore::for_each(**tx, 0, [&](const audit::Event& e) { return verifier.feed(e); }); !s)
    return s.error();
  auto head = store::AuditStore::head(**tx);
  if (!head) return head.error();
  VerifyReport report;
  if (verifier.ok() && *head) {
    verifier.finish((*head)->seq, (*head)->hash, (*head)->mac);
  } else if (verifier.ok() && verifier.count() > 0) {
    verifier.finish(0, audit::kGenesisHash, inst.chain().head_mac(0, audit::kGenesisHash));
  } else if (verifier.ok()) {
    // Every installation records its own creation, so an installation with an empty log
    // (and no head record) had its events deleted.
    auto installation = store::load_installation(**tx);
    if (!installation) return installation.error();
    if (installation->has_value()) {
      report.bad_seq = 1;
      report.failure = "event 1: missing; the log is empty although the installation exists (events were deleted)";
      return report;
    }
  }
  report.intact = verifier.ok();
  report.events = verifier.count();
  report.head_hash = verifier.head_hash();
  if (!verifier.ok()) {
    report.bad_seq = verifier.bad_seq();
    report.failure = verifier.failure();
  }
  return report;
}

Result<std::optional<audit::Checkpoint>> make_checkpoint(Installation& inst, const Actor& actor) {
  if (auto s = authorize(actor, Permission::audit_export); !s) return s.error();
  auto tx = inst.db().begin(store::Access::write);
  if (!tx) return tx.error();
  auto head = store::AuditStore::head(**tx);
  if (!head) return head.error();
  if (!*head) return std::optional<audit::Checkpoint>{};
  auto c = audit::sign_checkpoint(inst.signing_key(), (*head)->seq, (*head)->hash, format_rfc3339(now_utc()));
  if (auto s = store::AuditStore::add_checkpoint(**tx, c); !s) return s.error();
  if (auto s = (*tx)->commit(); !s) return s.error();
  return std::optional<audit::Checkpoint>{std::move(c)};
}

Result<audit::ExportSummary> export_audit_log(Installation& inst, const Actor& actor, std::ostream& out,
                                              std::optional<Timestamp> since) {
  if (auto s = authorize(actor, Permission::audit_export); !s) return s.error();
  auto verified = verify_audit_log(inst, actor);
  if (!verified) return verified.error();
  if (!verified->intact)
    return make_error(ErrorCode::integrity, "the audit log is damaged, so it is not exported as if it were whole: " +
                                                verified->failure);
  if (auto c = make_checkpoint(inst, actor); !c) return c.error();

  auto tx = inst.db().begin(store::Access::read);
  if (!tx) return tx.error();
  // Find where the export starts: the first event at or after `since`.
  std::int64_t after_seq = 0;
  std::string after_hash = audit::kGenesisHash;
  if (since) {
    const std::string since_text = format_rfc3339(*since);
    auto rows = (*tx)->query("SELECT seq, prev_hash FROM audit_events WHERE at >= ? ORDER BY seq LIMIT 1", {since_text});
    if (!rows) return rows.error();
    if (rows->empty()) {
      auto head = store::AuditStore::head(**tx);
      if (!head) return head.error();
      if (*head) {
        after_seq = (*head)->seq;
        after_hash = (*head)->hash;
      }
    } else {
      after_seq = rows->front().integer(0) - 1;
      after_hash = rows->front().text(1);
    }
  }
  audit::ExportWriter writer(out, inst.signing_key(), format_rfc3339(now_utc()), after_seq, after_hash);
  audit::ExportSummary summary;
  summary.key_fingerprint = crypto::key_fingerprint(crypto::as_chars(inst.signing_key().public_key));
  if (auto s = store::AuditStore::for_each(**tx, after_seq,
                                           [&](const audit::Event& e) {
                                             writer.write_event(e);
                                             if (summary.events++ == 0) summary.first_seq = e.seq;
                                             summary.last_seq = e.seq;
                                             summary.head_hash = e.hash;
                                             return true;
                                           });
      !s)
    return s.error();
  auto checkpoints = store::AuditStore::checkpoints(**tx, after_seq);
  if (!checkpoints) return checkpoints.error();
  for (const auto& c : *checkpoints) writer.write_checkpoint(c);
  summary.checkpoints = static_cast<std::int64_t>(checkpoints->size());
  writer.finish();
  if (!out) return make_error(ErrorCode::unavailable, "the export could not be written completely");
  return summary;
}

}  // namespace tillit::services
