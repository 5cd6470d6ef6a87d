#include "tillit/services/jobs.h"

#include <unistd.h>

#include "tillit/services/audit_service.h"
#include "tillit/services/backup.h"
#include "tillit/services/duties.h"
#include "tillit/services/findings.h"
#include "tillit/services/integrity.h"
#include "tillit/store/repositories.h"

namespace tillit::services {
namespace {

constexpr auto kLease = std::chrono::minutes(10);

std::string audit_checkpoint(Installation& inst) {
  auto c = make_checkpoint(inst, local_operator());
  return c ? "ok" : c.error().message;
}

// The same checks as `tillit verify`; each run is recorded (integrity.verify, or
// integrity.alert with the problems), so the log shows the daily check was done.
std::string integrity_check(Installation& inst) {
  auto report = check_integrity(inst, system_actor());
  if (!report) return "integrity check failed to run: " + report.error().message;
  std::string problems;
  for (const auto& p : report->problems) problems += (problems.empty() ? "" : "; ") + p;
  return report->ok() ? "ok" : problems;
}

// An accepted risk or false positive counts only until its expiry; between imports this puts
// the finding back in the open list (with its history) within the hour.
std::string findings_expiry(Installation& inst) {
  auto reopened = FindingService(inst).reopen_expired(system_actor());
  if (!reopened) return "reopening expired acceptances failed: " + reopened.error().message;
  return "ok";
}

// Owners hear of duties falling due or overdue within the hour; each duty is mentioned once
// per due date and state, so running hourly sends nothing twice. The outbox delivers.
std::string duty_reminders(Installation& inst) {
  auto queued = DutiesService(inst).queue_reminders(system_actor());
  if (!queued) return "queueing duty reminders failed: " + queued.error().message;
  return "ok";
}

// The daily backup, when backup_destination is set (nothing to do when it is not: scheduled
// backups are the operator's choice).
std::string scheduled_backup(Installation& inst) {
  if (!inst.config().backup.enabled()) return "ok";
  auto r = run_scheduled_backup(inst, system_actor(), now_utc());
  if (!r) return "scheduled backup failed: " + r.error().message;
  return "ok: " + r->backup.file.string() + ", " + std::to_string(r->removed.size()) + " past retention removed";
}

}  // namespace

const std::vector<JobDefinition>& builtin_jobs() {
  static const std::vector<JobDefinition> jobs = {
      {"audit-checkpoint", std::chrono::hours(1), audit_checkpoint},
      {"integrity-check", std::chrono::hours(24), integrity_check},
      {"findings-expiry", std::chrono::hours(1), findings_expiry},
      {"scheduled-backup", std::chrono::hours(24), scheduled_backup},
      {"duty-reminders", std::chrono::hours(1), duty_reminders},
  };
  return jobs;
}

std::string instance_name() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" +
         crypto::to_hex(crypto::as_chars(crypto::random_bytes(3)));
}

std::vector<JobResult> run_due_jobs(Installation& inst, const std::vector<JobDefinition>& jobs, const std::string& holder,
                                    Timestamp now) {
  std::vector<JobResult> results;
  for (const auto& job : jobs) {
    JobResult result{job.name, format_rfc3339(slot_start(now, job.every)), false, {}};
    {
      auto tx = inst.db().begin(store::Access::write);
      if (!tx) {
        result.outcome = tx.error().message;
        results.push_back(result);
        continue;
      }
      const std::string started = format_rfc3339(now);
      auto claimed = store::claim_job_run(**tx, {job.name, result.slot, holder, started, format_rfc3339(now + kLease), {}, {}});
      if (!claimed || !*claimed || !(*tx)->commit()) {
        if (!claimed) result.outcome = claimed.error().message;
        results.push_back(result);
        continue;
      }
    }
    result.ran = true;
    result.outcome = job.run(inst);
    if (auto tx = inst.db().begin(store::Access::write)) {
      if (store::finish_job_run(**tx, job.name, result.slot, holder, format_rfc3339(now_utc()), result.outcome))
        (void)(*tx)->commit();
    }
    results.push_back(result);
  }
  return results;
}

}  // namespace tillit::services
